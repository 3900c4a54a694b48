/** Turns what the collect script read (frame.ts) into a snapshot: processes, their fds joined to sockets by inode, namespaces. */
import { cgroupPathsOf, readContainerResources } from '../containers/resources';
import { overviewFields } from '../proc/overview';
import { decodeBytes } from '../bytes';
import type { CollectOutput, ProcessRecord } from '../collect/frame';
import { NET_TABLES } from '../collect/script';
import { parseNameSources } from '../containers/names';
import { findCgroup2Mount, parseMountinfo } from '../proc/mountinfo';
import { endpointKey, parseNetInet } from '../proc/net-inet';
import { parseNetUnix } from '../proc/net-unix';
import { type SsUnixRow, parseSsUnix, unixPeers } from '../proc/ss-unix';
import { parsePasswd } from '../proc/passwd';
import { deriveRelations, lifetimeCpuPercent, markCollector, startedAtOf } from './derive';
import { partialView } from './partial';
import { ParseCache } from './early-parse';
import { collectFdsOf } from './fd-tables';
import { nodeError, processError } from './errors';
import {
  SNAPSHOT_FORMAT,
  type Snapshot,
  type SnapshotError,
  type SnapshotFd,
  type SnapshotProcess,
  type SnapshotSocket,
} from './types';

export interface SnapshotMeta {
  target: string;
  collectedAt: Date;
  durationMs?: number;
  viaSudo?: boolean;
  /** the root the name sources were read under ('' on a real node) */
  namesRoot?: string;
  /** optional process files this read left out (no column asked for them) */
  unreadFiles?: string[];
}

function nodeFile(out: CollectOutput, path: string): string {
  const buf = out.files.get(path);
  return buf ? decodeBytes(buf).trim() : '';
}

export function collectFds(out: CollectOutput): Map<number, SnapshotFd[]> {
  return collectFdsOf(out.links);
}

/** Why the fd table of a pid could not be read: the directory, or its links one by one (a listable fd/ whose links are denied). */
export function fdTableError(pid: number, out: CollectOutput): string | undefined {
  return fdTableErrors(out).get(pid);
}

const fdErrorCache = new WeakMap<CollectOutput, Map<number, string>>();

/** pid -> why its fd table could not be read, computed once per output. */
function fdTableErrors(out: CollectOutput): Map<number, string> {
  let errors = fdErrorCache.get(out);
  if (errors) return errors;
  errors = new Map();
  for (const [path, message] of out.pathErrors) {
    const m = /^\/proc\/(\d+)\/fd(?:\/\d+)?$/.exec(path);
    if (!m || /No such file/i.test(message)) continue;
    const pid = Number(m[1]);
    // The directory's own error wins over its links'.
    if (!errors.has(pid) || path.endsWith('/fd')) errors.set(pid, message);
  }
  fdErrorCache.set(out, errors);
  return errors;
}

function linkOrNull(out: CollectOutput, path: string): string | null {
  const target = out.links.get(path);
  return target === undefined || target === '' ? null : target;
}

