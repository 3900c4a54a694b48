import { describe, expect, it } from 'vitest';
import type { CollectOutput, ProcessRecord } from '../collect/frame';
import { processFilePath } from '../collect/files';
import { fixture } from '../proc/fixtures';
import { assembleSnapshot } from './assemble';
import { partialView } from './partial';
import { schemaErrors } from './validate';

/** The reader's output, with the process files given among `files` moved to their process records, as frame.ts files them. */
function output(parts: Partial<CollectOutput>): CollectOutput {
  const files = new Map<string, Buffer>();
  const processes = new Map<number, ProcessRecord>();
  for (const [path, content] of parts.files ?? []) {
    const at = processFilePath(path);
    if (!at) {
      files.set(path, content);
      continue;
    }
    if (!processes.has(at[0])) processes.set(at[0], { files: {}, tids: [at[0]] });
    if (!parts.pathErrors?.has(path)) processes.get(at[0])!.files[at[1]] = content;
  }
  return { complete: true, firstReadComplete: true, noProc: null, noTmp: false, clockTicks: 100, selfPid: 10, collectorChain: [10], namespaces: [], links: new Map(), pathErrors: new Map(), otherErrors: [], cgroup2Mount: null, cgroupMounts: new Map(), nameLines: [], utsHostnames: new Map(), pageSize: 4096, uptimeSec: null, bootTimeSec: null, loadavg: null, overview: {}, compactStats: null, compactStatsCut: false, tmpFull: null, alive: null, mountedNetns: [], orphanNetTables: new Map(), ssUnix: new Map(), unproven: [], unprovenPaths: [], ...parts, files, processes };
}

const status = (pid: number, name: string) => Buffer.from(`Name:\t${name}\nState:\tS (sleeping)\nPid:\t${pid}\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nThreads:\t1\nNSpid:\t${pid}\n`);
const stat = (pid: number, name: string) => Buffer.from(`${pid} (${name}) S 1 ${pid} ${pid} 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 77 0 0\n`);
const proc = (pid: number, name: string): [string, Buffer][] => [
  [`/proc/${pid}/stat`, stat(pid, name)],
  [`/proc/${pid}/status`, status(pid, name)],
  [`/proc/${pid}/cmdline`, Buffer.from(`${name}\0`)],
  [`/proc/${pid}/cgroup`, Buffer.from('0::/\n')],
];
const meta = { target: 'local', collectedAt: new Date('2026-01-01T00:00:00Z') };

describe('assembleSnapshot', () => {
  it('joins fds to sockets by inode and lists every holder', () => {
    const snap = assembleSnapshot(
      output({
        files: new Map([...proc(10, 'a'), ...proc(11, 'b'), ['/proc/10/net/tcp', Buffer.from(fixture('net-tcp.txt'))], ['/etc/passwd', Buffer.from('root:x:0:0::/:/bin/sh\n')]]),
        namespaces: [{ pid: 10, type: 'net', inode: 4026531840 }, { pid: 11, type: 'net', inode: 4026531840 }],
        links: new Map([
          ['/proc/10/fd/3', `socket:[${firstTcpInode()}]`],
          ['/proc/11/fd/4', `socket:[${firstTcpInode()}]`],
          ['/proc/11/fd/5', '/tmp/x'],
        ]),
      }),
      meta,
    );
    expect(schemaErrors(snap)).toEqual([]);
    const sock = snap.sockets.find((s) => s.inode === firstTcpInode());
    expect(sock?.pids).toEqual([10, 11]);
    expect(sock?.netns).toBe(4026531840);
    expect(snap.processes.map((p) => [p.pid, p.user, p.cpuTicks])).toEqual([[10, 'root', 7], [11, 'root', 7]]);
    expect(snap.namespaces).toEqual([{ type: 'net', inode: 4026531840, pids: [10, 11], host: true, containerId: null, containerIds: [] }]);
  });

  it('turns a vanished pid, an unreadable fd table and denied fd links into errors, not failures', () => {
    const snap = assembleSnapshot(
      output({
        files: new Map([...proc(10, 'a'), ...proc(11, 'b'), ...proc(12, 'c'), [`/proc/13/cmdline`, Buffer.from('')]]),
        links: new Map([['/proc/12/fd/0', ''], ['/proc/12/fd/1', ''], ['/proc/10/exe', '']]),
        pathErrors: new Map([
          ['/proc/13/stat', 'No such file or directory'],
          ['/proc/11/fd', 'Permission denied'],
          ['/proc/12/fd/0', 'Permission denied'],
          ['/proc/10/exe', 'No such file or directory'],
        ]),
      }),
      meta,
    );
    expect(schemaErrors(snap)).toEqual([]);
    expect(snap.processes.map((p) => p.pid)).toEqual([10, 11, 12]);
    expect(snap.errors).toContainEqual({ scope: 'pid 13', message: 'exited during collection (No such file or directory)', pid: 13, kind: 'not-found', path: '/proc/13/stat' });
    const [a, b, c] = snap.processes;
    expect(a).toMatchObject({ exe: null, fds: [] });
    expect(b).toMatchObject({ fds: null, fdError: 'Permission denied' });
    expect(c).toMatchObject({ fds: null, fdError: 'Permission denied' });
    // A kernel thread's missing exe is not an error.
    expect(snap.errors.some((e) => e.scope === 'pid 10 exe')).toBe(false);
  });
});

