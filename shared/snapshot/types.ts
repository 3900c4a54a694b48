/** The snapshot format procscope.snapshot/v1 (snapshot.schema.json), plus the fields procscope adds. */
import type { ErrorKind } from '../errors';
import type { CpuStat } from '../proc/cpu-stat';
import type { ProcIo } from '../proc/io';
import type { Loadavg } from '../proc/loadavg';
import type { Meminfo } from '../proc/meminfo';
import type { NodeOverview } from '../proc/overview';
import type { ContainerResources } from '../containers/resources';

export const SNAPSHOT_FORMAT = 'procscope.snapshot/v1';

export interface SnapshotNode {
  target: string;
  hostname: string;
  kernel: string;
  bootId?: string;
  collectedAt: string;
  durationMs?: number;
  viaSudo?: boolean;
  /** process files this read left out because no column shown needed them ("io"): their fields are absent, not empty */
  unreadFiles?: string[];
  /** the collector's effective uid: 0 when it read as root (a root login, or sudo) */
  readerEuid?: number;
  /** USER_HZ of the node (getconf CLK_TCK) */
  clockTicks?: number;
  /** pid of the collector's shell on the node: it and its children appear in the snapshot */
  collectorPid?: number | null;
  /** type -> inode of the node's initial namespaces (pid 1's, or the collector's where pid 1's are unreadable) */
  hostNamespaces?: Record<string, number>;
  /** where cgroup2 is mounted on the node, if it is */
  cgroup2Mount?: string | null;
  /** seconds since the node booted (/proc/uptime) when this was read */
  uptimeSec?: number | null;
  /** when the node booted, by its own clock (btime of /proc/stat), to the second */
  bootTime?: string;
  pageSize?: number;
  /** /proc/loadavg when this was read: load averages over 1, 5 and 15 minutes, runnable and all tasks */
  load?: Loadavg;
  /** /proc/stat's cpu ticks since boot: the machine's, and each core's */
  cpu?: CpuStat;
  /** the machine's busy CPU share, in percent: since the previous reading (live), or since boot (a single snapshot) */
  cpuPercent?: number | null;
  /** each core's busy share, in the order of cpu.cores */
  corePercents?: (number | null)[];
  /** /proc/meminfo's figures, in kB */
  memory?: Meminfo;
  /** /proc/pressure/* (PSI), where the kernel has it */
  pressure?: NodeOverview['pressure'];
  /** containers the runtimes keep state for (containerd tasks, runc, crun), by their init's host pid */
  runtimeStates?: { runtime: 'containerd' | 'runc' | 'crun'; id: string; namespace?: string; initPid: number }[];
  /** network namespaces kept by a bind mount (ip netns add, a runtime's netns files), with or without processes */
  mountedNetns?: { inode: number; path: string }[];
  /** what this login could not see: then namespace membership, containers' namespaces and sockets' holders are incomplete */
  partial?: SnapshotPartial;
  /** a first read shown while the rest of the full read still arrives: what it does not hold yet */
  pending?: PendingPart[];
}

/** What a full read adds to its first read (the process table's files, the overview, the users). */
export const PENDING_AFTER_FIRST_READ = ['namespaces', 'fds', 'sockets', 'threads', 'io', 'containers'] as const;
/**
 * What else a first read may leave for the rest: the command lines or cgroups whose framing could not be proven
 * (a forged header in an argv), which the full read reads again.
 */
export type PendingPart = (typeof PENDING_AFTER_FIRST_READ)[number] | 'cmdline' | 'cgroups';

export interface SnapshotPartial {
  /** processes not read in full (namespaces or open files), not counting those that exited during the read */
  processes?: number;
  /** processes whose namespace links could not be read */
  namespacesUnreadable: number;
  /** processes whose fd tables could not be read */
  fdsUnreadable: number;
  hint: string;
}

export interface SnapshotFd {
  fd: number;
  target: string;
  socketInode?: number;
  /** a socket no table the collector read lists (netlink, packet, or a namespace it could not enter) */
  socketUnlisted?: boolean;
}

export interface SnapshotCgroup {
  hierarchy: number;
  controllers: string[];
  path: string;
}

