/** Turns what the collect script read (frame.ts) into a snapshot: processes, their fds joined to sockets by inode, namespaces. */
import { decodeBytes } from '../bytes';
import type { CollectOutput } from '../collect/frame';
import { NET_TABLES } from '../collect/script';
import { parseNameSources } from '../containers/names';
import { parseCgroup } from '../proc/cgroup';
import { parseChildren } from '../proc/children';
import { parseCmdline } from '../proc/cmdline';
import { parseFdTarget } from '../proc/links';
import { findCgroup2Mount, parseMountinfo } from '../proc/mountinfo';
import { parseNetInet } from '../proc/net-inet';
import { parseNetUnix } from '../proc/net-unix';
import { parsePasswd } from '../proc/passwd';
import { parseStat } from '../proc/stat';
import { parseStatus } from '../proc/status';
import { deriveRelations, lifetimeCpuPercent } from './derive';
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
}

interface PidPaths {
  files: Map<string, Buffer>;
  tids: number[];
  childFiles: Buffer[];
}

/** Groups the files of the manifest by pid: "/proc/42/status" -> 42 -> "status". */
function groupByPid(out: CollectOutput): Map<number, PidPaths> {
  const byPid = new Map<number, PidPaths>();
  const entry = (pid: number) => {
    let e = byPid.get(pid);
    if (!e) byPid.set(pid, (e = { files: new Map(), tids: [], childFiles: [] }));
    return e;
  };
  for (const [path, content] of out.files) {
    let m = /^\/proc\/(\d+)\/(stat|status|cmdline|cgroup|cpuset)$/.exec(path);
    if (m) {
      entry(Number(m[1])).files.set(m[2]!, content);
      continue;
    }
    m = /^\/proc\/(\d+)\/task\/(\d+)\/children$/.exec(path);
    if (m) {
      const e = entry(Number(m[1]));
      e.tids.push(Number(m[2]));
      e.childFiles.push(content);
    }
  }
  return byPid;
}

function nodeFile(out: CollectOutput, path: string): string {
  const buf = out.files.get(path);
  return buf ? decodeBytes(buf).trim() : '';
}

export function collectFds(out: CollectOutput): Map<number, SnapshotFd[]> {
  const fds = new Map<number, SnapshotFd[]>();
  for (const [path, target] of out.links) {
    const m = /^\/proc\/(\d+)\/fd\/(\d+)$/.exec(path);
    // An empty target is a link find listed but could not read (its error is in pathErrors).
    if (!m || target === '') continue;
    const pid = Number(m[1]);
    const fd: SnapshotFd = { fd: Number(m[2]), target };
    const parsed = parseFdTarget(target);
    if (parsed.kind === 'socket') fd.socketInode = parsed.inode!;
    let list = fds.get(pid);
    if (!list) fds.set(pid, (list = []));
    list.push(fd);
  }
  for (const list of fds.values()) list.sort((a, b) => a.fd - b.fd);
  return fds;
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
  paths: PidPaths,
  out: CollectOutput,
  ctx: { users: Map<number, string>; fds: Map<number, SnapshotFd[]>; namespaces: Map<number, Record<string, number>> },
  errors: SnapshotError[],
): SnapshotProcess | null {
  const statBuf = paths.files.get('stat');
  const statusBuf = paths.files.get('status');
  if (!statBuf || statBuf.length === 0 || !statusBuf || statusBuf.length === 0) {
    const why = out.pathErrors.get(`/proc/${pid}/stat`) ?? out.pathErrors.get(`/proc/${pid}/status`);
    errors.push({ scope: `pid ${pid}`, message: `exited during collection${why ? ` (${why})` : ''}` });
    return null;
  }
  let stat, status;
  try {
    stat = parseStat(decodeBytes(statBuf));
    status = parseStatus(decodeBytes(statusBuf));
  } catch (err) {
    errors.push({ scope: `pid ${pid}`, message: `could not parse stat/status: ${(err as Error).message}` });
    return null;
  }
  const fdError = fdTableError(pid, out);
  for (const link of ['exe', 'cwd']) {
    const why = out.pathErrors.get(`/proc/${pid}/${link}`);
    // ENOENT: a kernel thread or a zombie, which have no exe or cwd; not an error.
    if (why && !/No such file/i.test(why)) errors.push({ scope: `pid ${pid} ${link}`, message: why });
  }
  if (fdError) errors.push({ scope: `pid ${pid} fd`, message: fdError });
  const cmdlineBuf = paths.files.get('cmdline');
  const cgroupBuf = paths.files.get('cgroup');
  const cpusetBuf = paths.files.get('cpuset');
  let cgroups: SnapshotProcess['cgroups'] = [];
  try {
    cgroups = cgroupBuf ? parseCgroup(decodeBytes(cgroupBuf)) : [];
  } catch (err) {
    errors.push({ scope: `pid ${pid} cgroup`, message: (err as Error).message });
  }
  const children = new Set<number>();
  for (const buf of paths.childFiles) for (const c of parseChildren(buf.toString('latin1'))) children.add(c);
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
    tids: paths.tids.sort((a, b) => a - b),
    cmdline: cmdlineBuf ? parseCmdline(decodeBytes(cmdlineBuf)) : [],
    exe: linkOrNull(out, `/proc/${pid}/exe`),
    cwd: linkOrNull(out, `/proc/${pid}/cwd`),
    nspid: status.nspid ?? [],
    namespaces: ctx.namespaces.get(pid) ?? {},
    cgroups,
    cpuset: cpusetBuf ? decodeBytes(cpusetBuf).replace(/\n$/, '') : null,
    children: [...children].sort((a, b) => a - b),
    rssKb: status.vmRssKb,
    startTicks: stat.startTicks,
    cpuTicks: stat.utime + stat.stime,
    fds: fdError ? null : (ctx.fds.get(pid) ?? []),
    ...(fdError ? { fdError } : {}),
    containerId: null,
  };
}

