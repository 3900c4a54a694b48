/**
 * The collector's two framings give the same snapshot: head's proven headers (the fast path) and the nonce
 * separators it falls back to when a proof fails. Run on a fixed set of processes in a pid namespace of their
 * own, so that nothing but the collector itself changes between the two runs; children, which are derived from
 * ppids rather than read, are checked against the kernel's own children files.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCollectScript } from '../shared/collect/script';
import { PENDING_AFTER_FIRST_READ, type Snapshot, type SnapshotProcess } from '../shared/snapshot/types';
import { collectFirstRead, collectSnapshot, refreshSnapshot } from '../electron/engine/collect';
import { applyDelta } from '../shared/snapshot/refresh';
import { type NodeSession, localSession } from '../electron/engine/session';
import { pidsWhereStatus, until } from './helpers/kernel';
import { ODD_TREE } from './helpers/odd-tree';
import { makeTempDir } from './helpers/sshd';
import { schemaErrors } from './helpers/schema';

const isRoot = process.getuid?.() === 0;
const why = !isRoot ? 'needs root for a pid namespace' : spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status !== 0 ? 'unshare --pid --mount-proc fails here' : null;
if (why) console.warn(`SKIP collector equivalence: ${why}`);

describe.skipIf(why !== null)('the collector, through either framing', () => {
  let holder: ChildProcess;
  let dir: string;
  let inside: (extraPath?: string) => NodeSession;
  /** the host pid of the namespace's pid 1 */
  let init: string;
  beforeAll(async () => {
    dir = makeTempDir('equivalence');
    holder = spawn('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', ODD_TREE, 'tree', join(dir, 'files')], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let out = '';
    holder.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    await until(() => out.includes('ready') || 'the tree is not ready');
    // The namespace's pid 1: unshare's forked child.
    init = pidsWhereStatus((status) => status.match(/^PPid:\s+(\d+)$/m)?.[1] === String(holder.pid))[0]!;
    inside = (extraPath) => localSession(['nsenter', '-t', init, '-p', '-m', ...(extraPath ? ['env', `PATH=${extraPath}:${process.env.PATH}`] : []), 'sh', '-s']);
  });
  afterAll(() => {
    if (holder?.pid) process.kill(-holder.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** The snapshot less what differs between two runs on an unchanged node: the collector's own processes, times and clocks. */
  function stable(snap: Snapshot) {
    const collector = new Set(snap.processes.filter((p) => p.collector).map((p) => p.pid));
    const ownSockets = new Set(snap.sockets.filter((x) => x.pids.some((pid) => !collector.has(pid))).map((x) => x.inode));
    return {
      hostNamespaces: snap.node.hostNamespaces,
      processes: snap.processes
        .filter((p) => !collector.has(p.pid))
        .map(({ cpuTicks: _t, cpuPercent: _c, rssKb: _r, ...p }) => ({ ...p, children: (p.children ?? []).filter((c) => !collector.has(c)) })),
      // The namespace has the host's network: only the sockets of its own processes are fixed.
      sockets: snap.sockets.map(({ pids, ...s }) => ({ ...s, pids: pids.filter((p) => !collector.has(p)) })).filter((s) => s.pids.length > 0),
      containers: snap.containers,
      // Namespaces its own processes are in: a network namespace with no process here is a bind mount of the
      // host's, which other suites add and delete (ip netns) between two runs.
      namespaces: snap.namespaces.map((n) => ({ ...n, pids: n.pids.filter((p) => !collector.has(p)) })).filter((n) => n.pids.length > 0),
      // Errors of the namespace's own processes, and of its own sockets: the network is the host's, where other
      // suites bind thousands of unix sockets while the table is read (a socket bound mid-read shows twice).
      errors: snap.errors.filter((e) => {
        if (e.scope.startsWith('socket ')) return ownSockets.has(Number(e.scope.slice('socket '.length)));
        return !/^pid (\d+)/.test(e.scope) || !collector.has(Number(/^pid (\d+)/.exec(e.scope)![1]));
      }),
    };
  }

  it('gives the same snapshot with proven head headers and with the nonce framing', async () => {
    // A head without -v prints no headers: no section can be proven, and every process file is read again.
    const noHeaders = join(dir, 'bin');
    spawnSync('mkdir', ['-p', noHeaders]);
    const realHead = spawnSync('sh', ['-c', 'command -v head'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(noHeaders, 'head'), `#!/bin/sh\n[ "$1" = -v ] && shift\nexec '${realHead}' -q "$@"\n`, { mode: 0o755 });
    // Runs of scripts, counted: the forged header in an argv makes the fast path read the cmdlines again.
    let runs = 0;
    const session = inside();
    const progress: number[] = [];
    const fast = await collectSnapshot({ ...session, runScript: (...args) => (runs++, session.runScript(...args)) }, { onProgress: (b) => progress.push(b) });
    expect(runs).toBe(2);
    // The reread's bytes count on from the first run's: the byte count never goes back.
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const fallback = await collectSnapshot(inside(noHeaders));
    expect(fast.processes.length).toBeGreaterThanOrEqual(7);
    // Both give the argv with the forged header back whole.
    expect(fast.processes.some((p) => p.cmdline[0] === 'x\n==> /proc/1/cmdline <==\ny')).toBe(true);
    expect(fast.processes.some((p) => p.name === 'sleep' && p.cmdline[0] === 'odd\nname')).toBe(true);
    expect(stable(fallback)).toEqual(stable(fast));
    // Parsed while the reply still arrives (the CLI's way), the same again.
    const early = await collectSnapshot(inside(), { inline: true });
    expect(stable(early)).toEqual(stable(fast));
    // A fleet question's lean read leaves out the cgroup.procs cross-check and the uts hostnames, and sees the same
    // processes, sockets and namespaces. (Its reply's size is no test: the network tables are the host's, which
    // other suites change between two runs.)
    const nonce = randomBytes(16).toString('hex');
    const [full, leanScript, noSockets] = [buildCollectScript(nonce), buildCollectScript(nonce, { lean: { sockets: true } }), buildCollectScript(nonce, { lean: { sockets: false } })];
    for (const part of ['/cgroup.procs"', 'mark uts']) {
      expect(full).toContain(part);
      expect(leanScript).not.toContain(part);
      expect(noSockets).not.toContain(part);
    }
    // It reads no /proc/<pid>/io either (no question asks about I/O), and says so.
    const withoutIo = (snap: Snapshot) => ({ ...stable(snap), processes: stable(snap).processes.map(({ io: _io, ...p }) => p) });
    const lean = await collectSnapshot(inside(), { lean: { sockets: true } });
    expect(lean.node.unreadFiles).toEqual(['io']);
    expect(lean.processes.filter((p) => p.io !== undefined)).toEqual([]);
    expect(withoutIo(lean)).toEqual(withoutIo(fast));
    // A question that is not about a port reads no network tables and no fd tables: the same processes otherwise.
    for (const part of ['/net/tcp"', 'mark netns', 'mark ssx', '/fd%c']) {
      expect(full).toContain(part);
      expect(noSockets).not.toContain(part);
    }
    const withoutSockets = await collectSnapshot(inside(), { lean: { sockets: false } });
    expect(withoutSockets.sockets).toEqual([]);
    const withoutFds = (snap: Snapshot) => ({ ...stable(snap), processes: stable(snap).processes.map(({ fds: _f, fdError: _e, io: _io, ...p }) => p), sockets: [], errors: [] });
    expect(withoutFds(withoutSockets)).toEqual(withoutFds(fast));
    expect(withoutSockets.processes.find((p) => p.name === 'sleep' && p.cmdline[0] === 'odd\nname')?.exe).toBe(fast.processes.find((p) => p.name === 'sleep' && p.cmdline[0] === 'odd\nname')?.exe);
  });

  /** What a first read carries of a process: everything but what PENDING_AFTER_FIRST_READ names, and the clocks. */
  const firstReadFields = ({ pid, ppid, name, state, uid, euid, gid, user, threads, cmdline, nspid, cgroups, startTicks, startedAt, nice, priority, containerId }: SnapshotProcess) =>
    ({ pid, ppid, name, state, uid, euid, gid, user, threads, cmdline, nspid, cgroups, startTicks, startedAt, nice, priority, containerId });

  it.each([false, true])("shows a first read whose processes are the full read's, field for field, before the rest arrives (gzip %s)", async (compress) => {
    const firsts: Snapshot[] = [];
    let fullDone = false;
    let firstBeforeFull = false;
    const full = await collectSnapshot(inside(), {
      compress,
      onFirstRead: (s) => {
        firstBeforeFull = !fullDone;
        firsts.push(s);
      },
    });
    fullDone = true;
    expect(firsts).toHaveLength(1);
    expect(firstBeforeFull).toBe(true);
    const first = firsts[0]!;
    // The forged header in an argv leaves the command lines unproven: they are pending, not shown empty as if read.
    expect(first.node.pending).toEqual([...PENDING_AFTER_FIRST_READ, 'cmdline']);
    expect(full.node.pending).toBeUndefined();
    expect(schemaErrors(first)).toEqual([]);
    expect(first.node.hostname).toBe(full.node.hostname);
    expect(first.node.memory).toBeDefined();
    // Nothing of the rest is in it, and nothing of it pretends to be.
    expect(first.sockets).toEqual([]);
    expect(first.namespaces).toEqual([]);
    const keep = (snap: Snapshot) => snap.processes.filter((p) => !p.collector).map(firstReadFields);
    expect(keep(first).length).toBeGreaterThanOrEqual(7);
    expect(keep(first).map(({ cmdline: _c, ...p }) => p)).toEqual(keep(full).map(({ cmdline: _c, ...p }) => p));
    // procscope ps reads the first read alone: the same processes.
    const ps = await collectFirstRead(inside(), { compress });
    expect(keep(ps)).toEqual(keep(full));
    expect(ps.node.pending).toBeUndefined();
  });

  it('finds nothing new on a node where nothing starts: the collector\'s own shells and its gzip are not new processes', async () => {
    for (const compress of [true, false]) {
      const session = inside();
      let snap = await collectSnapshot(session);
      for (let i = 0; i < 3; i++) {
        const delta = await refreshSnapshot(session, snap, { compress });
        expect(delta.added.map((p) => `${p.pid} ${p.name} ${p.cmdline.join(' ')}`), `refresh ${i}, gzip ${compress}`).toEqual([]);
        expect(delta.removed.filter((pid) => !snap.processes.find((p) => p.pid === pid)?.collector)).toEqual([]);
        snap = applyDelta(snap, delta);
      }
    }
  });

  it("leaves alone the temporary directory of a run in another pid namespace, whose pid it cannot see", async () => {
    const tmp = join(dir, 'tmp');
    spawnSync('mkdir', ['-p', tmp]);
    const entries = () => readdirSync(tmp).filter((n) => n.startsWith('procscope'));
    // A run on the host, held after it made its directory.
    const held = spawn('/bin/sh', ['-s'], { env: { ...process.env, TMPDIR: tmp }, stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    try {
      held.stdin!.end(buildCollectScript(randomBytes(16).toString('hex')).replace('\nmaketmp\n', '\nmaketmp\nsleep 30\n'));
      await until(() => entries().length === 1 || 'the held run has no directory yet');
      const live = entries()[0]!;
      // A run in the pid namespace, with the same TMPDIR: the host's pid is not in its /proc.
      const inside = localSession(['nsenter', '-t', init, '-p', '-m', 'env', `TMPDIR=${tmp}`, 'sh', '-s']);
      expect((await collectSnapshot(inside)).processes.length).toBeGreaterThan(3);
      expect(entries()).toContain(live);
    } finally {
      process.kill(-held.pid!, 'SIGKILL');
    }
  });

  it("derives children from ppids as the kernel's children files list them", async () => {
    const snap = await collectSnapshot(inside());
    const collector = new Set(snap.processes.filter((p) => p.collector).map((p) => p.pid));
    // The kernel's children files, read inside the namespace: pid -> children.
    const listed = spawnSync('nsenter', ['-t', init, '-p', '-m', 'sh', '-c', 'for d in /proc/[0-9]*; do printf "%s:" "${d#/proc/}"; cat "$d"/task/*/children 2>/dev/null; echo; done'], { encoding: 'utf8' }).stdout;
    const kernel = new Map(listed.split('\n').filter(Boolean).map((l) => [Number(l.split(':')[0]), l.split(':')[1]!.trim().split(/\s+/).filter(Boolean).map(Number).sort((a, b) => a - b)]));
    let compared = 0;
    for (const p of snap.processes) {
      if (collector.has(p.pid) || !kernel.has(p.pid)) continue;
      expect((p.children ?? []).filter((c) => !collector.has(c)), `children of ${p.pid}`).toEqual(kernel.get(p.pid)!.filter((c) => snap.processes.some((q) => q.pid === c && !collector.has(c))));
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(7);
    expect(snap.processes.find((p) => p.pid === 1)!.children?.length).toBeGreaterThanOrEqual(4);
  });
});
