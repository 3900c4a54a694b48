/**
 * Reads what the collect script (script.ts) printed: sections opened by
 * "\n<mark> <name>\n", file contents between "\n<mark>:f\n" separators in the
 * order of the `list` section, and links as NUL-terminated path/target pairs.
 * Anything before the first mark (a login banner, an rc file's echo) is ignored.
 */
import { decodeBytes } from '../bytes';
import { sectionMark } from './script';

export interface CollectedNamespace {
  pid: number;
  type: string;
  inode: number;
}

export interface CollectOutput {
  /** false when the output stopped before the script's end mark */
  complete: boolean;
  noProc: string | null;
  noTmp: boolean;
  clockTicks: number;
  /** pid of the collector's shell */
  selfPid: number | null;
  namespaces: CollectedNamespace[];
  /** path -> raw content; only files listed in the manifest */
  files: Map<string, Buffer>;
  /** path -> link target (decoded with surrogateescape) */
  links: Map<string, string>;
  /** path -> what the node said when it could not be read */
  pathErrors: Map<string, string>;
  /** stderr lines that name no path */
  otherErrors: string[];
  /** where the collector found cgroup2 mounted, or null */
  cgroup2Mount: string | null;
  /** lines of the container name sources (containerd annotations, Docker names, log directories) */
  nameLines: string[];
  /** pid -> hostname of its uts namespace, one pid per namespace other than the collector's */
  utsHostnames: Map<number, string>;
  pageSize: number;
  /** seconds since the node booted, when the collector ran */
  uptimeSec: number | null;
  /** a refresh's compact stat of every process; null when the section is missing or stopped before its end */
  compactStats: Map<number, CompactStat> | null;
  /** a refresh's stat section was there but cut short: its absences prove nothing */
  compactStatsCut: boolean;
  /** network namespaces kept by an nsfs bind mount: inode and mount point */
  mountedNetns: { inode: number; path: string }[];
  /** tables of network namespaces no process is in: netns inode -> table (tcp, ..., unix, ssx) -> content */
  orphanNetTables: Map<number, Map<string, Buffer>>;
  /** `ss -xaHn` of each process's network namespace: "/proc/<pid>" of a member -> output */
  ssUnix: Map<string, Buffer>;
  /** the node's temporary directory filled up while the collector wrote to it */
  tmpFull: string | null;
}

/** What a refresh reads of every process: "pid state ppid utime stime threads starttime rsspages". */
export interface CompactStat {
  state: string;
  ppid: number;
  cpuTicks: number;
  threads: number;
  startTicks: number;
  rssPages: number;
}

/** The compact stats, or null when the section does not end with its "end" line (its reader stopped early). */
export function parseCompactStat(text: string): Map<number, CompactStat> | null {
  const stats = new Map<number, CompactStat>();
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.pop() !== 'end') return null;
  for (const line of lines) {
    const f = line.split(' ');
    if (f.length !== 8 || !/^[A-Za-z]$/.test(f[1]!)) continue;
    const n = f.map(Number);
    if (![0, 2, 3, 4, 5, 6, 7].every((i) => Number.isFinite(n[i]))) continue;
    stats.set(n[0]!, { state: f[1]!, ppid: n[2]!, cpuTicks: n[3]! + n[4]!, threads: n[5]!, startTicks: n[6]!, rssPages: n[7]! });
  }
  return stats;
}

function splitSections(out: Buffer, mark: string): Map<string, Buffer> {
  const sections = new Map<string, Buffer>();
  const needle = Buffer.from(`\n${mark} `);
  let at = out.indexOf(needle);
  while (at >= 0) {
    const nameStart = at + needle.length;
    const nameEnd = out.indexOf(0x0a, nameStart);
    if (nameEnd < 0) break;
    const name = out.subarray(nameStart, nameEnd).toString('latin1');
    const next = out.indexOf(needle, nameEnd);
    sections.set(name, out.subarray(nameEnd + 1, next < 0 ? out.length : next));
    at = next;
  }
  return sections;
}

function splitBuffer(buf: Buffer, sep: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let at = buf.indexOf(sep); at >= 0; at = buf.indexOf(sep, start)) {
    parts.push(buf.subarray(start, at));
    start = at + sep.length;
  }
  parts.push(buf.subarray(start));
  return parts;
}