function buildProcess(
  pid: number,
  record: ProcessRecord,
  out: CollectOutput,
  ctx: { users: Map<number, string>; fds: Map<number, SnapshotFd[]>; namespaces: Map<number, Record<string, number>>; cache: ParseCache },
  errors: SnapshotError[],
): SnapshotProcess | null {
  const { stat: statBuf, status: statusBuf, cmdline: cmdlineBuf, cgroup: cgroupBuf, cpuset: cpusetBuf, io: ioBuf } = record.files;
  if (!statBuf || statBuf.length === 0 || !statusBuf || statusBuf.length === 0) {
    if (out.collectorChain.includes(pid)) return null;
    const why = out.pathErrors.get(`/proc/${pid}/stat`) ?? out.pathErrors.get(`/proc/${pid}/status`);
    errors.push(processError(pid, null, `exited during collection${why ? ` (${why})` : ''}`, { kind: 'not-found', path: `/proc/${pid}/stat` }));
    return null;
  }
  let stat, status;
  try {
    stat = ctx.cache.parse('stat', `/proc/${pid}/stat`, statBuf);
    status = ctx.cache.parse('status', `/proc/${pid}/status`, statusBuf);
  } catch (err) {
    errors.push(processError(pid, null, `could not parse stat/status: ${(err as Error).message}`, { kind: 'parse' }));
    return null;
  }
  const fdError = fdTableError(pid, out);
  for (const link of ['exe', 'cwd']) {
    const why = out.pathErrors.get(`/proc/${pid}/${link}`);
    // ENOENT: a kernel thread or a zombie, which have no exe or cwd; not an error.
    if (why && !/No such file/i.test(why)) errors.push(processError(pid, link, why, { path: `/proc/${pid}/${link}` }));
  }
  if (fdError) errors.push(processError(pid, 'fd', fdError, { path: `/proc/${pid}/fd` }));
  let cgroups: SnapshotProcess['cgroups'] = [];
  try {
    cgroups = cgroupBuf ? ctx.cache.cgroupsOf(cgroupBuf) : [];
  } catch (err) {
    errors.push(processError(pid, 'cgroup', (err as Error).message, { kind: 'parse', path: `/proc/${pid}/cgroup` }));
  }
  const uid = status.uids[0] ?? -1;
  return {
    pid,
    ppid: stat.ppid,
    name: stat.comm,
    state: stat.state,
    uid,
    euid: status.uids[1] ?? uid,
    gid: status.gids[0] ?? -1,
    user: ctx.users.get(uid) ?? null,
    threads: Math.max(1, status.threads ?? stat.numThreads),
    // The collector lists the threads of processes with more than one; the one thread of the others is the process.
    tids: record.tids.length > 0 ? [...record.tids].sort((a, b) => a - b) : [pid],
    cmdline: cmdlineBuf ? ctx.cache.parse('cmdline', `/proc/${pid}/cmdline`, cmdlineBuf) : [],
    exe: linkOrNull(out, `/proc/${pid}/exe`),
    cwd: linkOrNull(out, `/proc/${pid}/cwd`),
    nspid: status.nspid ?? [],
    namespaces: ctx.namespaces.get(pid) ?? {},
    cgroups,
    cpuset: cpusetBuf ? ctx.cache.parse('cpuset', `/proc/${pid}/cpuset`, cpusetBuf) : null,
    children: [],
    rssKb: status.vmRssKb,
    startTicks: stat.startTicks,
    cpuTicks: stat.utime + stat.stime,
    nice: stat.nice,
    priority: stat.priority,
    virtKb: Math.round(stat.vsizeBytes / 1024),
    io: ioBuf ? ctx.cache.parse('io', `/proc/${pid}/io`, ioBuf) : null,
    fds: fdError ? null : (ctx.fds.get(pid) ?? []),
    ...(fdError ? { fdError } : {}),
    containerId: null,
  };
}

/** One table's rows as sockets of a network namespace. */
function tableSockets(proto: (typeof NET_TABLES)[number], content: Buffer, netns: number | null, errors: SnapshotError[]): SnapshotSocket[] {
  const text = decodeBytes(content);
  try {
    if (proto === 'unix') {
      return parseNetUnix(text).map((row) => ({ proto, inode: row.inode, local: row.path, remote: '', state: row.state, type: row.type, netns, pids: [] }));
    }
    return parseNetInet(text).map((row) => ({ proto, inode: row.inode, local: row.local, remote: row.remote, state: row.state, uid: row.uid, netns, pids: [], ...(row.rxQueue !== undefined ? { rxQueue: row.rxQueue, txQueue: row.txQueue } : {}) }));
  } catch (err) {
    errors.push(nodeError(`net/${proto} of netns ${netns ?? '?'}`, (err as Error).message, { kind: 'parse' }));
    return [];
  }
}

const isTable = (name: string): name is (typeof NET_TABLES)[number] => (NET_TABLES as readonly string[]).includes(name);

