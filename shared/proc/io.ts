/** /proc/<pid>/io: "rchar: 123" lines; readable by the process's owner (ptrace access) or root. */

export interface ProcIo {
  /** bytes it asked to read and write (read(2), write(2)), cache or not */
  rchar: number;
  wchar: number;
  /** bytes that reached the storage layer */
  readBytes: number;
  writeBytes: number;
}

export function parseIo(text: string): ProcIo | null {
  const v = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+): (\d+)$/.exec(line.trim());
    if (m) v.set(m[1]!, Number(m[2]));
  }
  const [rchar, wchar, readBytes, writeBytes] = ['rchar', 'wchar', 'read_bytes', 'write_bytes'].map((k) => v.get(k));
  if (rchar === undefined || wchar === undefined) return null;
  return { rchar, wchar, readBytes: readBytes ?? 0, writeBytes: writeBytes ?? 0 };
}
