/**
 * Parsing a reply while it arrives. Every section is split as its bytes come (section-stream.ts) and prepared as
 * it closes: an "h <group>" section is cut at its header lines and each file parsed into a ParseCache, the
 * namespace links parsed, the links parsed pair by pair as they stream. The reader (frame.ts) takes a prepared
 * section only when its bytes are the very same as the final reply's, and its header lines only when they prove
 * the framing; the assembly takes a file's parse only for the very Buffer it was made of. So what is believed
 * never depends on the early, unproven cut.
 */
import { HEAD_SECTION_PREFIX, SECTION } from '../collect/protocol';
import { decodeBytes } from '../bytes';
import { type ProcessFile, processFilePath } from '../collect/files';
import { LinkPairReader, type PreparedSection, parseNamespaceLinks, readHeadLines } from '../collect/frame';
import type { SectionSink } from '../collect/section-stream';
import { type CgroupEntry, parseCgroup } from '../proc/cgroup';
import { parseCmdline } from '../proc/cmdline';
import { parseIo } from '../proc/io';
import { parseStat } from '../proc/stat';
import { parseStatus } from '../proc/status';
import { FdTables } from './fd-tables';
import type { SnapshotFd } from './types';

/** The parse of each kind of process file: the one place the assembly and the early parse both take it from. */
export const PROCESS_FILE_PARSERS = {
  stat: (raw: Buffer) => parseStat(decodeBytes(raw)),
  status: (raw: Buffer) => parseStatus(decodeBytes(raw)),
  cmdline: (raw: Buffer) => parseCmdline(decodeBytes(raw)),
  cpuset: (raw: Buffer) => decodeBytes(raw).replace(/\n$/, ''),
  io: (raw: Buffer) => parseIo(raw.toString('latin1')),
} satisfies Partial<Record<ProcessFile, (raw: Buffer) => unknown>>;

type Parsed = { [K in keyof typeof PROCESS_FILE_PARSERS]: ReturnType<(typeof PROCESS_FILE_PARSERS)[K]> };

export class ParseCache {
  /** path -> the bytes parsed (a view into a prepared section: no copy) and the parse */
  private readonly entries = new Map<string, { raw: Buffer; value: unknown }>();
  /** cgroup file text -> its entries, shared (frozen) by every process with that text */
  readonly cgroups = new Map<string, CgroupEntry[]>();
  /** how many parses were taken from the cache */
  hits = 0;
  /** the fd tables built from a links map as it streamed, and that map */
  private fds: { links: ReadonlyMap<string, string>; tables: Map<number, SnapshotFd[]> } | null = null;

  /** The fd tables of `links` when they were built from this very map, else undefined. */
  fdsOf(links: ReadonlyMap<string, string>): Map<number, SnapshotFd[]> | undefined {
    return this.fds?.links === links ? this.fds.tables : undefined;
  }

  rememberFds(links: ReadonlyMap<string, string>, tables: Map<number, SnapshotFd[]>): void {
    this.fds = { links, tables };
  }

  /** The parse of `raw`, the file at `path`: from the cache when it was made of this very Buffer, else parsed now. */
  parse<K extends keyof typeof PROCESS_FILE_PARSERS>(kind: K, path: string, raw: Buffer): Parsed[K] {
    const hit = this.entries.get(path);
    if (hit && hit.raw === raw) {
      this.hits++;
      return hit.value as Parsed[K];
    }
    return PROCESS_FILE_PARSERS[kind](raw) as Parsed[K];
  }

  /** how many files were parsed ahead */
  get size(): number {
    return this.entries.size;
  }

  remember(path: string, raw: Buffer, value: unknown): void {
    this.entries.set(path, { raw, value });
  }

  /** A cgroup file parsed once per distinct text: thousands of processes share a handful. */
  cgroupsOf(raw: Buffer): CgroupEntry[] {
    const text = decodeBytes(raw);
    let entries = this.cgroups.get(text);
    if (!entries) {
      entries = Object.freeze(parseCgroup(text).map((e) => Object.freeze(e))) as CgroupEntry[];
      this.cgroups.set(text, entries);
    }
    return entries;
  }
}

/** Parses the files of a head section's unproven split into `cache`; one that does not parse is parsed again, and its error kept, by the assembly. */
function parseHeadFiles(lines: [string, Buffer][], cache: ParseCache): void {
  for (const [path, raw] of lines) {
    const kind = processFilePath(path)?.[1];
    try {
      if (kind === 'cgroup') cache.cgroupsOf(raw);
      else if (kind !== undefined && kind in PROCESS_FILE_PARSERS) {
        const parser = kind as keyof typeof PROCESS_FILE_PARSERS;
        cache.remember(path, raw, PROCESS_FILE_PARSERS[parser](raw));
      }
    } catch {
      // Left to the final parse, which reports it with its path.
    }
  }
}

/** A SectionSink that prepares each section of a reply as it closes (and the links as they come) for the reader. */
export class SectionPreparer implements SectionSink {
  readonly prepared = new Map<string, PreparedSection>();
  private links: { reader: LinkPairReader; fds: FdTables } | null = null;

  constructor(readonly cache = new ParseCache()) {}

  /** Only the sections it prepares are kept whole. */
  keeps(name: string): boolean {
    return name.startsWith(HEAD_SECTION_PREFIX) || name === SECTION.namespaces || name === SECTION.links;
  }

  open(name: string): void {
    if (name !== SECTION.links) return;
    const fds = new FdTables();
    this.links = { reader: new LinkPairReader((path, target, again) => fds.add(path, target, again)), fds };
  }

  data(name: string, piece: Buffer): void {
    if (name === SECTION.links) this.links?.reader.push(piece);
  }

  close(name: string, body: Buffer | null): void {
    if (body === null) return;
    if (name.startsWith(HEAD_SECTION_PREFIX)) {
      const headLines = readHeadLines(body);
      parseHeadFiles(headLines, this.cache);
      this.prepared.set(name, { bytes: body, headLines });
    } else if (name === SECTION.namespaces) {
      this.prepared.set(name, { bytes: body, namespaces: parseNamespaceLinks(body.toString('latin1')) });
    } else if (name === SECTION.links && this.links) {
      const { links } = this.links.reader;
      this.prepared.set(name, { bytes: body, links });
      this.cache.rememberFds(links, this.links.fds.tables(links));
      this.links = null;
    }
  }
}