/** "cat: /proc/1/x: No such file or directory", "stat: cannot statx '/proc/1/ns/net': Permission denied", "find: '/proc/1/fd': Permission denied", busybox's "cat: can't open '/x': ..." */
const PATH_ERROR = /^[\w.-]+: (?:can't open |can't stat |cannot open |cannot statx? |cannot read )?['‘]?(\/(?:proc|etc)\/[^'’:\s]*)['’]?: (.+)$/;

export function parseStderr(stderr: string): { pathErrors: Map<string, string>; otherErrors: string[] } {
  const pathErrors = new Map<string, string>();
  const otherErrors: string[] = [];
  for (const line of stderr.split('\n')) {
    if (line.trim() === '') continue;
    const m = PATH_ERROR.exec(line);
    if (m) pathErrors.set(m[1]!, m[2]!);
    else otherErrors.push(line);
  }
  return { pathErrors, otherErrors };
}

/** "<sep>HEAD\nBODY<sep>HEAD\nBODY...": [HEAD, BODY] pairs; what stands before the first separator is dropped. */
function subsections(section: Buffer | undefined, sep: Buffer): [string, Buffer][] {
  if (!section) return [];
  return splitBuffer(section, sep)
    .slice(1)
    .map((entry) => {
      const nl = entry.indexOf(0x0a);
      return nl < 0 ? [entry.toString('latin1'), Buffer.alloc(0)] : [entry.subarray(0, nl).toString('latin1'), entry.subarray(nl + 1)];
    });
}

export function parseCollectOutput(stdout: Buffer, stderr: string, nonce: string): CollectOutput {
  const mark = sectionMark(nonce);
  const sections = splitSections(stdout, mark);
  const { pathErrors, otherErrors } = parseStderr(stderr);
  const result: CollectOutput = {
    complete: sections.has('end'),
    noProc: sections.has('noproc') ? sections.get('noproc')!.toString('utf8').trim() : null,
    noTmp: sections.has('notmp'),
    clockTicks: Number(sections.get('clk')?.toString('latin1').trim()) || 100,
    selfPid: Number(sections.get('self')?.toString('latin1').trim()) || null,
    namespaces: [],
    files: new Map(),
    links: new Map(),
    pathErrors,
    otherErrors,
    cgroup2Mount: sections.get('cg2')?.toString('utf8').trim() || null,
    nameLines: decodeBytes(sections.get('names') ?? Buffer.alloc(0)).split('\n').filter((l) => l !== ''),
    utsHostnames: new Map(),
    pageSize: Number(sections.get('pagesize')?.toString('latin1').trim()) || 4096,
    uptimeSec: Number(sections.get('uptime')?.toString('latin1').trim().split(/\s+/)[0]) || null,
    compactStats: sections.has('stat') ? parseCompactStat(sections.get('stat')!.toString('latin1')) : null,
    compactStatsCut: false,
    mountedNetns: [],
    orphanNetTables: new Map(),
    ssUnix: new Map(),
    tmpFull: sections.has('tmpfull') ? sections.get('tmpfull')!.toString('utf8').trim() : null,
  };
  result.compactStatsCut = sections.has('stat') && result.compactStats === null;

  for (const [head, body] of subsections(sections.get('uts'), Buffer.from(`\n${mark}:u `))) {
    const pid = Number(head);
    const hostname = decodeBytes(body).replace(/\n$/, '');
    if (head !== '' && Number.isInteger(pid) && hostname !== '') result.utsHostnames.set(pid, hostname);
  }

  for (const line of (sections.get('netns') ?? Buffer.alloc(0)).toString('latin1').split('\n')) {
    const m = /^net:\[(\d+)\] (\/.*)$/.exec(line);
    if (m) result.mountedNetns.push({ inode: Number(m[1]), path: m[2]! });
  }
  for (const [head, body] of subsections(sections.get('orphannet'), Buffer.from(`\n${mark}:n `))) {
    const inode = Number(/^net:\[(\d+)\]$/.exec(head)?.[1]);
    if (!Number.isInteger(inode) || inode <= 0) continue;
    const tables = new Map<string, Buffer>();
    for (const [table, content] of subsections(Buffer.concat([Buffer.from('\n'), body]), Buffer.from(`\n${mark}:t `))) tables.set(table, content);
    result.orphanNetTables.set(inode, tables);
  }
  for (const [dir, content] of subsections(sections.get('ssx'), Buffer.from(`\n${mark}:x `))) {
    if (/^\/proc\/\d+$/.test(dir)) result.ssUnix.set(dir, content);
  }

  for (const line of (sections.get('ns') ?? Buffer.alloc(0)).toString('latin1').split('\n')) {
    const m = /^(\d+) \/proc\/(\d+)\/ns\/([a-z_]+)$/.exec(line);
    if (m) result.namespaces.push({ inode: Number(m[1]), pid: Number(m[2]), type: m[3]! });
  }

  const list = (sections.get('list') ?? Buffer.alloc(0)).toString('latin1').split('\n').filter((l) => l !== '');
  const data = sections.get('data');
  if (data) {
    const chunks = splitBuffer(data, Buffer.from(`\n${mark}:f\n`));
    // chunks[0] is what stands before the first separator: nothing.
    for (let i = 0; i < list.length && i + 1 < chunks.length; i++) {
      const path = list[i]!;
      if (!pathErrors.has(path)) result.files.set(path, chunks[i + 1]!);
    }
  }

  const links = sections.get('links');
  if (links) {
    const fields = splitBuffer(links, Buffer.from([0]));
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const path = fields[i]!.toString('latin1');
      if (!path.startsWith('/proc/')) continue;
      result.links.set(path, decodeBytes(fields[i + 1]!));
    }
  }
  return result;
}
