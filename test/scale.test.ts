/**
 * At scale, on the live kernel: 10,000 processes, one with 50,000 open fds, an argv of 1 MB, a unix socket
 * table of 20,000 rows. The snapshot completes, every figure is right, and its peak memory is printed.
 *
 * The scene and the CLI that reads it live in pid, mount and network namespaces of their own: the 20,000 sockets
 * are in no other test's socket table, and the read sees this scene, not whatever else the machine runs.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../shared/snapshot/types';
import { CLI } from './helpers/cli';
import { schemaErrors } from './helpers/schema';

const PROCESSES = 10_000;
/** The fds one process may hold is capped by the hard limit, which root may not raise everywhere (CAP_SYS_RESOURCE). */
const HARD_FD_LIMIT = Number(spawnSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim()) || 1024;
const FDS = Math.min(50_000, HARD_FD_LIMIT - 100);
if (FDS < 50_000) console.warn(`scale test: this machine's hard fd limit is ${HARD_FD_LIMIT}, so one process holds ${FDS} fds instead of 50,000`);
const UNIX = 20_000;
const UNIX_PER_PROCESS = Math.min(UNIX, HARD_FD_LIMIT - 100);
const ARGV = Array.from({ length: 10 }, (_, i) => String.fromCharCode(97 + i).repeat(100_000)); // 1 MB in 10 args (one may hold 128 KiB)

const skipReason =
  process.getuid?.() !== 0 ? 'the scale test raises fd limits and starts 10,000 processes, which needs root'
  : spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--net', 'true']).status !== 0 ? 'unshare --pid --mount-proc --net fails here'
  : null;
if (skipReason) console.warn(`SKIP scale test: ${skipReason}`);

/** Resolves with the pid the child says it has in the namespace ("ready PID"). */
function ready(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b;
      const m = /ready (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
}

describe.skipIf(skipReason !== null)('at scale', () => {
  const groups: ChildProcess[] = [];
  let dir: string;
  /** pids inside the scene's pid namespace */
  let fdHolder: number;
  let argvHolder: number;
  let snap: Snapshot;
  let peakKb: number | null = null;
  /** the scene's pid 1, seen from here: every part of it is started in its namespaces */
  let init: string;
  const inScene = (argv: string[]) => ['nsenter', '-t', init, '-p', '-m', '-n', '--', ...argv];
  const start = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const c = spawn('nsenter', inScene(argv).slice(1), { stdio: ['ignore', 'pipe', 'inherit'], detached: true, env: { ...process.env, ...env } });
    groups.push(c);
    return c;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'procscope-scale-'));
    const anchor = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--net', 'sh', '-c', 'echo ready $$; exec sleep 100000'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    groups.push(anchor);
    await ready(anchor);
    init = (readFileSync(`/proc/${anchor.pid}/task/${anchor.pid}/children`, 'utf8').trim().split(' ')[0] ?? '');
    expect(init).toMatch(/^\d+$/);
    const holder = start(['/bin/sh', '-c', `ulimit -n ${FDS + 50} && exec "${process.execPath}" -e "const fs = require('fs'); for (let i = 0; i < ${FDS}; i++) fs.openSync('/dev/null', 'r'); console.log('ready ' + process.pid); setInterval(() => {}, 1e9)"`]);
    const unixHolders = [];
    for (let first = 0; first < UNIX; first += UNIX_PER_PROCESS) {
      const count = Math.min(UNIX_PER_PROCESS, UNIX - first);
      unixHolders.push(
        start(['/bin/sh', '-c', `ulimit -n ${count + 100} && exec "${process.execPath}" -e "$JS"`], {
          JS: `const net = require('net'); let n = 0; for (let i = ${first}; i < ${first + count}; i++) net.createServer().listen(process.env.DIR + '/' + i + '.sock', () => { if (++n === ${count}) console.log('ready ' + process.pid); }); setInterval(() => {}, 1e9);`,
          DIR: dir,
        }),
      );
    }
    const argv = start(['/bin/sh', '-c', 'echo ready $$; sleep 600; :', 'sh', ...ARGV]);
    const sleepers = start(['/bin/sh', '-c', `i=0; while [ $i -lt ${PROCESSES} ]; do sleep 600 & i=$((i+1)); done; echo ready $$; wait`]);
    [fdHolder, argvHolder] = await Promise.all([ready(holder), ready(argv), ready(sleepers), ...unixHolders.map(ready)]);
    const out = join(dir, 'snap.json');
    const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', 'peak-kb %M'] : [];
    const cli = inScene([...time, process.execPath, CLI, 'snapshot', '-o', out]);
    const r = spawnSync(cli[0]!, cli.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26 });
    process.stdout.write(r.stderr);
    expect(r.status, r.stderr).toBe(0);
    const m = /peak-kb (\d+)/.exec(r.stderr);
    peakKb = m ? Number(m[1]) : null;
    snap = JSON.parse(readFileSync(out, 'utf8')) as Snapshot;
  }, 300_000);

  afterAll(() => {
    for (const g of groups) {
      try {
        process.kill(-g.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it(`completes with every process, the ${FDS} fds, the 1 MB argv and the 20,000 unix sockets`, () => {
    console.log(`scale: ${snap.processes.length} processes, ${snap.sockets.length} sockets, snapshot took ${snap.node.durationMs} ms, peak memory of the CLI ${peakKb ?? '?'} KB`);
    expect(schemaErrors(snap)).toEqual([]);
    expect(snap.processes.length).toBeGreaterThanOrEqual(PROCESSES);
    const holder = snap.processes.find((p) => p.pid === fdHolder)!;
    expect(holder.fds!.filter((f) => f.target === '/dev/null').length).toBeGreaterThanOrEqual(FDS);
    const argv = snap.processes.find((p) => p.pid === argvHolder)?.cmdline.slice(4) ?? [];
    expect(argv.map((a) => a.length)).toEqual(ARGV.map((a) => a.length));
    expect(argv.every((a, i) => a === ARGV[i]), 'the 1 MB argv comes back exactly').toBe(true);
    expect(snap.sockets.filter((s) => s.proto === 'unix' && s.local.startsWith(dir)).length).toBe(UNIX);
  });

  if (!existsSync('/usr/bin/time')) console.warn('SKIP the memory bound: no /usr/bin/time (the time package) to measure peak memory');
  it.skipIf(!existsSync('/usr/bin/time'))('stays within a memory bound', () => {
    expect(peakKb).not.toBeNull();
    expect(peakKb!).toBeLessThan(2 * 1024 * 1024);
  });
});
