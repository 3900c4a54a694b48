/**
 * Processes that exit while the collector reads /proc, under each awk a node may have (mawk, gawk, busybox):
 * a live process is never reported exited, and the cgroup.procs cross-check is never skipped.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCollectOutput } from '../shared/collect/frame';
import { collectSnapshot, refreshSnapshot, runCollector } from '../electron/engine/collect';
import { localSession } from '../electron/engine/session';
import { cgroup2Root } from './helpers/containers';

const AWKS: [string, string[]][] = [
  ['mawk', ['/usr/bin/mawk']],
  ['gawk', ['/usr/bin/gawk']],
  ['busybox awk', ['/usr/bin/busybox', '/bin/busybox']],
];

const children: ChildProcess[] = [];
const binDirs: string[] = [];
const cgroupDirs: string[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of binDirs) rmSync(d, { recursive: true, force: true });
  for (const dir of cgroupDirs) {
    for (let i = 0; i < 50; i++) {
      try {
        rmdirSync(dir);
        break;
      } catch {
        spawnSync('sleep', ['0.05']);
      }
    }
  }
});

/** A directory whose `awk` is the given one, first on PATH. */
function pathWithAwk(binary: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'procscope-awk-'));
  binDirs.push(dir);
  // busybox runs the applet its argv[0] names
  symlinkSync(binary, join(dir, 'awk'));
  return `${dir}:${process.env.PATH}`;
}

let longLived: number[] = [];

/** A process's start time (field 22 of stat) as the kernel has it now; null once it is gone. */
function startTicksNow(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return null;
  }
}
beforeAll(async () => {
  for (let i = 0; i < 20; i++) children.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
  // Short-lived processes, all the time: each lives for a fraction of a millisecond.
  for (let i = 0; i < 4; i++) children.push(spawn('/bin/sh', ['-c', 'while :; do /bin/true; done'], { stdio: 'ignore' }));
  longLived = children.slice(0, 20).map((c) => c.pid!);
  await new Promise((r) => setTimeout(r, 300));
});

for (const [label, candidates] of AWKS) {
  const binary = candidates.find((c) => existsSync(c));
  const usable = binary !== undefined && spawnSync(binary, binary.endsWith('busybox') ? ['awk', 'BEGIN{}'] : ['BEGIN{}']).status === 0;
  if (!usable) console.warn(`SKIP churn under ${label}: not installed (${candidates.join(', ')})`);

  describe.skipIf(!usable)(`churning processes under ${label}`, () => {
    it('reports no live process as exited, over many refreshes', async () => {
      const session = localSession(['env', `PATH=${pathWithAwk(binary!)}`, '/bin/sh', '-s']);
      let snapshot = await collectSnapshot(session);
      for (const pid of longLived) expect(snapshot.processes.some((p) => p.pid === pid), `pid ${pid} in the full snapshot`).toBe(true);
      let refreshes = 0;
      for (let i = 0; i < 8; i++) {
        const delta = await refreshSnapshot(session, snapshot);
        refreshes++;
        const wronglyGone = longLived.filter((pid) => delta.removed.includes(pid));
        expect(wronglyGone, `refresh ${i}: live pids reported exited`).toEqual([]);
        // Every process the previous view had and the kernel still has (the same pid and start time, so it lived
        // through the refresh) is kept. Other suites start and end thousands of processes meanwhile: only this counts.
        const wronglyRemoved = snapshot.processes.filter((p) => delta.removed.includes(p.pid) && startTicksNow(p.pid) === p.startTicks).map((p) => p.pid);
        expect(wronglyRemoved, `refresh ${i}: processes still running reported exited`).toEqual([]);
        const { applyDelta } = await import('../shared/snapshot/refresh');
        snapshot = applyDelta(snapshot, delta);
      }
      expect(refreshes).toBe(8);
    }, 180_000);

    it('reads the cgroup.procs of every cgroup that holds a process, however many exit meanwhile', async () => {
      const root = cgroup2Root();
      if (!root || process.getuid?.() !== 0) {
        console.warn('SKIP cgroup.procs under churn: needs root and a cgroup2 mount');
        return;
      }
      if (cgroupDirs.length === 0) {
        // Ten cgroups whose processes start among the churn's, so their pids sort between short-lived ones:
        // an awk that stops at the first vanished file misses some of them on nearly every run.
        for (let i = 0; i < 10; i++) {
          const dir = join(root, `procscope-churn-${process.pid}-${i}`);
          mkdirSync(dir);
          cgroupDirs.push(dir);
          children.push(spawn('/bin/sh', ['-c', 'echo $$ > "$CG/cgroup.procs" && exec sleep 600'], { env: { ...process.env, CG: dir }, stdio: 'ignore' }));
          await new Promise((r) => setTimeout(r, 30));
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      const session = localSession(['env', `PATH=${pathWithAwk(binary!)}`, '/bin/sh', '-s']);
      for (let i = 0; i < 6; i++) {
        const run = await runCollector(session, {});
        const out = parseCollectOutput(run.reply.stdout, run.reply.stderr, run.nonce);
        const missed = cgroupDirs.filter((d) => !out.files.has(`${d}/cgroup.procs`));
        expect(missed, `run ${i}: cgroup.procs not read`).toEqual([]);
      }
    }, 180_000);

    it('marks a process that exited during the read instead of showing an empty fd table as read', async () => {
      // The victim is alive for the first read and killed as the collector starts on the namespace links (a find
      // on PATH that does it first): exactly the process that exits between the process list and its fd table.
      const victim = spawn('sleep', ['600'], { stdio: 'ignore' });
      const shims = mkdtempSync(join(tmpdir(), 'procscope-kill-'));
      binDirs.push(shims);
      const pidFile = join(shims, 'victim.pid');
      writeFileSync(pidFile, String(victim.pid));
      const realFind = spawnSync('sh', ['-c', 'command -v find'], { encoding: 'utf8' }).stdout.trim();
      writeFileSync(join(shims, 'find'), `#!/bin/sh\ncase "$*" in */ns*) if [ -s "$VICTIM" ]; then kill -9 "$(cat "$VICTIM")"; : > "$VICTIM"; fi;; esac\nexec ${realFind} "$@"\n`, { mode: 0o755 });
      try {
        const session = localSession(['env', `PATH=${shims}:${pathWithAwk(binary!)}`, `VICTIM=${pidFile}`, '/bin/sh', '-s']);
        const snapshot = await collectSnapshot(session);
        expect(readFileSync(pidFile, 'utf8'), 'the victim was killed mid-read').toBe('');
        const gone = snapshot.processes.find((p) => p.pid === victim.pid);
        expect(gone, 'the victim, read by the first part').toBeDefined();
        expect(gone).toMatchObject({ exitedDuringRead: true, fds: null, fdError: expect.stringMatching(/^exited during the read/) });
        expect(snapshot.errors).toContainEqual(expect.objectContaining({ pid: victim.pid, part: 'fd', kind: 'not-found' }));
        for (const pid of longLived) expect(snapshot.processes.find((p) => p.pid === pid)?.exitedDuringRead, `live pid ${pid}`).toBeUndefined();
        // The partial view counts what was hidden from this login, not what exited.
        const hidden = snapshot.processes.filter((p) => !p.exitedDuringRead && (p.fds === null || p.namespacesError !== undefined));
        expect(snapshot.node.partial?.processes ?? 0).toBe(hidden.length);
        expect(hidden.map((p) => p.pid)).not.toContain(victim.pid);
      } finally {
        victim.kill('SIGKILL');
      }
    }, 180_000);
  });
}
