/**
 * The collector's protocol, the one place that names it: the script (script.ts) writes these sections and marks,
 * and every reader (frame.ts, section-stream.ts, early-parse.ts, electron/engine/collect.ts) reads them from here.
 *
 * A reply is sections, each opened by "\n<mark> <name>\n", where <mark> holds a 128-bit nonce the client chose
 * (sectionMark). Inside some sections, sub-marks "\n<mark>:<kind> <what>\n" open the parts of each namespace, file or
 * pid. The version line follows "begin": a reader refuses a reply of another version.
 */

/** The version line after "begin". */
export const COLLECTOR_VERSION = 8;
export const VERSION_LINE = `procscope-collect ${COLLECTOR_VERSION}`;

export function sectionMark(nonce: string): string {
  return `@@PSC${nonce}`;
}

/** The line that ends every reply of the collector, after any gzip stream. */
export function doneMarker(nonce: string): string {
  return `\n${sectionMark(nonce)} ${SECTION.done}\n`;
}

/** Every section's name. */
export const SECTION = {
  begin: 'begin',
  /** the collector's pid, its parent and grandparent, and the shell that runs it */
  self: 'self',
  /** no readable /proc: what uname says instead */
  noProc: 'noproc',
  /** no writable temporary directory */
  noTmp: 'notmp',
  /** the temporary directory filled up */
  tmpFull: 'tmpfull',
  clockTicks: 'clk',
  pageSize: 'pagesize',
  uptime: 'uptime',
  bootTime: 'btime',
  loadavg: 'loadavg',
  cpuStat: 'cpustat',
  meminfo: 'meminfo',
  /** the pid dirs read */
  pids: 'pids',
  /** the node's own files, each after a NODE_FILE sub-mark */
  nodeFiles: 'nodefiles',
  /** the first read's own errors, sent with it */
  firstReadErrors: 'errors-first',
  /** ends a full read's first read (the process table's files, the overview, the users) */
  firstReadEnd: 'first',
  /** "path type:[inode]" of every namespace link */
  namespaces: 'ns',
  /** the thread dirs of the processes with more than one */
  tasks: 'tasks',
  cgroup2Mount: 'cg2',
  cgroupMounts: 'cgmounts',
  /** network namespaces kept by a bind mount */
  mountedNetns: 'netns',
  /** the tables of network namespaces no process is in, each after an ORPHAN_NETNS sub-mark */
  orphanNetns: 'orphannet',
  /** `ss -xaHn` of each network namespace, after an SS sub-mark */
  ssUnix: 'ssx',
  /** the files listed, then their contents between FILE sub-marks */
  list: 'list',
  data: 'data',
  /** "path\0target\0" of every fd, exe and cwd link */
  links: 'links',
  /** the container name sources' lines */
  names: 'names',
  /** each uts namespace's hostname, after a UTS sub-mark */
  uts: 'uts',
  /** the pids still there at the end */
  alive: 'alive',
  /** a refresh's compact stat lines (COMPACT_STAT_FIELDS) */
  compactStat: 'stat',
  /** the body ended */
  end: 'end',
  /** opens each gzip member of a compressed reply */
  gzip: 'gzip',
  /** the collector's own errors, last */
  stderr: 'stderr',
  /** the netlink reader's answers (unix-diag.ts), each after an SS sub-mark */
  unixDiag: 'unixdiag',
  noPython: 'nopython',
  /** ends the reply */
  done: 'done',
} as const;

/** The pressure (PSI) section of a resource: "psi-cpu". */
export const pressureSection = (kind: string) => `psi-${kind}`;

/** The process files of a group, framed by head's headers: "h stat+status" (files.ts groupName). */
export const HEAD_SECTION_PREFIX = 'h ';
export const headSection = (group: string) => `${HEAD_SECTION_PREFIX}${group}`;

/** The sub-marks: "\n<mark><kind> <what>\n" (FILE has no <what>). */
export const SUB = {
  /** separates the files of the data section */
  file: ':f',
  /** an orphan network namespace: "net:[inode]" */
  orphanNetns: ':n',
  /** one of its tables: "tcp", "unix", "ssx" */
  table: ':t',
  /** a network namespace's ss or netlink answer, by its pid dir or pid */
  ss: ':x',
  /** a uts namespace's hostname, by a pid in it */
  uts: ':u',
  /** a node file, by its path */
  nodeFile: ':p',
} as const;

/**
 * A refresh's compact stat line: the pid, then these fields of /proc/<pid>/stat, by their number in proc(5). The
 * script prints them in this order (script.ts, compactStat); parseCompactStat reads them by name.
 */
export const COMPACT_STAT_FIELDS = [
  ['state', 3],
  ['ppid', 4],
  ['utime', 14],
  ['stime', 15],
  ['threads', 20],
  ['starttime', 22],
  ['rsspages', 24],
  ['priority', 18],
  ['nice', 19],
  ['vsize', 23],
] as const;

export type CompactStatField = (typeof COMPACT_STAT_FIELDS)[number][0];