describe('assembleSnapshot and zombies', () => {
  it('does not report the missing namespace links of a zombie; another process without them was exiting, and says so', () => {
    const zombieStat = Buffer.from('20 (gone) Z 1 20 20 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 50 0 0\n');
    const snap = assembleSnapshot(
      output({
        files: new Map([...proc(10, 'a'), ...proc(11, 'exiting'), [`/proc/20/stat`, zombieStat], [`/proc/20/status`, status(20, 'gone')]]),
        pathErrors: new Map([
          ['/proc/20/ns/net', 'No such file or directory'],
          ['/proc/11/ns/net', 'No such file or directory'],
        ]),
      }),
      meta,
    );
    expect(snap.processes.find((p) => p.pid === 20)?.state).toBe('Z');
    // The kernel gives ENOENT for a task's namespace links only once it is exiting (its nsproxy released).
    expect(snap.processes.find((p) => p.pid === 11)).toMatchObject({ exitedDuringRead: true, namespacesError: 'exited during the read: its namespaces were not read' });
    expect(snap.errors.map((e) => [e.pid, e.part, e.message])).toEqual([
      [11, 'fd', 'exited during the read: its open files were not read'],
      [11, 'ns', 'exited during the read: its namespaces were not read'],
    ]);
    expect(snap.node.partial).toBeUndefined();
  });

  it("takes a missing pid_for_children as the kernel's answer before a new pid namespace's first child", () => {
    const snap = assembleSnapshot(output({ files: new Map(proc(10, 'a')), pathErrors: new Map([['/proc/10/ns/pid_for_children', 'No such file or directory']]) }), meta);
    expect(snap.errors).toEqual([]);
    expect(snap.processes[0]!.namespacesError).toBeUndefined();
  });
});

