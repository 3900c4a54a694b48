/**
 * Reads what the collect script (script.ts) printed: sections opened by "\n<mark> <name>\n"; process files in
 * "h <group>" sections ("h stat+status", files.ts) framed by head's headers, which are proven before they are believed (readHeadSection);
 * other files between "\n<mark>:f\n" separators in the order of the `list` section; links as NUL-terminated
 * path/target pairs. Anything before the first mark (a login banner, an rc file's echo) is ignored.
 */
import { decodeBytes, isAscii } from '../bytes';
import { type Loadavg, parseLoadavg } from '../proc/loadavg';
import { type NodeOverview, parseOverview } from '../proc/overview';
import { type ProcessFile, digitsAt, groupOf } from './files';
import { COMPACT_STAT_FIELDS, HEAD_SECTION_PREFIX, SECTION, SUB, sectionMark } from './protocol';


/** What the collector read of one process: each file's raw bytes, and its threads. */
export interface ProcessRecord {
  files: Partial<Record<ProcessFile, Buffer>>;
  /** thread ids, from /proc/<pid>/task/ */
  tids: number[];
}

export interface CollectedNamespace {
  pid: number;
  type: string;
  inode: number;
}

export interface CollectOutput {
  /** false when the output stopped before the script's end mark */
  complete: boolean;
  /** the first read's part is all there (SECTION.firstReadEnd) */
  firstReadComplete: boolean;
  noProc: string | null;
  noTmp: boolean;
  clockTicks: number;
  /** pid of the collector's shell */
  selfPid: number | null;
  /** the collector's shell and the shells that run it: gone by a reread, which is no news */
  collectorChain: number[];
  namespaces: CollectedNamespace[];
  /** pid -> its process files and threads, for every pid the collector listed */
  processes: Map<number, ProcessRecord>;
  /** kinds of process file whose head framing could not be proven, and that no reread replaced */
  unproven: ProcessFile[];
  /** the files those kinds list, to read again with the nonce framing (buildRereadScript) */
  unprovenPaths: string[];
  /** path -> raw content of the other files (node files, net tables, mountinfo, cgroup.procs) */
  files: Map<string, Buffer>;
  /** path -> link target (decoded with surrogateescape) */
  links: Map<string, string>;
  /** path -> what the node said when it could not be read */
  pathErrors: Map<string, string>;
  /** stderr lines that name no path */
  otherErrors: string[];
  /** where the collector found cgroup2 mounted, or null */
  cgroup2Mount: string | null;
  /** cgroup v1 controller (memory, cpu, pids) -> its mount point */
  cgroupMounts: Map<string, string>;
  /** lines of the container name sources (containerd annotations, Docker names, log directories) */
  nameLines: string[];
  /** pid -> hostname of its uts namespace, one pid per namespace other than the collector's */
  utsHostnames: Map<number, string>;
  pageSize: number;
  /** seconds since the node booted, when the collector ran */
  uptimeSec: number | null;
  /** when the node booted, in seconds since the epoch by the node's clock (btime of /proc/stat); a full read's */
  bootTimeSec: number | null;
  /** the load averages and task counts of /proc/loadavg */
  loadavg: Loadavg | null;
  /** the node at a glance: /proc/stat's cpu lines, /proc/meminfo, /proc/pressure/* */
  overview: NodeOverview;
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
  /** the pids still there when the read ended; null when the reply did not say (an older or cut reply) */
  alive: Set<number> | null;
}

/** What a refresh reads of every process: "pid state ppid utime stime threads starttime rsspages priority nice vsize". */
export interface CompactStat {
  state: string;
  ppid: number;
  cpuTicks: number;
  threads: number;
  startTicks: number;
  rssPages: number;
  priority?: number;
  nice?: number;
  vsizeBytes?: number;
}

/** Where each compact stat field stands in a line: after the pid. */
const COMPACT_AT = Object.fromEntries(COMPACT_STAT_FIELDS.map(([name], i) => [name, i + 1])) as Record<(typeof COMPACT_STAT_FIELDS)[number][0], number>;

/**
 * The compact stats (protocol.ts COMPACT_STAT_FIELDS, after the pid), or null when the section does not end with its
 * "end" line (its reader stopped early). A line of another length, or with a field that is not a number where a
 * number stands, is left out: its process is read again in full at the next refresh.
 */
