import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { visibleText } from '../../../shared/visible';
import { outputPath, writeStdout } from '../common';
import { HELP_OPTION, OUTPUT_OPTION, UsageError, type Values, defineVerb } from '../verb';

const options = { ...HELP_OPTION, ...OUTPUT_OPTION, json: { type: 'boolean' }, pretty: { type: 'boolean' }, threads: { type: 'string' }, rss: { type: 'string' }, 'exit-code': { type: 'boolean' } } as const;

export const diffVerb = defineVerb({
  name: 'diff',
  summary: 'what started, exited, changed, listened, opened and closed between two snapshots (or two directories of them)',
  usage: `Usage: procscope diff BEFORE AFTER [--json [--pretty]] [--threads N] [--rss MB] [--exit-code] [-o FILE]

Compares two snapshots (.json, or .json.gz as procscope record writes them) and prints what changed, grouped:
listeners added and removed, processes started, exited and changed (argv, exe, user, cwd, parent, container,
cgroup, namespaces; threads and RSS when they moved by --threads N, default 10, or --rss MB, default 64),
containers created and gone, namespaces created and gone, sockets opened and closed. Two directories (snapshot
--inventory -o DIR) are compared node by node.

Snapshots of the same boot of a node are matched by identity: a process is its boot id, pid and start time, so a
reused pid is an exit and a start, never a change. Snapshots of different nodes or boots are matched by name and
command line instead, and the output says so.

--json prints the procscope.diff/v1 document (shared/snapshot/diff.schema.json). Exit status 0, or with
--exit-code 1 when anything changed; 2 for a usage error.
`,
  options,
  async run(positionals, values) {
    if (positionals.length !== 2) throw new UsageError('diff takes two snapshot files: procscope diff BEFORE.json AFTER.json');
    const number = (name: 'threads' | 'rss', text: string | undefined, fallback: number) => {
      if (text === undefined) return fallback;
      const n = Number(text);
      if (!(Number.isInteger(n) && n > 0)) throw new UsageError(`bad --${name}: ${text} (a whole number more than 0)`);
      return n;
    };
    const output = outputPath(values);
    const { DEFAULT_THRESHOLDS } = await import('../../../shared/diff/diff');
    const thresholds = { threads: number('threads', values.threads, DEFAULT_THRESHOLDS.threads), rssKb: number('rss', values.rss, DEFAULT_THRESHOLDS.rssKb / 1024) * 1024 };
    const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
    const [a, b] = positionals as [string, string];
    const { text, changed } = isDir(a) && isDir(b) ? await diffDirectories(a, b, thresholds, values) : await diffFiles(a, b, thresholds, values);
    if (output) (await import('../../fs/atomic-write')).writeFileAtomically(output, text);
    else await writeStdout(text);
    return values['exit-code'] && changed ? 1 : 0;
  },
});

type Thresholds = { threads: number; rssKb: number };

async function diffFiles(a: string, b: string, thresholds: Thresholds, values: Values<typeof options>): Promise<{ text: string; changed: boolean }> {
  const [{ diffSnapshots }, { formatDiff }, { readSnapshotFile }] = await Promise.all([import('../../../shared/diff/diff'), import('../../../shared/diff/format'), import('../../engine/snapshot-file')]);
  const diff = diffSnapshots(readSnapshotFile(a), readSnapshotFile(b), thresholds);
  const text = values.json ? JSON.stringify(diff, null, values.pretty ? 2 : undefined) + '\n' : formatDiff(diff);
  return { text, changed: Object.values(diff.summary).some((n) => n > 0) };
}

/** Two directories of per-node snapshots (snapshot --inventory -o DIR): what changed, node by node. */
async function diffDirectories(a: string, b: string, thresholds: Thresholds, values: Values<typeof options>): Promise<{ text: string; changed: boolean }> {
  const [{ diffSnapshots }, { formatDiff }, { readSnapshotFile }] = await Promise.all([import('../../../shared/diff/diff'), import('../../../shared/diff/format'), import('../../engine/snapshot-file')]);
  const snapshots = (dir: string) => new Set(readdirSync(dir).filter((f) => /\.json(\.gz)?$/.test(f) && !f.startsWith('.')));
  const [left, right] = [snapshots(a), snapshots(b)];
  const names = [...new Set([...left, ...right])].sort();
  const out: string[] = [];
  const json: Record<string, unknown> = {};
  let changed = false;
  for (const name of names) {
    const node = name.replace(/\.json(\.gz)?$/, '');
    if (!left.has(name) || !right.has(name)) {
      changed = true;
      const where = left.has(name) ? a : b;
      out.push(`=== ${visibleText(node)}: only in ${where}`);
      json[node] = { onlyIn: where };
      continue;
    }
    const d = diffSnapshots(readSnapshotFile(join(a, name)), readSnapshotFile(join(b, name)), thresholds);
    if (Object.values(d.summary).some((n) => n > 0)) changed = true;
    out.push(`=== ${visibleText(node)}`, formatDiff(d));
    json[node] = d;
  }
  const text = values.json ? JSON.stringify({ nodes: json }, null, values.pretty ? 2 : undefined) + '\n' : out.join('\n') + '\n';
  return { text, changed };
}
