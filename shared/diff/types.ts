/** The diff format procscope.diff/v1 (diff.schema.json): what changed between two snapshots. */

export const DIFF_FORMAT = 'procscope.diff/v1';

export interface DiffSide {
  target: string;
  hostname: string;
  bootId: string | null;
  collectedAt: string;
}

/**
 * How the two sides' things were paired:
 * - identity: the same boot of the same node; a process is its boot id, pid and start time, a socket its net
 *   namespace and inode, a container its runtime and id, a namespace its type and inode;
 * - similarity: different nodes or boots; processes are paired by name and command line, listeners by protocol,
 *   address and process name, containers by runtime and name; namespaces and connections are not compared.
 */
export type DiffMatching = 'identity' | 'similarity';

export interface ProcessRef {
  pid: number;
  ppid: number;
  name: string;
  user: string | null;
  uid: number;
  cmdline: string[];
  exe: string | null;
  startTicks: number | null;
  startedAt: string | null;
  containerId: string | null;
  /** the container's name, or its pod's namespace/name and container name */
  container: string | null;
}

export type ProcessField = 'cmdline' | 'exe' | 'uid' | 'cwd' | 'ppid' | 'container' | 'cgroup' | 'namespace' | 'threads' | 'rss';

export interface FieldChange {
  field: ProcessField;
  /** for a namespace change: its type (net, pid, ...) */
  detail?: string;
  before: string | number | string[] | null;
  after: string | number | string[] | null;
}

export interface ProcessChange {
  process: ProcessRef;
  changes: FieldChange[];
}

export interface SocketRef {
  proto: string;
  local: string;
  remote: string;
  state: string;
  netns: number | null;
  inode: number;
  /** the processes holding it: pid and name */
  holders: { pid: number; name: string }[];
  containerId: string | null;
}

export interface ContainerRef {
  id: string;
  runtime: string;
  name: string | null;
  podName: string | null;
  podNamespace: string | null;
  initPid: number | null;
  processes: number;
}

export interface NamespaceRef {
  type: string;
  inode: number;
  processes: number;
  containerId: string | null;
  paths: string[];
}

export interface DiffSummary {
  processesStarted: number;
  processesExited: number;
  processesChanged: number;
  listenersAdded: number;
  listenersRemoved: number;
  socketsOpened: number;
  socketsClosed: number;
  containersCreated: number;
  containersGone: number;
  namespacesCreated: number;
  namespacesGone: number;
}

export interface DiffThresholds {
  /** a thread count that moved by at least this much is a change */
  threads: number;
  /** an RSS that moved by at least this many KiB is a change */
  rssKb: number;
}

export interface SnapshotDiff {
  format: typeof DIFF_FORMAT;
  from: DiffSide;
  to: DiffSide;
  matching: DiffMatching;
  /** why the sides were paired by similarity, when they were */
  matchingReason?: string;
  thresholds: DiffThresholds;
  summary: DiffSummary;
  processes: { started: ProcessRef[]; exited: ProcessRef[]; changed: ProcessChange[] };
  listeners: { added: SocketRef[]; removed: SocketRef[] };
  sockets: { opened: SocketRef[]; closed: SocketRef[] };
  containers: { created: ContainerRef[]; gone: ContainerRef[] };
  namespaces: { created: NamespaceRef[]; gone: NamespaceRef[] };
}