export function parseCompactStat(text: string): Map<number, CompactStat> | null {
  const stats = new Map<number, CompactStat>();
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.pop() !== 'end') return null;
  const at = COMPACT_AT;
  for (const line of lines) {
    const f = line.split(' ');
    if (f.length !== COMPACT_STAT_FIELDS.length + 1 || !/^[A-Za-z]$/.test(f[at.state]!)) continue;
    const n = f.map((x) => (/^-?\d+$/.test(x) ? Number(x) : NaN));
    if (!n.every((x, i) => i === at.state || Number.isFinite(x))) continue;
    stats.set(n[0]!, {
      state: f[at.state]!,
      ppid: n[at.ppid]!,
      cpuTicks: n[at.utime]! + n[at.stime]!,
      threads: n[at.threads]!,
      startTicks: n[at.starttime]!,
      rssPages: n[at.rsspages]!,
      priority: n[at.priority]!,
      nice: n[at.nice]!,
      vsizeBytes: n[at.vsize]!,
    });
  }
  return stats;
}

export function splitSections(out: Buffer, mark: string): Map<string, Buffer> {
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

/**
 * "cat: /proc/1/x: No such file or directory", "stat: cannot statx '/proc/1/ns/net': Permission denied",
 * "find: '/proc/1/fd': Permission denied", "head: cannot open '/proc/1/stat' for reading: ...", "head: error
 * reading '/proc/1/stat': No such process", busybox's "cat: can't open '/x': ..." and "head: /x: ..."
 */
const PATH_ERROR = /^([\w.-]+): (?:can't open |can't stat |cannot open |cannot statx? |cannot read |(error reading ))?['‘]?(\/(?:proc|etc)\/[^'’:\s]*)['’]?(?: for reading)?: (.+)$/;

export interface StderrErrors {
  /** path -> what the node said of it */
  pathErrors: Map<string, string>;
  /** files head could not open, so printed no header for */
  unopened: Set<string>;
  otherErrors: string[];
}

export function parseStderr(stderr: string): StderrErrors {
  const pathErrors = new Map<string, string>();
  const unopened = new Set<string>();
  const otherErrors: string[] = [];
  for (const line of stderr.split('\n')) {
    if (line.trim() === '') continue;
    const m = PATH_ERROR.exec(line);
    if (!m) {
      otherErrors.push(line);
      continue;
    }
    pathErrors.set(m[3]!, m[4]!);
    if (m[1] === 'head' && !m[2]) unopened.add(m[3]!);
  }
  return { pathErrors, unopened, otherErrors };
}

/** head's header line, "\n==> P <==\n"; plain strings, as the renderer loads this module where there is no Buffer. */
const HEADER_START = '\n==> ';
const HEADER_END = ' <==';

/**
 * The files of one "h <group>" section, as `head -v` framed them, or null when the framing is not proven. Every
 * full header line ("\n==> P <==\n") in the data counts, wherever it stands, so a header forged inside a file
 * (an argv, a socket name) makes one too many; the headers must be exactly the expected paths in order.
 */
export function readHeadSection(expected: string[], data: Buffer): Map<string, Buffer> | null {
  const contents = provenContents(expected, new Set(), headerLines(data, expected.length + 1));
  return contents && new Map(expected.map((path, i) => [path, contents[i]!]));
}

/**
 * Each listed file's content, from a section's header lines, when the lines are exactly the listed paths in order
 * less those head could not open (which have no content); else null.
 */
export function provenContents(listed: string[], unopened: ReadonlySet<string>, lines: [string, Buffer][]): (Buffer | undefined)[] | null {
  const contents = new Array<Buffer | undefined>(listed.length);
  const someUnopened = unopened.size > 0;
  let line = 0;
  for (let i = 0; i < listed.length; i++) {
    const path = listed[i]!;
    if (someUnopened && unopened.has(path)) continue;
    const header = lines[line++];
    if (header === undefined || header[0] !== path) return null;
    contents[i] = header[1];
  }
  return line === lines.length ? contents : null;
}

/** The files of a head section split at every full header line, proven or not: for a parse that is checked later. */
export function readHeadLines(data: Buffer): [string, Buffer][] {
  return headerLines(data, Infinity);
}

/** [name, content] at each full header line ("\n==> P <==\n"), wherever it stands; stops past `most` of them. */
function headerLines(data: Buffer, most: number): [string, Buffer][] {
  const starts: number[] = [];
  const ends: number[] = [];
  for (let at = data.indexOf(HEADER_START); at >= 0 && starts.length < most; at = data.indexOf(HEADER_START, at + 1)) {
    const eol = data.indexOf(0x0a, at + 1);
    if (eol < 0) break;
    if (eol - at - HEADER_START.length < HEADER_END.length || data.toString('latin1', eol - HEADER_END.length, eol) !== HEADER_END) continue;
    starts.push(at);
    ends.push(eol);
  }
  return starts.map((start, i) => [data.toString('latin1', start + HEADER_START.length, ends[i]! - HEADER_END.length), data.subarray(ends[i]! + 1, i + 1 < starts.length ? starts[i + 1]! : data.length)]);
}

/** "/proc/P/ns/T T:[I]" lines; lines of links that could not be read (an empty target) are skipped. */
export function parseNamespaceLinks(text: string): CollectedNamespace[] {
  const namespaces: CollectedNamespace[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    // "/proc/" pid "/ns/" type " " type ":[" inode "]"
    const slash = line.indexOf('/', 6);
    const space = line.indexOf(' ');
    const open = line.indexOf(':[', space);
    if (!line.startsWith('/proc/') || slash < 0 || space < 0 || open < 0 || !line.startsWith('/ns/', slash) || !line.endsWith(']')) continue;
    const pid = digitsAt(line, 6, slash);
    const inode = Number(line.slice(open + 2, -1));
    const type = line.slice(slash + 4, space);
    if (pid === null || !Number.isSafeInteger(inode) || inode <= 0 || !/^[a-z_]+$/.test(type)) continue;
    namespaces.push({ pid, type, inode });
  }
  return namespaces;
}

/** Lines "/proc/P" of the pids section, and "/proc/P/task/T" of the tasks section. */
function pidsOf(section: Buffer | undefined): string[] {
  return (section ?? Buffer.alloc(0)).toString('latin1').split('\n').filter((l) => l.startsWith('/proc/') && digitsAt(l, 6, l.length) !== null);
}

function tidsOf(section: Buffer | undefined): Map<number, number[]> {
  const tids = new Map<number, number[]>();
  for (const line of (section ?? Buffer.alloc(0)).toString('latin1').split('\n')) {
    const slash = line.indexOf('/task/', 6);
    if (!line.startsWith('/proc/') || slash < 0) continue;
    const pid = digitsAt(line, 6, slash);
    const tid = digitsAt(line, slash + 6, line.length);
    if (pid === null || tid === null) continue;
    const list = tids.get(pid);
    if (list) list.push(tid);
    else tids.set(pid, [tid]);
  }
  return tids;
}

/** "<sep>HEAD\nBODY<sep>HEAD\nBODY...": [HEAD, BODY] pairs; what stands before the first separator is dropped. */
export function subsections(section: Buffer | undefined, sep: Buffer): [string, Buffer][] {
  if (!section) return [];
  return splitBuffer(section, sep)
    .slice(1)
    .map((entry) => {
      const nl = entry.indexOf(0x0a);
      return nl < 0 ? [entry.toString('latin1'), Buffer.alloc(0)] : [entry.subarray(0, nl).toString('latin1'), entry.subarray(nl + 1)];
    });
}

/** A second read of the process files whose framing failed its proof: its output, parsed (buildRereadScript). */
export type Reread = Pick<CollectOutput, 'files' | 'pathErrors'>;

/**
 * What was made of a section while the reply still arrived (early-parse.ts). The reader takes it only for a
 * section whose bytes are the very same as `bytes`, so nothing believed depends on the early, unproven cut.
 */
export interface PreparedSection {
  bytes: Buffer;
  /** an "h <group>" section's files at every full header line, unproven (readHeadLines) */
  headLines?: [string, Buffer][];
  links?: Map<string, string>;
  namespaces?: CollectedNamespace[];
}

export function parseCollectOutput(stdout: Buffer, stderr: string, nonce: string, reread?: Reread, prepared?: ReadonlyMap<string, PreparedSection>): CollectOutput {
  const mark = sectionMark(nonce);
  const sections = splitSections(stdout, mark);
  const ready = (name: string): PreparedSection | undefined => {
    const early = prepared?.get(name);
    const section = sections.get(name);
    return early && section && early.bytes.equals(section) ? early : undefined;
  };
  const { pathErrors, unopened, otherErrors } = parseStderr(`${sections.get(SECTION.firstReadErrors)?.toString('utf8') ?? ''}\n${stderr}`);
  const result: CollectOutput = {
    complete: sections.has(SECTION.end),
    firstReadComplete: sections.has(SECTION.firstReadEnd),
    noProc: sections.has(SECTION.noProc) ? sections.get(SECTION.noProc)!.toString('utf8').trim() : null,
    noTmp: sections.has(SECTION.noTmp),
    clockTicks: Number(sections.get(SECTION.clockTicks)?.toString('latin1').trim()) || 100,
    selfPid: Number(sections.get(SECTION.self)?.toString('latin1').trim().split(' ')[0]) || null,
    collectorChain: (sections.get(SECTION.self)?.toString('latin1').trim().split(' ') ?? []).map(Number).filter((n) => Number.isInteger(n) && n > 0),
    namespaces: ready(SECTION.namespaces)?.namespaces ?? parseNamespaceLinks((sections.get(SECTION.namespaces) ?? Buffer.alloc(0)).toString('latin1')),
    processes: new Map(),
    unproven: [],
    unprovenPaths: [],
    files: new Map(),
    links: new Map(),
    pathErrors,
    otherErrors,
    cgroup2Mount: sections.get(SECTION.cgroup2Mount)?.toString('utf8').trim() || null,
    cgroupMounts: new Map(
      (sections.get(SECTION.cgroupMounts)?.toString('utf8') ?? '')
        .split('\n')
        .map((l) => /^(memory|cpu|pids) (\/\S*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, m[2]!]),
    ),
    nameLines: decodeBytes(sections.get(SECTION.names) ?? Buffer.alloc(0)).split('\n').filter((l) => l !== ''),
    utsHostnames: new Map(),
    pageSize: Number(sections.get(SECTION.pageSize)?.toString('latin1').trim()) || 4096,
    uptimeSec: Number(sections.get(SECTION.uptime)?.toString('latin1').trim().split(/\s+/)[0]) || null,
    bootTimeSec: Number(sections.get(SECTION.bootTime)?.toString('latin1').trim()) || null,
    loadavg: parseLoadavg(sections.get(SECTION.loadavg)?.toString('latin1') ?? ''),
    overview: parseOverview(sections),
    compactStats: sections.has(SECTION.compactStat) ? parseCompactStat(sections.get(SECTION.compactStat)!.toString('latin1')) : null,
    compactStatsCut: false,
    mountedNetns: [],
    orphanNetTables: new Map(),
    ssUnix: new Map(),
    tmpFull: sections.has(SECTION.tmpFull) ? sections.get(SECTION.tmpFull)!.toString('utf8').trim() : null,
    alive: sections.has(SECTION.alive) ? parseAlive(sections.get(SECTION.alive)!.toString('latin1')) : null,
  };
  result.compactStatsCut = sections.has(SECTION.compactStat) && result.compactStats === null;

  for (const [head, body] of subsections(sections.get(SECTION.uts), Buffer.from(`\n${mark}${SUB.uts} `))) {
    const pid = Number(head);
    const hostname = decodeBytes(body).replace(/\n$/, '');
    if (head !== '' && Number.isInteger(pid) && hostname !== '') result.utsHostnames.set(pid, hostname);
  }

  for (const line of (sections.get(SECTION.mountedNetns) ?? Buffer.alloc(0)).toString('latin1').split('\n')) {
    const m = /^net:\[(\d+)\] (\/.*)$/.exec(line);
    if (m) result.mountedNetns.push({ inode: Number(m[1]), path: m[2]! });
  }
  for (const [head, body] of subsections(sections.get(SECTION.orphanNetns), Buffer.from(`\n${mark}${SUB.orphanNetns} `))) {
    const inode = Number(/^net:\[(\d+)\]$/.exec(head)?.[1]);
    if (!Number.isInteger(inode) || inode <= 0) continue;
    const tables = new Map<string, Buffer>();
    for (const [table, content] of subsections(Buffer.concat([Buffer.from('\n'), body]), Buffer.from(`\n${mark}${SUB.table} `))) tables.set(table, content);
    result.orphanNetTables.set(inode, tables);
  }
  for (const [dir, content] of subsections(sections.get(SECTION.ssUnix), Buffer.from(`\n${mark}${SUB.ss} `))) {
    if (/^\/proc\/\d+$/.test(dir)) result.ssUnix.set(dir, content);
  }

  const dirs = pidsOf(sections.get(SECTION.pids));
  const tids = tidsOf(sections.get(SECTION.tasks));
  for (const dir of dirs) {
    const pid = Number(dir.slice(6));
    result.processes.set(pid, { files: {}, tids: tids.get(pid) ?? [] });
  }
  for (const [name, section] of sections) {
    const kinds = name.startsWith(HEAD_SECTION_PREFIX) ? groupOf(name.slice(HEAD_SECTION_PREFIX.length)) : null;
    if (!kinds) continue;
    const listed = dirs.flatMap((d) => kinds.map((kind) => `${d}/${kind}`));
    // At most one header more than the files listed is read: enough to tell a forged one.
    let contents = provenContents(listed, unopened, ready(name)?.headLines ?? headerLines(section, listed.length + 1));
    if (!contents && reread) {
      contents = listed.map((path) => {
        const content = reread.files.get(path);
        if (!content) pathErrors.set(path, reread.pathErrors.get(path) ?? pathErrors.get(path) ?? 'not read');
        return content;
      });
    }
    if (!contents) {
      result.unproven.push(...kinds);
      result.unprovenPaths.push(...listed);
      continue;
    }
    for (const [i, dir] of dirs.entries()) {
      const record = result.processes.get(Number(dir.slice(6)))!;
      for (const [k, kind] of kinds.entries()) {
        const at = i * kinds.length + k;
        const content = contents[at];
        if (content && !pathErrors.has(listed[at]!)) record.files[kind] = content;
      }
    }
  }

  for (const [path, content] of subsections(sections.get(SECTION.nodeFiles), Buffer.from(`\n${mark}${SUB.nodeFile} `))) {
    if (path.startsWith('/') && !pathErrors.has(path)) result.files.set(path, content);
  }

  const list = (sections.get(SECTION.list) ?? Buffer.alloc(0)).toString('latin1').split('\n').filter((l) => l !== '');
  const data = sections.get(SECTION.data);
  if (data) {
    const chunks = splitBuffer(data, Buffer.from(`\n${mark}${SUB.file}\n`));
    // chunks[0] is what stands before the first separator: nothing.
    for (let i = 0; i < list.length && i + 1 < chunks.length; i++) {
      const path = list[i]!;
      if (!pathErrors.has(path)) result.files.set(path, chunks[i + 1]!);
    }
  }

  const links = sections.get(SECTION.links);
  if (links) result.links = ready(SECTION.links)?.links ?? parseLinkPairs(links);
  return result;
}

/**
 * The "path\0target\0" pairs of a links section: path -> target (decoded with surrogateescape); a pair cut short
 * and a path outside /proc are dropped. Tens of thousands at a busy node, so an all-ASCII section (the usual one:
 * sockets, pipes, /dev and plain paths) is read as one string and sliced.
 */
export function parseLinkPairs(section: Buffer, links = new Map<string, string>()): Map<string, string> {
  readLinkPairs(section, links);
  return links;
}

/**
 * Adds the whole pairs of `section` to `links`, telling `onPair` of each; returns where the first pair cut short
 * starts (the length when none is).
 */
function readLinkPairs(section: Buffer, links: Map<string, string>, onPair?: (path: string, target: string, again: boolean) => void): number {
  const text = section.toString('latin1');
  const ascii = isAscii(section);
  let at = 0;
  while (at < text.length) {
    const pathEnd = text.indexOf('\0', at);
    const targetEnd = pathEnd < 0 ? -1 : text.indexOf('\0', pathEnd + 1);
    if (targetEnd < 0) break;
    if (text.startsWith('/proc/', at)) {
      const path = text.slice(at, pathEnd);
      const target = ascii ? text.slice(pathEnd + 1, targetEnd) : decodeBytes(section.subarray(pathEnd + 1, targetEnd));
      if (onPair) onPair(path, target, links.has(path));
      links.set(path, target);
    }
    at = targetEnd + 1;
  }
  return at;
}

/** parseLinkPairs over a links section that arrives in pieces: the same map, built as the pairs come. */
export class LinkPairReader {
  readonly links = new Map<string, string>();
  private rest: Buffer = Buffer.alloc(0);

  /** `onPair` is told of each pair as it is read, in order, and whether its path was read before. */
  constructor(private readonly onPair?: (path: string, target: string, again: boolean) => void) {}

  push(piece: Buffer): void {
    const buf = this.rest.length > 0 ? Buffer.concat([this.rest, piece]) : piece;
    // A pair cut short is kept whole for the next piece: a copy, as the piece it stands in may be let go.
    this.rest = Buffer.from(buf.subarray(readLinkPairs(buf, this.links, this.onPair)));
  }
}

/** "/proc/1 /proc/2 …" as the shell expanded its glob; a bare "/proc/[0-9]*" (no pid at all) is an empty set. */
export function parseAlive(text: string): Set<number> {
  const pids = new Set<number>();
  for (const word of text.split(/\s+/)) {
    const m = /^\/proc\/(\d+)$/.exec(word);
    if (m) pids.add(Number(m[1]));
  }
  return pids;
}
