/**
 * The files the collector reads of every process: the one list that the script (script.ts), the reader
 * (frame.ts) and the assembly (assemble.ts) share. Adding a /proc/<pid> file is an edit here and a use of it
 * in assemble.ts.
 */
export const PROCESS_FILES = ['stat', 'status', 'cmdline', 'cgroup', 'cpuset', 'io'] as const;

export type ProcessFile = (typeof PROCESS_FILES)[number];

/**
 * The process files one `head` reads together, each process's in this order: an "h stat+status" section (script.ts,
 * procfiles), proven or read again as a whole (frame.ts). Fewer groups start fewer processes (on a node whose CPUs
 * are saturated each start waits its turn), but in the first read a file whose bytes someone other than the kernel
 * chooses (an argv, a cgroup path: any user with a delegated cgroup names one) has a group of its own, so that a
 * header forged there costs the first read that one kind, never the others. Later, a forged header costs its group
 * a second read with the nonce framing, and nothing else.
 */
export const FIRST_READ_GROUPS = [['stat', 'status'], ['cmdline'], ['cgroup']] as const satisfies readonly (readonly ProcessFile[])[];
/** The rest, read after the first read's end. */
export const LATER_GROUPS = [['cpuset', 'io']] as const satisfies readonly (readonly ProcessFile[])[];

/** Files a full read reads only when asked (a column shown needs it: shared/process-columns.ts); every one by default. */
export const OPTIONAL_FILES = ['io'] as const satisfies readonly ProcessFile[];

/** The later groups less the optional files not wanted (undefined: all wanted); a group left empty is dropped. */
export function laterGroups(wanted?: readonly ProcessFile[]): ProcessFile[][] {
  const left = (f: ProcessFile) => wanted === undefined || !(OPTIONAL_FILES as readonly ProcessFile[]).includes(f) || wanted.includes(f);
  return LATER_GROUPS.map((g) => g.filter(left)).filter((g) => g.length > 0);
}

/** The optional files a read with `wanted` leaves out. */
export function unreadFiles(wanted?: readonly ProcessFile[]): ProcessFile[] {
  return wanted === undefined ? [] : OPTIONAL_FILES.filter((f) => !wanted.includes(f));
}

/** The files of the first read, sent before anything else: enough for the process table (script.ts, FIRST_READ_END). */
export const FIRST_READ_FILES: readonly ProcessFile[] = FIRST_READ_GROUPS.flat();

/** name -> kind, with no prototype behind it ("constructor" names no kind) */
const KIND: ReadonlyMap<string, ProcessFile> = new Map(PROCESS_FILES.map((f) => [f, f]));

/** A group's section name after "h ": "stat+status". */
export const groupName = (group: readonly ProcessFile[]): string => group.join('+');

/** The kinds of an "h <group>" section's name, or null when it names anything but process files. */
export function groupOf(name: string): ProcessFile[] | null {
  const kinds = name.split('+');
  return kinds.every((k) => KIND.has(k)) ? kinds.map((k) => KIND.get(k)!) : null;
}


/** "/proc/42/status" -> [42, "status"]; null for any other path. No regex: it runs for every file of every process. */
export function processFilePath(path: string): [number, ProcessFile] | null {
  if (!path.startsWith('/proc/')) return null;
  const slash = path.indexOf('/', 6);
  if (slash <= 6) return null;
  const pid = digitsAt(path, 6, slash);
  const kind = KIND.get(path.slice(slash + 1));
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