/** Sockets of every net namespace table the collector read, with or without a process in it; deriveRelations fills their pids. */
function collectSockets(out: CollectOutput, netnsOf: (pid: number) => number | null, errors: SnapshotError[]): SnapshotSocket[] {
  const sockets: SnapshotSocket[] = [];
  for (const [path, content] of out.files) {
    const m = /^\/proc\/(\d+)\/net\/([a-z0-9]+)$/.exec(path);
    if (m && isTable(m[2]!)) sockets.push(...tableSockets(m[2], content, netnsOf(Number(m[1])), errors));
  }
  for (const [netns, tables] of out.orphanNetTables) {
    for (const [table, content] of tables) if (isTable(table)) sockets.push(...tableSockets(table, content, netns, errors));
  }
  const peers = new Map<number, number>();
  // Each namespace's ss output parsed once: its peers, and every row by inode for the forged-row check.
  const ssRows = [...out.ssUnix.values(), ...[...out.orphanNetTables.values()].flatMap((t) => t.get('ssx') ?? [])].map((b) => parseSsUnix(b.toString('latin1')));
  const ssClaims = new Map<number, SsUnixRow[]>();
  for (const rows of ssRows) {
    for (const [a, b] of unixPeers(rows)) peers.set(a, b);
    for (const row of rows) {
      const claims = ssClaims.get(row.inode);
      if (claims) claims.push(row);
      else ssClaims.set(row.inode, [row]);
    }
  }
  const trusted = distrustForgedUnixRows(sockets, errors, ssClaims);
  for (const s of trusted) if (s.proto === 'unix' && !s.ambiguous && peers.has(s.inode)) s.peerInode = peers.get(s.inode)!;
  linkPeers(trusted);
  return trusted;
}

/**
 * /proc/net/unix prints names raw, so a name with a newline can carry a whole fake row: another socket's inode
 * with a name of the attacker's choosing. Such a row always meets the real row of that inode (in some table,
 * unix or not). A unix row whose inode another row also claims is never trusted: where an inet table has the
 * inode, the unix rows are dropped; otherwise one row stands for the inode, marked ambiguous, with no name.
 */
export function distrustForgedUnixRows(sockets: SnapshotSocket[], errors: SnapshotError[], ssClaims: Map<number, SsUnixRow[]> = new Map()): SnapshotSocket[] {
  const claims = new Map<number, SnapshotSocket[]>();
  for (const s of sockets) {
    if (s.inode === 0) continue;
    const list = claims.get(s.inode);
    if (list) list.push(s);
    else claims.set(s.inode, [s]);
  }
  const dropped = new Set<SnapshotSocket>();
  for (const [inode, rows] of claims) {
    const unixRows = rows.filter((r) => r.proto === 'unix');
    if (rows.length < 2 || unixRows.length === 0) continue;
    const names = unixRows.map((r) => JSON.stringify(r.local)).join(', ');
    const inet = rows.find((r) => r.proto !== 'unix');
    for (const r of unixRows) dropped.add(r);
    if (inet) {
      errors.push({ scope: `socket ${inode}`, kind: 'parse', message: `a unix socket row (${names}) claims the inode of a ${inet.proto} socket: a forged row (a socket name with a newline); it was ignored` });
      continue;
    }
    // ss (netlink) prints the inode after the name: a row forged for /proc/net/unix is part of a name there, so
    // where ss has one row for the inode, it says which is real.
    const ss = ssClaims.get(inode);
    if (ss?.length === 1) {
      const real = unixRows.find((r) => r.local === ss[0]!.name) ?? unixRows[0]!;
      dropped.delete(real);
      Object.assign(real, { local: ss[0]!.name, state: ss[0]!.state, type: ss[0]!.type });
      errors.push({ scope: `socket ${inode}`, kind: 'parse', message: `${unixRows.length} unix socket rows claim this inode (${names}): all but one forged by a socket name with a newline; ss (netlink) has one, ${JSON.stringify(ss[0]!.name)}, which is kept` });
      continue;
    }
    const first = unixRows[0]!;
    dropped.delete(first);
    first.local = '';
    first.state = 'UNKNOWN';
    first.type = 'unknown';
    first.ambiguous = true;
    errors.push({ scope: `socket ${inode}`, kind: 'parse', message: `${unixRows.length} unix socket rows claim this inode (${names}): one is forged by a socket name with a newline; neither is trusted` });
  }
  const kept = dropped.size === 0 ? sockets : sockets.filter((s) => !dropped.has(s));
  // A name /proc/net/unix cut at a newline (the rest looked like rows of its own): ss has it whole.
  for (const s of kept) {
    if (s.proto !== 'unix' || s.ambiguous) continue;
    const ss = ssClaims.get(s.inode);
    if (ss?.length === 1 && ss[0]!.name.startsWith(s.local + '\n')) s.local = ss[0]!.name;
  }
  return kept;
}

