import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORT_FORMATS, type ExportFormat } from '../../../shared/export/formats';
import { visibleText } from '../../../shared/visible';
import { atMostOneTarget, collectOptionsFrom, fleetArgs, fleetBounds, fleetOpenOptions, jsonLines, outputPath, reportLeftOut, sessionFor, writeStdout } from '../common';
import { EXIT_FAILURE, HELP_OPTION, OUTPUT_OPTION, READ_HELP, READ_OPTIONS, TARGET_HELP, UsageError, type Values, defineVerb } from '../verb';

const options = {
  ...HELP_OPTION,
  ...READ_OPTIONS,
  ...OUTPUT_OPTION,
  format: { type: 'string' },
  pretty: { type: 'boolean' },
  inventory: { type: 'string' },
  parallel: { type: 'string' },
} as const;

export const snapshotVerb = defineVerb({
  name: 'snapshot',
  summary: 'write a process snapshot (procscope.snapshot/v1 JSON); with --inventory SRC -o DIR, one per node',
  usage: `Usage: procscope snapshot [TARGET | --via COMMAND] [-o FILE] [--format json|ndjson|csv|osquery] [--pretty] [SSH options]
       procscope snapshot --inventory SRC -o DIR [--parallel N] [--timeout SEC] [SSH options less -p]

Writes a process snapshot of TARGET (default: this machine) as procscope.snapshot/v1 JSON, to FILE or to
standard output. With --inventory, one NAME.json per node into DIR, N nodes at a time (16); procscope diff DIR1
DIR2 says what changed per node.
  -o, --output FILE        write to FILE instead of standard output (whole or not at all)
      --format F           json (the default), ndjson or csv (a process per line, OpenTelemetry names),
                           osquery (result-log lines of processes, process_open_sockets, listening_ports,
                           process_namespaces, with container and pod columns)
      --pretty             indent the JSON
      --inventory SRC      the nodes of SRC (see procscope nodes --help)
      --parallel N         nodes asked at once with --inventory (16)

${TARGET_HELP}
${READ_HELP}
A snapshot with per-process errors (a process that exited, an fd table it may not read) still exits 0;
exit 1 means no snapshot (the message says why and how to fix it), 2 a usage error.
`,
  options,
  async run(positionals, values) {
    if (values.inventory) return fleetSnapshot(positionals, values);
    atMostOneTarget(positionals);
    if (values.parallel !== undefined) throw new UsageError('--parallel is for --inventory');
    const format = values.format ?? 'json';
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`bad --format: ${format} (one of ${EXPORT_FORMATS.join(', ')})`);
    const output = outputPath(values);
    const [{ collectSnapshot }, { schemaErrors }, { exportLines }, { writeFileAtomically }] = await Promise.all([
      import('../../engine/collect'),
      import('../../../shared/snapshot/validate'),
      import('../../../shared/export/formats'),
      import('../../fs/atomic-write'),
    ]);
    const session = await sessionFor(positionals, values);
    try {
      const snapshot = await collectSnapshot(session, collectOptionsFrom(values));
      const problems = schemaErrors(snapshot);
      if (problems.length > 0) process.stderr.write(`procscope: warning: this snapshot does not match the schema (a bug; please report it): ${problems.join('; ')}\n`);
      // Written piece by piece as it is made: one string of it all would cost tens of MB at 10,000 processes.
      const pieces = format === 'json' ? jsonLines(snapshot, values.pretty ?? false) : exportLines(snapshot, format as Exclude<ExportFormat, 'json'>);
      const bytes = output ? writeFileAtomically(output, pieces) : await writeStdout(pieces);
      const s = snapshot;
      process.stderr.write(
        `procscope: ${visibleText(s.node.hostname)} (${visibleText(s.node.target)}): ${s.processes.length} processes, ${s.sockets.length} sockets, ` +
          `${s.namespaces.length} namespaces, ${s.errors.length} errors, ${bytes} bytes, ${s.node.durationMs} ms` +
          `${output ? ` -> ${output}` : ''}\n`,
      );
      return 0;
    } finally {
      session.close();
    }
  },
});

/** snapshot --inventory SRC -o DIR: one NAME.json per node that answered. */
async function fleetSnapshot(positionals: string[], values: Values<typeof options>): Promise<number> {
  if (positionals.length > 0) throw new UsageError('give --inventory or a TARGET, not both');
  if (values.via !== undefined || values.port !== undefined) throw new UsageError(`${values.via !== undefined ? '--via' : '-p'} is for one TARGET: an inventory's nodes each say how they are reached`);
  if (!values.output || values.output === '-') throw new UsageError('snapshot --inventory writes one file per node: -o DIR');
  const dir = values.output;
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${dir} is a file: give a directory with -o`);
  mkdirSync(dir, { recursive: true });
  const { parallel, timeout } = fleetBounds(values);
  const [{ fleetNodes, snapshotFleet, nodeFileName }, { writeFileAtomically }] = await Promise.all([import('../fleet'), import('../../fs/atomic-write')]);
  const inv = await fleetNodes(fleetArgs(values, []));
  reportLeftOut(inv);
  const result = await snapshotFleet(inv, {
    parallel,
    deadlineMs: timeout * 1000,
    openOptions: fleetOpenOptions(values, timeout),
    sudo: values.sudo ?? false,
    write: (node, snapshot) => writeFileAtomically(join(dir, nodeFileName(node.name)), jsonLines(snapshot, values.pretty ?? false)),
    onNode: (line) => process.stderr.write(`procscope: ${line}\n`),
  });
  process.stderr.write(`procscope: ${result.written} of ${inv.nodes.length} nodes written to ${dir}; ${result.failed.length} failed\n`);
  return result.failed.length === 0 ? 0 : EXIT_FAILURE;
}
