/** /proc/<pid>/status: "Key:\tvalue" lines. The kernel escapes "\n" and "\\" in Name, so every line is whole. */

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
  fields: Record<string, string>;
}

export function unescapeStatusName(raw: string): string {
  return raw.replace(/\\(n|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

const numbers = (value: string | undefined): number[] =>
  value === undefined || value.trim() === '' ? [] : value.trim().split(/\s+/).map(Number);

export function parseStatus(text: string): ProcStatus {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^[ \t]+/, '');
  }
  if (fields.Name === undefined || fields.Pid === undefined) throw new Error('status: no Name or Pid line');
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