/** Pairs the two ends of a TCP connection that both live in one net namespace, IPv4 and dual-stack IPv6 alike. */
export function linkPeers(sockets: SnapshotSocket[]): void {
  const byEnds = new Map<string, SnapshotSocket>();
  const key = (netns: number | null | undefined, a: string, b: string) => `${netns}|${endpointKey(a)}|${endpointKey(b)}`;
  for (const s of sockets) {
    if ((s.proto === 'tcp' || s.proto === 'tcp6') && s.state !== 'LISTEN' && s.inode !== 0) byEnds.set(key(s.netns, s.local, s.remote), s);
  }
  for (const s of byEnds.values()) {
    const peer = byEnds.get(key(s.netns, s.remote, s.local));
    if (peer && peer !== s) s.peerInode = peer.inode;
  }
}

/** cgroup v2 path -> pids, from the cgroup.procs files the collector read under the cgroup2 mount. */
function cgroupProcsOf(out: CollectOutput): Map<string, number[]> {
  const procs = new Map<string, number[]>();
  const mount = out.cgroup2Mount;
  if (!mount) return procs;
  for (const [path, content] of out.files) {
    if (!path.startsWith(mount + '/') || !path.endsWith('/cgroup.procs')) continue;
    const cgroup = path.slice(mount.length, -'/cgroup.procs'.length);
    procs.set(cgroup, content.toString('latin1').split('\n').filter(Boolean).map(Number));
  }
  return procs;
}

/** pid -> namespace type -> inode, from the collector's stat of every ns link. */
function namespacesByPid(out: CollectOutput): Map<number, Record<string, number>> {
  const namespaces = new Map<number, Record<string, number>>();
  for (const ns of out.namespaces) {
    let rec = namespaces.get(ns.pid);
    if (!rec) namespaces.set(ns.pid, (rec = {}));
    rec[ns.type] = ns.inode;
  }
  return namespaces;
}