/** Sockets of every net namespace table the collector read; deriveRelations fills their pids. */
function collectSockets(out: CollectOutput, netnsOf: (pid: number) => number | null, errors: SnapshotError[]): SnapshotSocket[] {
  const sockets: SnapshotSocket[] = [];
  for (const [path, content] of out.files) {
    const m = /^\/proc\/(\d+)\/net\/([a-z0-9]+)$/.exec(path);
    if (!m || !(NET_TABLES as readonly string[]).includes(m[2]!)) continue;
    const netns = netnsOf(Number(m[1]));
    const proto = m[2] as (typeof NET_TABLES)[number];
    const text = decodeBytes(content);
    try {
      if (proto === 'unix') {
        for (const row of parseNetUnix(text)) {
          sockets.push({ proto, inode: row.inode, local: row.path, remote: '', state: row.state, type: row.type, netns, pids: [] });
        }
      } else {
        for (const row of parseNetInet(text)) {
          sockets.push({ proto, inode: row.inode, local: row.local, remote: row.remote, state: row.state, uid: row.uid, netns, pids: [] });
        }
      }
    } catch (err) {
      errors.push({ scope: `net/${proto} of netns ${netns ?? '?'}`, message: (err as Error).message });
    }
  }
  linkPeers(sockets);
  return sockets;
}

/** Pairs the two ends of a TCP connection that both live in one net namespace. */
function linkPeers(sockets: SnapshotSocket[]): void {
  const byEnds = new Map<string, SnapshotSocket>();
  const key = (netns: number | null | undefined, a: string, b: string) => `${netns}|${a}|${b}`;
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
export function assembleProcesses(out: CollectOutput, users: Map<number, string>, errors: SnapshotError[]): { processes: SnapshotProcess[]; namespaces: Map<number, Record<string, number>> } {
  const namespaces = namespacesByPid(out);
  const ctx = { users, fds: collectFds(out), namespaces };
  const processes: SnapshotProcess[] = [];
  for (const [pid, paths] of [...groupByPid(out)].sort((a, b) => a[0] - b[0])) {
    const proc = buildProcess(pid, paths, out, ctx, errors);
    if (proc) {
      proc.cpuPercent = lifetimeCpuPercent(proc, out.clockTicks, out.uptimeSec);
      processes.push(proc);
    }
  }
  const listed = new Set(processes.map((p) => p.pid));
  const zombies = new Set(processes.filter((p) => p.state === 'Z').map((p) => p.pid));
  for (const [path, message] of out.pathErrors) {
    const m = /^\/proc\/(\d+)\/(ns\/[a-z_]+)$/.exec(path);
    // A pid that exited before its files were read already has its "exited" entry, or was never listed.
    // A zombie has no namespace links; it is not an error that they are missing.
    if (m && listed.has(Number(m[1])) && !(zombies.has(Number(m[1])) && /No such file/i.test(message))) errors.push({ scope: `pid ${m[1]} ${m[2]}`, message });
    else if (!/^\/proc\/\d+\//.test(path)) errors.push({ scope: path, message });
  }
  return { processes, namespaces };
}

export function assembleSnapshot(out: CollectOutput, meta: SnapshotMeta): Snapshot {
  const errors: SnapshotError[] = out.otherErrors.map((line) => ({ scope: 'collector', message: line }));
  const { processes, namespaces } = assembleProcesses(out, parsePasswd(nodeFile(out, '/etc/passwd')), errors);
  const sockets = collectSockets(out, (pid) => namespaces.get(pid)?.net ?? null, errors);
  const hostNamespaces = namespaces.get(1) ?? (out.selfPid ? namespaces.get(out.selfPid) : undefined) ?? {};
  const relations = deriveRelations(
    processes,
    sockets,
    {
      hostNamespaces,
      names: parseNameSources(out.nameLines, meta.namesRoot ?? ''),
      utsHostnames: out.utsHostnames,
      cgroupProcs: cgroupProcsOf(out),
      cgroup2Mount: out.cgroup2Mount,
    },
    errors,
  );
  const hostMountinfo = [...out.files].find(([path]) => /^\/proc\/\d+\/mountinfo$/.test(path) && namespaces.get(Number(path.split('/')[2]))?.mnt === hostNamespaces.mnt);
  let cgroup2Mount: string | null = null;
  if (hostMountinfo) {
    try {
      cgroup2Mount = findCgroup2Mount(parseMountinfo(decodeBytes(hostMountinfo[1])));
    } catch (err) {
      errors.push({ scope: 'mountinfo', message: (err as Error).message });
    }
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
      clockTicks: out.clockTicks,
      pageSize: out.pageSize,
      uptimeSec: out.uptimeSec,
      collectorPid: out.selfPid,
      hostNamespaces,
      cgroup2Mount,
    },
    processes,
    namespaces: relations.namespaces,
    sockets,
    containers: relations.containers,
    errors,
  };
}
