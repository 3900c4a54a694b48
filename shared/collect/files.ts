/**
 * The files the collector reads of every process: the one list that the script (script.ts), the reader
 * (frame.ts) and the assembly (assemble.ts) share. Adding a /proc/<pid> file is an edit here and a use of it
 * in assemble.ts.
 */
export const PROCESS_FILES = ['stat', 'status', 'cmdline', 'cgroup', 'cpuset', 'io'] as const;

export type ProcessFile = (typeof PROCESS_FILES)[number];

/** The files of the first read, sent before anything else: enough for the process table (script.ts, FIRST_READ_END). */
export const FIRST_READ_FILES = ['stat', 'status', 'cmdline', 'cgroup'] as const satisfies readonly ProcessFile[];
/** The rest, read after the first read's end. */
export const LATER_FILES = PROCESS_FILES.filter((f) => !(FIRST_READ_FILES as readonly string[]).includes(f));

/** What the collector read of one process: each file's raw bytes, and its threads. */
export interface ProcessRecord {
  files: Partial<Record<ProcessFile, Buffer>>;
  /** thread ids, from /proc/<pid>/task/ */
  tids: number[];
}

const KIND: Record<string, ProcessFile> = Object.fromEntries(PROCESS_FILES.map((f) => [f, f]));

/** "/proc/42/status" -> [42, "status"]; null for any other path. No regex: it runs for every file of every process. */
export function processFilePath(path: string): [number, ProcessFile] | null {
  if (!path.startsWith('/proc/')) return null;
  const slash = path.indexOf('/', 6);
  if (slash <= 6) return null;
  const pid = digitsAt(path, 6, slash);
  const kind = KIND[path.slice(slash + 1)];
  return pid === null || kind === undefined ? null : [pid, kind];
}

/** The number written in path[from, to) with digits only, or null. */
export function digitsAt(text: string, from: number, to: number): number | null {
  if (to <= from || to - from > 10) return null;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  return n;
}
