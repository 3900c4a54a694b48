/**
 * Parsing a reply's process files while the node still walks its links. The reader hands everything before the
 * "links" mark to parseEarly(); the assembly then takes each file's parse from the cache when the file's bytes
 * are the very same (by their SHA-256), so what is believed never depends on the early, unproven cut.
 */
import { decodeBytes } from '../bytes';
import { type ProcessFile, processFilePath } from '../collect/files';
import { readHeadLines } from '../collect/frame';
import { type CgroupEntry, parseCgroup } from '../proc/cgroup';
import { parseCmdline } from '../proc/cmdline';
import { parseStat } from '../proc/stat';
import { parseStatus } from '../proc/status';

/** The parse of each kind of process file: the one place the assembly and the early parse both take it from. */
export const PROCESS_FILE_PARSERS = {
  stat: (raw: Buffer) => parseStat(decodeBytes(raw)),
  status: (raw: Buffer) => parseStatus(decodeBytes(raw)),
  cmdline: (raw: Buffer) => parseCmdline(decodeBytes(raw)),
  cpuset: (raw: Buffer) => decodeBytes(raw).replace(/\n$/, ''),
} satisfies Partial<Record<ProcessFile, (raw: Buffer) => unknown>>;

type Parsed = { [K in keyof typeof PROCESS_FILE_PARSERS]: ReturnType<(typeof PROCESS_FILE_PARSERS)[K]> };

export class ParseCache {
  /** path -> a digest of the bytes parsed, and the parse: the bytes themselves are let go (memory, at 10,000 processes) */
  private readonly entries = new Map<string, { digest: string; value: unknown }>();
  /** cgroup file text -> its entries, shared (frozen) by every process with that text */
  readonly cgroups = new Map<string, CgroupEntry[]>();

  /** `digest` names bytes by a collision-resistant hash (SHA-256: a forged early cut must not pass for the proven file). */
  constructor(private readonly digest: (raw: Buffer) => string = () => '') {}

  /** The parse of `raw`, the file at `path`: from the cache when it was made of these very bytes, else parsed now. */
  parse<K extends keyof typeof PROCESS_FILE_PARSERS>(kind: K, path: string, raw: Buffer): Parsed[K] {
    const hit = this.entries.get(path);
    if (hit && hit.digest === this.digest(raw)) return hit.value as Parsed[K];
    return PROCESS_FILE_PARSERS[kind](raw) as Parsed[K];
  }

  /** how many files were parsed ahead */
  get size(): number {
    return this.entries.size;
  }

  remember(path: string, raw: Buffer, value: unknown): void {
    this.entries.set(path, { digest: this.digest(raw), value });
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

/** The files of every "h <group>" section of `prefix`, split at their header lines, unproven. */
function headFiles(prefix: Buffer, mark: string): [string, Buffer][] {
  const files: [string, Buffer][] = [];
  const opening = Buffer.from(`\n${mark} h `);
  for (let start = prefix.indexOf(opening); start >= 0; start = prefix.indexOf(opening, start + 1)) {
    const body = prefix.indexOf(0x0a, start + opening.length);
    if (body < 0) break;
    const end = prefix.indexOf(`\n${mark} `, body);
    files.push(...readHeadLines(prefix.subarray(body + 1, end < 0 ? prefix.length : end)));
  }
  return files;
}

/** Parses the process files in the "h <group>" sections of `prefix` (the reply up to its links) into a new cache. */
export function parseEarly(prefix: Buffer, mark: string, digest: (raw: Buffer) => string): ParseCache {
  const cache = new ParseCache(digest);
  // A file that does not parse is parsed again, and its error kept, when the snapshot is assembled.
  for (const [path, raw] of headFiles(prefix, mark)) {
    const kind = processFilePath(path)?.[1];
    try {
      if (kind === 'cgroup') cache.cgroupsOf(raw);
      else if (kind !== undefined && kind in PROCESS_FILE_PARSERS) {
        const parser = kind as keyof typeof PROCESS_FILE_PARSERS;
        cache.remember(path, raw, PROCESS_FILE_PARSERS[parser](raw));
      }
    } catch {}
  }
  return cache;
}