/** The processes whose files the collector read in full (all of them, or a refresh's new ones). */
export function assembleProcesses(out: CollectOutput, users: Map<number, string>, errors: SnapshotError[], cache = new ParseCache()): { processes: SnapshotProcess[]; namespaces: Map<number, Record<string, number>> } {
  const namespaces = namespacesByPid(out);
  const ctx = { users, fds: cache.fdsOf(out.links) ?? collectFds(out), namespaces, cache };
  const processes: SnapshotProcess[] = [];
  for (const [pid, record] of [...out.processes].sort((a, b) => a[0] - b[0])) {
    const proc = buildProcess(pid, record, out, ctx, errors);
    if (proc) {
      proc.cpuPercent = lifetimeCpuPercent(proc, out.clockTicks, out.uptimeSec);
      const startedAt = startedAtOf(proc.startTicks, out.clockTicks, out.bootTimeSec);
      if (startedAt) proc.startedAt = startedAt;
      processes.push(proc);
    }
  }
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  linkChildren(processes);
  markCollector(processes, byPid, out.selfPid, out.collectorChain.length > 1 ? out.collectorChain[out.collectorChain.length - 1]! : null);
  // The types a whole ns/ directory stands for when it cannot be listed: those of the collector's own.
  const allTypes = Object.keys(namespaces.get(out.selfPid ?? -1) ?? {}).sort();
  const unreadableNs = new Map<number, { types: string[]; why: string }>();
  // The kernel answers ENOENT for a task's namespace links and fd table once it is exiting (its nsproxy and files
  // are released before it becomes a zombie): such a process exited during the read, whatever its stat said.
  const exiting = new Set<number>();
  for (const [path, message] of out.pathErrors) {
    const m = /^\/proc\/(\d+)\/(?:ns\/(?!\w+_for_children$)\w+|fd)$/.exec(path);
    if (m && /No such file/i.test(message)) exiting.add(Number(m[1]));
  }
  for (const [path, message] of out.pathErrors) {
    const m = /^\/proc\/(\d+)\/ns(?:\/([a-z_]+))?$/.exec(path);
    if (!m) {
      if (!/^\/proc\/\d+(?:\/|$)/.test(path)) errors.push(nodeError(path, message, { path }));
      continue;
    }
    if (exiting.has(Number(m[1]))) continue;
    const proc = byPid.get(Number(m[1]));
    const missing = /No such file/i.test(message);
    // A pid that exited before its files were read already has its "exited" entry, or was never listed.
    // A zombie has no namespace links; pid_for_children has none before a new pid namespace's first child.
    if (!proc || (missing && (proc.state === 'Z' || /_for_children$/.test(m[2] ?? '')))) continue;
    const entry = unreadableNs.get(proc.pid) ?? { types: [], why: message };
    entry.types.push(...(m[2] ? [m[2]] : allTypes.length > 0 ? allTypes : ['all']));
    unreadableNs.set(proc.pid, entry);
  }
  for (const [pid, { types, why }] of unreadableNs) {
    const proc = byPid.get(pid)!;
    proc.namespacesError = `${types.sort().join(', ')}: ${why}`;
    errors.push(processError(pid, 'ns', proc.namespacesError, { path: `/proc/${pid}/ns` }));
  }
  markExited(processes, (pid) => exiting.has(pid) || (out.alive !== null && !out.alive.has(pid)), errors);
  return { processes, namespaces };
}