export interface SnapshotProcess {
  pid: number;
  ppid: number;
  name: string;
  state: string;
  uid: number;
  euid?: number;
  gid: number;
  user?: string | null;
  threads: number;
  tids?: number[];
  cmdline: string[];
  exe: string | null;
  cwd?: string | null;
  nspid: number[];
  namespaces: Record<string, number>;
  /** which namespace links could not be read, and why: then `namespaces` is missing those types */
  namespacesError?: string;
  cgroups: SnapshotCgroup[];
  cpuset?: string | null;
  children?: number[];
  rssKb?: number | null;
  startTicks?: number | null;
  /** when it started, by the node's clock (bootTime + startTicks / clockTicks); with bootId, pid and startTicks it names one process for good */
  startedAt?: string;
  /** utime + stime in clock ticks, field 14 + 15 of stat */
  cpuTicks?: number;
  /** CPU use in percent of one CPU: over the last refresh interval, or since start in a full snapshot (as ps shows it) */
  cpuPercent?: number | null;
  fds: SnapshotFd[] | null;
  /** nice value (-20 to 19) and kernel priority, from stat */
  nice?: number;
  priority?: number;
  /** virtual memory size (stat's vsize), in kB */
  virtKb?: number;
  /** /proc/<pid>/io where readable (its owner, or root): bytes read and written; a full read's */
  io?: ProcIo | null;
  fdError?: string;
  /** gone when the read ended (a second look): what was not read of it is missing because it exited, not hidden */
  exitedDuringRead?: boolean;
  containerId: string | null;
  /** one of procscope's own processes on the node (the collector's shell and what it runs) */
  collector?: boolean;
}

export interface SnapshotNamespace {
  type: string;
  inode: number;
  pids: number[];
  /** the node's own namespace of this type (pid 1's) */
  host?: boolean;
  /** the container that owns it: the container of its lowest member pid, for a namespace that is not the host's */
  containerId?: string | null;
  /** every container with a member in it (a pod's containers share one net namespace) */
  containerIds?: string[];
  /** where it is bind-mounted (ip netns add NAME: /run/netns/NAME); a namespace with no process has only these */
  paths?: string[];
}

export type SocketProto = 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'unix' | 'raw' | 'raw6' | 'udplite' | 'udplite6';

export interface SnapshotSocket {
  proto: SocketProto;
  inode: number;
  local: string;
  remote: string;
  state: string;
  uid?: number;
  /** bytes waiting: received and not read by the process (Recv-Q), sent and not acknowledged (Send-Q) */
  rxQueue?: number;
  txQueue?: number;
  netns?: number | null;
  pids: number[];
  /** unix sockets: stream, dgram or seqpacket */
  type?: string;
  /** for a connection whose other end is on this node, in the same net namespace: that socket's inode */
  peerInode?: number;
  /** the container that owns the socket's net namespace; in the host's, the container of the process holding it */
  containerId?: string | null;
  /** unix: more than one row of /proc/net/unix claims this inode (a forged row): its name and state are unknown */
  ambiguous?: boolean;
}

export interface SnapshotContainer {
  id: string;
  runtime: 'docker' | 'containerd' | 'cri-o' | 'podman' | 'lxc' | 'systemd-nspawn' | 'other';
  cgroupPath: string;
  podUid?: string | null;
  qosClass?: string | null;
  name?: string | null;
  pids: number[];
  pidMap: { hostPid: number; containerPid: number | null; zombie?: boolean }[];
  /** containerd's namespace of the container (default, k8s.io, moby...) */
  namespace?: string;
  /** the OCI runtime that keeps its state, for a container run with runc or crun directly */
  ociRuntime?: 'runc' | 'crun';
  /** its id also names another cgroup: two findings, neither to be trusted blindly */
  conflict?: boolean;
  /** the runtime's own state (Docker's containers dir, containerd's tasks, rootful Podman's storage) lists it (true) or, readable, does not (false); absent where not checked */
  confirmed?: boolean;
  /** host pid of the container's init (pid 1 inside, or its topmost process) */
  initPid?: number | null;
  podName?: string | null;
  podNamespace?: string | null;
  /** a Kubernetes pod sandbox (pause) container */
  sandbox?: boolean;
  /** hostname of the container's uts namespace */
  hostname?: string | null;
  /** the init's namespaces, type -> inode */
  namespaces?: Record<string, number>;
  /** namespace types the container shares with the host */
  sharesHost?: string[];
  /** the init's namespace links could not be read: `namespaces` and `sharesHost` are incomplete */
  namespacesError?: string;
  /** its members were compared with its cgroup.procs (cgroup v2); a disagreement is in `errors` */
  membersChecked?: boolean;
  /** the image it was started from, where the node keeps it (Docker's config.v2.json, the CRI's annotations) */
  image?: string;
  /** its cgroup's limits and use (a full read's; a refresh keeps the last) */
  resources?: ContainerResources;
}

export interface SnapshotError {
  /** what could not be read, in words: "pid 42 fd", "net/tcp6 of netns 4026531840" */
  scope: string;
  message: string;
  /** the error's kind, from the one taxonomy (shared/errors.ts) */
  kind?: ErrorKind;
  /** the process it concerns */
  pid?: number;
  /** which of the process: "exe", "cwd", "fd", "ns", "cgroup", "cpuset"; absent for the process as a whole */
  part?: string;
  /** the file or link that could not be read */
  path?: string;
}

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  node: SnapshotNode;
  processes: SnapshotProcess[];
  namespaces: SnapshotNamespace[];
  sockets: SnapshotSocket[];
  containers: SnapshotContainer[];
  errors: SnapshotError[];
}
