/** The collector against this machine's live /proc, through /bin/sh (target "local"). */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBytes } from '../shared/bytes';
import type { Snapshot } from '../shared/snapshot/types';
import { collectSnapshot } from '../electron/engine/collect';
import { localSession } from '../electron/engine/session';
import { expectOddSockets, expectProcessMatchesKernel, untilArgv } from './helpers/kernel';
import { type OddProcess, ODD_ARGV, ODD_COMM, startOddProcess } from './helpers/odd-process';
import { schemaErrors } from './helpers/schema';
import { makeTempDir } from './helpers/sshd';

describe('local snapshot of the live kernel', () => {
  let dir: string;
  let odd: OddProcess;
  let snapshot: Snapshot;

  beforeAll(async () => {
    dir = makeTempDir('live');
    odd = await startOddProcess(dir);
    snapshot = await collectSnapshot(localSession());
  });
  afterAll(() => {
    odd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates against the schema', () => {
    expect(schemaErrors(snapshot)).toEqual([]);
    expect(snapshot.node.target).toBe('local');
    expect(snapshot.processes.length).toBeGreaterThan(5);
  });

  it('reports the odd process as the kernel does: name, argv, exe, namespaces, fds', () => {
    const proc = expectProcessMatchesKernel(snapshot.processes.find((p) => p.pid === odd.pid), odd.pid);
    expect(proc.name).toBe(ODD_COMM);
    expect(proc.cmdline.slice(2)).toEqual(ODD_ARGV);
    expect(proc.ppid).toBe(process.pid);
    expect(proc.user).toBe('root');
  });

  it('joins its sockets by inode: TCP and UDP on v4 and v6, unix path and abstract, both ends of a connection', () => {
    expectOddSockets(snapshot, odd);
  });

  it('groups processes by namespace and lists this process in them', () => {
    const me = snapshot.processes.find((p) => p.pid === process.pid)!;
    for (const [type, inode] of Object.entries(me.namespaces)) {
      if (type.endsWith('_for_children')) continue;
      const ns = snapshot.namespaces.find((n) => n.type === type && n.inode === inode);
      expect(ns?.pids).toContain(process.pid);
    }
  });

  it('keeps argv bytes that are not UTF-8', async () => {
    const bad = Buffer.from([0xff, 0xfe, 0x78, 0x0a, 0x80]);
    // The inner sh carries the raw bytes in its argv; node cannot pass them itself.
    const child = spawn('/bin/sh', ['-c', `exec /bin/sh -c 'sleep 60; :' "$(printf '\\377\\376x\\n\\200')"`]);
    try {
      await untilArgv(child.pid, (argv) => argv[2] === 'sleep 60; :');
      const snap = await collectSnapshot(localSession());
      const proc = snap.processes.find((p) => p.pid === child.pid)!;
      expect(proc.cmdline.slice(0, 3)).toEqual(['/bin/sh', '-c', 'sleep 60; :']);
      expect(Buffer.from(encodeBytes(proc.cmdline[3]!))).toEqual(bad);
      expect(JSON.parse(JSON.stringify(proc.cmdline))).toEqual(proc.cmdline);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('records a process that exits mid-collection as an error, not a failure', async () => {
    // Short-lived processes come and go while the collector runs: one that was listed and then gone is an
    // "exited" entry in errors, no process row, and the kernel agrees it is gone; none may fail the snapshot.
    // Sleeps of 20 to 200 ms: long enough to be listed, short enough to be gone before their files are read.
    const churn = ['0.02', '0.07', '0.2'].map((s) => spawn('/bin/sh', ['-c', `while :; do /bin/sleep ${s} & /bin/sleep 0.01; done`]));
    try {
      const exited: { pid: number; listed: boolean; readAtTicks: number }[] = [];
      // Chance decides which snapshot catches one; a busy machine slows both sides, so the bound is time, not tries.
      const until = Date.now() + 60_000;
      while (exited.length === 0 && Date.now() < until) {
        const snap = await collectSnapshot(localSession());
        expect(schemaErrors(snap)).toEqual([]);
        // The node's clock when the collector read /proc/uptime, at its start, in clock ticks as stat counts them.
        const readAtTicks = (snap.node.uptimeSec ?? 0) * (snap.node.clockTicks ?? 100);
        for (const e of snap.errors) {
          const m = /^pid (\d+)$/.exec(e.scope);
          if (m && /^exited during collection/.test(e.message)) exited.push({ pid: Number(m[1]), listed: snap.processes.some((p) => p.pid === Number(m[1])), readAtTicks });
        }
      }
      expect(exited.length, 'no process of the churn exited mid-read in 60 s of snapshots').toBeGreaterThan(0);
      for (const { pid, listed, readAtTicks } of exited) {
        expect(listed, `pid ${pid} both exited and listed`).toBe(false);
        const stat = (() => {
          try {
            return readFileSync(`/proc/${pid}/stat`, 'latin1');
          } catch {
            return null;
          }
        })();
        // Gone, or its pid already taken by a process that started after the collector did (any process of a
        // shared machine may take it): never the process that was reported exited.
        const startTicks = stat === null ? null : Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
        expect(startTicks === null || startTicks >= readAtTicks - 1, `pid ${pid} is still the process that started at tick ${startTicks}`).toBe(true);
      }
    } finally {
      for (const c of churn) c.kill('SIGKILL');
    }
  }, 120_000);
});
