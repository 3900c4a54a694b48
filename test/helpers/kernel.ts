/** What the kernel itself says about a pid, read straight from /proc, to compare snapshots against. */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { expect } from 'vitest';
import { encodeBytes } from '../../shared/bytes';
import type { Snapshot, SnapshotProcess } from '../../shared/snapshot/types';
import type { OddProcess } from './odd-process';

export function kernelView(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const field = (key: string) => new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '';
  const nsDir = `/proc/${pid}/ns`;
  const namespaces: Record<string, number> = {};
  for (const type of readdirSync(nsDir)) {
    namespaces[type] = Number(/\[(\d+)\]/.exec(readlinkSync(`${nsDir}/${type}`))![1]);
  }
  const fdDir = `/proc/${pid}/fd`;
  const fds = readdirSync(fdDir)
    .map(Number)
    .sort((a, b) => a - b)
    .map((fd) => ({ fd, target: readlinkSync(`${fdDir}/${fd}`, { encoding: 'buffer' }) }));
  return {
    ppid: Number(field('PPid')),
    uid: Number(field('Uid').split(/\s+/)[0]),
    comm: readFileSync(`/proc/${pid}/comm`).subarray(0, -1),
    cmdline: readFileSync(`/proc/${pid}/cmdline`),
    exe: readlinkSync(`/proc/${pid}/exe`, { encoding: 'buffer' }),
    namespaces,
    fds,
  };
}

const bytesOf = (s: string) => Buffer.from(encodeBytes(s));

/** Asserts that the snapshot's view of `pid` is the kernel's, byte for byte. */
export function expectProcessMatchesKernel(proc: SnapshotProcess | undefined, pid: number): SnapshotProcess {
  expect(proc, `pid ${pid} is in the snapshot`).toBeDefined();
  const k = kernelView(pid);
  expect(proc!.ppid).toBe(k.ppid);
  expect(proc!.uid).toBe(k.uid);
  expect(bytesOf(proc!.name).equals(k.comm), `name ${JSON.stringify(proc!.name)} is comm`).toBe(true);
  const argvBytes = Buffer.concat(proc!.cmdline.map((a) => Buffer.concat([bytesOf(a), Buffer.from([0])])));
  expect(argvBytes.equals(k.cmdline), 'argv byte for byte').toBe(true);
  expect(bytesOf(proc!.exe!).equals(k.exe)).toBe(true);
  expect(proc!.namespaces).toEqual(k.namespaces);
  // Threads: a node process has several; listed whether the collector globbed them or knew there was one.
  expect(proc!.tids).toEqual(readdirSync(`/proc/${pid}/task`).map(Number).sort((a, b) => a - b));
  expect(proc!.children).toEqual(readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number)).sort((a, b) => a - b));
  expect(proc!.fds).not.toBeNull();
  expect(proc!.fds!.map((f) => f.fd)).toEqual(k.fds.map((f) => f.fd));
  proc!.fds!.forEach((f, i) => expect(bytesOf(f.target).equals(k.fds[i]!.target), `fd ${f.fd} target`).toBe(true));
  return proc!;
}

/** Asserts the odd process's sockets are all in the snapshot, held by it, with the right addresses. */
export function expectOddSockets(snapshot: Snapshot, odd: OddProcess): void {
  const proc = snapshot.processes.find((p) => p.pid === odd.pid)!;
  const held = new Set(proc.fds!.filter((f) => f.socketInode !== undefined).map((f) => f.socketInode));
  const find = (proto: string, local: string | RegExp, state: string) => {
    const matches = (x: string) => (typeof local === 'string' ? x === local : local.test(x));
    const s = snapshot.sockets.find((x) => x.proto === proto && matches(x.local) && x.state === state);
    expect(s, `${proto} ${local} ${state}`).toBeDefined();
    expect(s!.pids).toContain(odd.pid);
    expect(held.has(s!.inode)).toBe(true);
    expect(s!.netns).toBe(proc.namespaces.net);
    return s!;
  };
  find('tcp', `127.0.0.1:${odd.ports.tcp4}`, 'LISTEN');
  find('tcp6', `[::1]:${odd.ports.tcp6}`, 'LISTEN');
  find('udp', `127.0.0.1:${odd.ports.udp4}`, 'UNCONN');
  find('udp6', `[::1]:${odd.ports.udp6}`, 'UNCONN');
  find('unix', odd.unixPath, 'LISTEN');
  // Node binds abstract names with the whole sun_path, so the kernel shows the padding NULs as '@'.
  find('unix', new RegExp(`^@${odd.abstractName}@*$`), 'LISTEN');
  const clientEnd = find('tcp', `127.0.0.1:${odd.ports.clientPort}`, 'ESTAB');
  expect(clientEnd.remote).toBe(`127.0.0.1:${odd.ports.tcp4}`);
  const serverEnd = find('tcp', `127.0.0.1:${odd.ports.tcp4}`, 'ESTAB');
  expect(clientEnd.peerInode).toBe(serverEnd.inode);
  expect(serverEnd.peerInode).toBe(clientEnd.inode);
  const fileFd = proc.fds!.find((f) => f.fd === odd.fileFd);
  expect(fileFd?.target).toBe(odd.filePath);
}

/** A process's argv as the kernel has it now (latin1: bytes kept), or null once it is gone. */
function argvOf(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').slice(0, -1);
  } catch {
    return null;
  }
}

/**
 * Waits until the kernel shows the process running what the test started (its exec done, its argv set):
 * a spawn returns before that, and a snapshot taken in between sees the parent's argv.
 */
export async function untilArgv(pid: number | undefined, ready: (argv: string[]) => boolean, timeoutMs = 10_000): Promise<void> {
  await until(() => {
    const argv = argvOf(pid ?? -1);
    if (argv === null) throw new Error(`pid ${pid} is gone`);
    return ready(argv) || `pid ${pid} still runs ${JSON.stringify(argv)}`;
  }, timeoutMs);
}

/** Polls a condition of the kernel's state until it holds (true), or fails with the last reason it gave. */
export async function until(check: () => true | string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = check();
    if (result === true) return;
    if (Date.now() > deadline) throw new Error(`timed out: ${result}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The pids whose /proc/<pid>/status satisfies `test`; a process that exits during the scan is no match. */
export function pidsWhereStatus(test: (status: string) => boolean): string[] {
  return readdirSync('/proc').filter((p) => {
    if (!/^\d+$/.test(p)) return false;
    try {
      return test(readFileSync(`/proc/${p}/status`, 'latin1'));
    } catch {
      return false;
    }
  });
}
