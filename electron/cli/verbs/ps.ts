import { visibleText } from '../../../shared/visible';
import { atMostOneTarget, collectOptionsFrom, outputPath, sessionFor, writeStdout } from '../common';
import { HELP_OPTION, OUTPUT_OPTION, READ_HELP, READ_OPTIONS, TARGET_HELP, UsageError, defineVerb } from '../verb';

export const psVerb = defineVerb({
  name: 'ps',
  summary: 'the processes as ps aux prints them, with their container: the quickest read',
  usage: `Usage: procscope ps [TARGET | --via COMMAND] [--sort KEY] [--filter TEXT] [--json [--pretty]] [-o FILE] [SSH options]

Prints TARGET's processes as ps aux does (USER PID %CPU %MEM VSZ RSS STAT START TIME), with the CONTAINER (id, or
pod/name where known) before the COMMAND. It reads only what that table needs (stat, status, cmdline and cgroup of
each process, the node's memory and users), so it answers first on a loaded node.
  --sort KEY     pid (default), user, cpu, mem, rss, vsz, time, start, name or container; cpu, mem, rss, vsz and
                 time sort biggest first; a leading - or + sorts biggest or smallest first (--sort=+rss)
  --filter TEXT  the app's filter: every word must be found in the pid, name, user, command line, container or pod
  --json         the node and the processes (as in a snapshot) as JSON
%CPU is the CPU time over the process's life, as ps shows it; %CPU and %MEM are cut to one decimal, as ps does.

${TARGET_HELP}
${READ_HELP}`,
  options: { ...HELP_OPTION, ...READ_OPTIONS, ...OUTPUT_OPTION, sort: { type: 'string' }, filter: { type: 'string' }, json: { type: 'boolean' }, pretty: { type: 'boolean' } },
  async run(positionals, values) {
    atMostOneTarget(positionals);
    const { PS_SORT_KEYS, formatPsTable, parsePsSort, psRows } = await import('../../../shared/ps/table');
    const sort = parsePsSort(values.sort ?? 'pid');
    if (!sort) throw new UsageError(`bad --sort: ${values.sort} (one of ${PS_SORT_KEYS.join(', ')}, with - or + before it for biggest or smallest first)`);
    const output = outputPath(values);
    const [{ collectFirstRead }, { writeFileAtomically }] = await Promise.all([import('../../engine/collect'), import('../../fs/atomic-write')]);
    const session = await sessionFor(positionals, values);
    try {
      const snapshot = await collectFirstRead(session, collectOptionsFrom(values));
      const rows = psRows(snapshot, values.filter ?? '', sort);
      const text = values.json ? JSON.stringify({ node: snapshot.node, processes: rows.map((r) => r.process), errors: snapshot.errors }, null, values.pretty ? 2 : undefined) + '\n' : formatPsTable(snapshot, rows);
      if (output) writeFileAtomically(output, text);
      else await writeStdout(text);
      process.stderr.write(`procscope: ${visibleText(snapshot.node.hostname)} (${visibleText(snapshot.node.target)}): ${rows.length} of ${snapshot.processes.length} processes, ${snapshot.node.durationMs} ms\n`);
      return 0;
    } finally {
      session.close();
    }
  },
});
