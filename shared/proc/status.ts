/** /proc/<pid>/status: "Key:\tvalue" lines. The kernel escapes "\n" and "\\" in Name, so every line is whole. */
import { parseFailure } from '../errors';

export interface ProcStatus {
  name: string;
  state: string;
  tgid: number;
  pid: number;
  ppid: number;
  /** real, effective, saved, filesystem */
  uids: number[];
  gids: number[];
  threads: number | null;
  /** NSpid, outermost first; null where the kernel does not print it (before 4.1). */
  nspid: number[] | null;
  vmRssKb: number | null;
  /** the lines procscope reads, by key */
  fields: Record<string, string>;
}

export function unescapeStatusName(raw: string): string {
  return raw.replace(/\\(n|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

const numbers = (value: string | undefined): number[] =>
  value === undefined || value.trim() === '' ? [] : value.trim().split(/\s+/).map(Number);

/**
 * The keys procscope uses: the others are skipped without being copied, and the collector sends only these lines
 * (script.ts), a third of each file's bytes.
 */
export const STATUS_KEYS = ['Name', 'State', 'Tgid', 'Pid', 'PPid', 'Uid', 'Gid', 'Threads', 'NSpid', 'VmRSS'] as const;
const WANTED: ReadonlySet<string> = new Set(STATUS_KEYS);

export function parseStatus(text: string): ProcStatus {
  const fields: Record<string, string> = {};
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      const key = text.slice(start, colon);
      if (WANTED.has(key)) fields[key] = text.slice(colon + 1, end).replace(/^[ \t]+/, '');
    }
    start = end + 1;
  }
  if (fields.Name === undefined || fields.Pid === undefined) parseFailure('status', 'no Name or Pid line');
  const int = (key: string): number | null => {
    const v = fields[key];
    if (v === undefined) return null;
    const n = parseInt(v, 10);
    return Number.isFinite(n) ? n : null;
  };
  return {
    name: unescapeStatusName(fields.Name),
    state: (fields.State ?? '').charAt(0),
    tgid: int('Tgid') ?? int('Pid')!,
    pid: int('Pid')!,
    ppid: int('PPid') ?? 0,
    uids: numbers(fields.Uid),
    gids: numbers(fields.Gid),
    threads: int('Threads'),
    nspid: fields.NSpid === undefined ? null : numbers(fields.NSpid),
    vmRssKb: int('VmRSS'),
    fields,
  };
}