/** Each process's children: the processes whose parent it is (the kernel's /proc/<pid>/task/<tid>/children, without reading them). */
export function linkChildren(processes: SnapshotProcess[]): void {
  const children = new Map<number, number[]>();
  for (const p of processes) {
    if (p.ppid === p.pid) continue;
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  for (const p of processes) p.children = children.get(p.pid) ?? [];
}

/**
 * Processes that exited during the read (gone at the "alive" second look, or exiting when their links were read):
 * an empty fd table or namespace list of one is not one read and found empty but one never read, so it becomes
 * unread, with the reason, and an entry in errors.
 */
export function markExited(processes: SnapshotProcess[], exited: (pid: number) => boolean, errors: SnapshotError[]): void {
  for (const p of processes) {
    if (p.collector || p.state === 'Z' || !exited(p.pid)) continue;
    p.exitedDuringRead = true;
    if (p.fds !== null && p.fds.length === 0) {
      p.fds = null;
      p.fdError = 'exited during the read: its open files were not read';
      errors.push(processError(p.pid, 'fd', p.fdError, { kind: 'not-found', path: `/proc/${p.pid}/fd` }));
    }
    if (Object.keys(p.namespaces).length === 0 && p.namespacesError === undefined) {
      p.namespacesError = 'exited during the read: its namespaces were not read';
      errors.push(processError(p.pid, 'ns', p.namespacesError, { kind: 'not-found', path: `/proc/${p.pid}/ns` }));
    }
  }
}

/** The collector's effective uid: of the first of its processes (its chain: itself, its parents, the shell) that was read. */
export function readerEuid(processes: SnapshotProcess[], chain: number[]): number | undefined {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  for (const pid of chain) {
    const euid = byPid.get(pid)?.euid;
    if (euid !== undefined) return euid;
  }
  return undefined;
}

/** The snapshot of a collector's output; `cache` holds what was parsed while the reply still arrived (early-parse.ts). */
export function assembleSnapshot(out: CollectOutput, meta: SnapshotMeta, cache?: ParseCache): Snapshot {
  const errors: SnapshotError[] = out.otherErrors.map((line) => nodeError('collector', line));
  const { processes, namespaces } = assembleProcesses(out, parsePasswd(nodeFile(out, '/etc/passwd')), errors, cache);
  // A file this read left out is absent from every process, not "unreadable" (null).
  if (meta.unreadFiles?.includes('io')) for (const p of processes) p.io = undefined;
  const reader = readerEuid(processes, out.collectorChain);
  const readerField = reader === undefined ? {} : { readerEuid: reader };
  const sockets = collectSockets(out, (pid) => namespaces.get(pid)?.net ?? null, errors);
  const hostNamespaces = namespaces.get(1) ?? (out.selfPid ? namespaces.get(out.selfPid) : undefined) ?? {};
  const names = parseNameSources(out.nameLines, meta.namesRoot ?? '');
  const relations = deriveRelations(
    processes,
    sockets,
    {
      hostNamespaces,
      names,
      utsHostnames: out.utsHostnames,
      cgroupProcs: cgroupProcsOf(out),
      cgroup2Mount: out.cgroup2Mount,
      mountedNetns: out.mountedNetns,
    },
    errors,
  );
  const hostMountinfo = [...out.files].find(([path]) => /^\/proc\/\d+\/mountinfo$/.test(path) && namespaces.get(Number(path.split('/')[2]))?.mnt === hostNamespaces.mnt);
  let cgroup2Mount: string | null = null;
  if (hostMountinfo) {
    try {
      cgroup2Mount = findCgroup2Mount(parseMountinfo(decodeBytes(hostMountinfo[1])));
    } catch (err) {
      errors.push(nodeError('mountinfo', (err as Error).message, { kind: 'parse' }));
    }
  }

  const fileText = (path: string) => out.files.get(path)?.toString('latin1');
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  for (const c of relations.containers) {
    const member = byPid.get(c.initPid ?? c.pids[0] ?? -1);
    const paths = member ? cgroupPathsOf(member.cgroups) : { v2: c.cgroupPath, v1: new Map(['memory', 'cpu', 'pids'].map((k) => [k, c.cgroupPath])) };
    const resources = readContainerResources(paths, fileText, out.cgroup2Mount, out.cgroupMounts);
    if (resources) c.resources = resources;
  }
  return {
    format: SNAPSHOT_FORMAT,
    node: {
      target: meta.target,
      hostname: nodeFile(out, '/proc/sys/kernel/hostname'),
      kernel: nodeFile(out, '/proc/sys/kernel/osrelease'),
      bootId: nodeFile(out, '/proc/sys/kernel/random/boot_id'),
      collectedAt: meta.collectedAt.toISOString(),
      ...(meta.durationMs !== undefined ? { durationMs: meta.durationMs } : {}),
      viaSudo: meta.viaSudo ?? false,
      ...(meta.unreadFiles?.length ? { unreadFiles: meta.unreadFiles } : {}),
      clockTicks: out.clockTicks,
      pageSize: out.pageSize,
      uptimeSec: out.uptimeSec,
      ...(out.loadavg ? { load: out.loadavg } : {}),
      ...overviewFields(out.overview, undefined),
      ...(out.bootTimeSec ? { bootTime: new Date(out.bootTimeSec * 1000).toISOString() } : {}),
      collectorPid: out.selfPid,
      hostNamespaces,
      cgroup2Mount,
      ...(out.mountedNetns.length > 0 ? { mountedNetns: out.mountedNetns } : {}),
      ...(names.states.length > 0 ? { runtimeStates: names.states } : {}),
      ...readerField,
      ...partialView(processes, { viaSudo: meta.viaSudo ?? false, ...readerField }),
    },
    processes,
    namespaces: relations.namespaces,
    sockets,
    containers: relations.containers,
    errors,
  };
}