describe('assembleSnapshot as a login that cannot read everything', () => {
  it('says which namespace links it could not read, and marks the view partial with the way out', () => {
    const denied = 'Permission denied';
    const snap = assembleSnapshot(
      output({
        // the collector (pid 10) runs as uid 1000
        files: new Map([...proc(10, 'mine'), ['/proc/10/status', Buffer.from(status(10, 'mine').toString().replace('Uid:\t0\t0', 'Uid:\t1000\t1000'))], ...proc(11, 'theirs')]),
        namespaces: [{ pid: 10, type: 'net', inode: 4026531840 }, { pid: 10, type: 'mnt', inode: 4026531841 }],
        pathErrors: new Map([
          ['/proc/11/ns/net', denied],
          ['/proc/11/ns/mnt', denied],
          ['/proc/11/fd', denied],
        ]),
      }),
      meta,
    );
    const theirs = snap.processes.find((p) => p.pid === 11)!;
    expect(theirs.namespaces).toEqual({});
    expect(theirs.namespacesError).toBe('mnt, net: Permission denied');
    expect(snap.errors).toContainEqual({ scope: 'pid 11 ns', message: 'mnt, net: Permission denied', pid: 11, part: 'ns', kind: 'permission-denied', path: '/proc/11/ns' });
    expect(snap.node.partial).toMatchObject({ processes: 1, namespacesUnreadable: 1, fdsUnreadable: 1 });
    expect(snap.node.partial!.hint).toMatch(/--sudo/);
    expect(snap.node.readerEuid).toBe(1000);
    expect(schemaErrors(snap)).toEqual([]);
  });

  it('does not suggest sudo to root, whom a sandbox or security policy denies', () => {
    const files = new Map([...proc(10, 'sh'), ...proc(11, 'init')]);
    const snap = assembleSnapshot(output({ files, selfPid: 10, pathErrors: new Map([['/proc/11/fd', 'Permission denied']]) }), meta);
    expect(snap.node.partial?.fdsUnreadable).toBe(1);
    expect(snap.node.partial?.hint).toMatch(/^Read as root: /);
    expect(snap.node.partial?.hint).not.toMatch(/sudo/);
    // A refresh judges from what the full read found: still root, still no "use sudo".
    expect(partialView(snap.processes, snap.node).partial?.hint).toMatch(/^Read as root: /);
  });

  it('marks a process gone by the end of the read: its empty fd table unread, and no partial view for it', () => {
    const files = new Map([...proc(10, 'sh'), ...proc(11, 'quick'), ...proc(12, 'stays')]);
    const snap = assembleSnapshot(output({ files, selfPid: 10, alive: new Set([10, 12]), pathErrors: new Map([['/proc/11/fd', 'No such file or directory']]) }), meta);
    const quick = snap.processes.find((p) => p.pid === 11)!;
    expect(quick).toMatchObject({ exitedDuringRead: true, fds: null, fdError: 'exited during the read: its open files were not read' });
    expect(snap.errors).toContainEqual(expect.objectContaining({ pid: 11, part: 'fd', kind: 'not-found' }));
    const stays = snap.processes.find((p) => p.pid === 12)!;
    expect(stays.exitedDuringRead).toBeUndefined();
    expect(stays.fds).toEqual([]);
    expect(snap.node.partial).toBeUndefined();
    expect(schemaErrors(snap)).toEqual([]);
  });

  it('is not partial when everything was read', () => {
    const snap = assembleSnapshot(output({ files: new Map(proc(10, 'a')), namespaces: [{ pid: 10, type: 'net', inode: 1 }] }), meta);
    expect(snap.node.partial).toBeUndefined();
  });
});

describe('assembleSnapshot and CPU%', () => {
  it('never shows more than 100% per thread, even for a process that started an instant ago', () => {
    // started at tick 9999 of 100 Hz, read at uptime 100.0 s: 0.01 s alive with 3 ticks of CPU would be 300%
    const young = Buffer.from('10 (sh) R 1 10 10 0 -1 0 0 0 0 0 2 1 0 0 20 0 1 0 9999 0 0\n');
    const snap = assembleSnapshot(output({ files: new Map([...proc(10, 'sh'), ['/proc/10/stat', young]]), uptimeSec: 100.0 }), meta);
    expect(snap.processes[0]!.cpuPercent).toBe(100);
  });

  it("marks the collector's own shell, its children, and the shells that run it", () => {
    const files = new Map([...proc(1, 'init'), ...proc(50, 'sshd'), ...proc(60, 'sh'), ...proc(61, 'sh'), ...proc(62, 'cat')]);
    const withParent = (pid: number, ppid: number, name: string) => Buffer.from(`${pid} (${name}) S ${ppid} ${pid} ${pid} 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 77 0 0\n`);
    files.set('/proc/50/stat', withParent(50, 1, 'sshd'));
    files.set('/proc/60/stat', withParent(60, 50, 'sh'));
    files.set('/proc/61/stat', withParent(61, 60, 'sh'));
    files.set('/proc/62/stat', withParent(62, 61, 'cat'));
    const snap = assembleSnapshot(output({ files, selfPid: 61 }), meta);
    expect(snap.processes.filter((p) => p.collector).map((p) => p.pid)).toEqual([60, 61, 62]);
  });
});

function firstTcpInode(): number {
  const line = fixture('net-tcp.txt').split('\n')[1]!;
  return Number(line.trim().split(/\s+/)[9]);
}
