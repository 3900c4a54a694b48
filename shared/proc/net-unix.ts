/**
 * /proc/net/unix: "Num RefCount Protocol Flags Type St Inode Path".
 * Abstract names print with a leading '@'; unnamed sockets have no Path.
 * The kernel prints paths raw, so a path with a newline continues on the next line.
 */

export interface UnixSocketRow {
  type: 'stream' | 'dgram' | 'seqpacket' | 'unknown';
  state: string;
  inode: number;
  /** path, "@name" for abstract, "" for unnamed */
  path: string;
}

const ROW = /^[0-9a-fA-F]+: ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{4}) ([0-9A-Fa-f]{2}) +(\d+)(?: (.*))?$/;
const SO_ACCEPTCON = 0x10000;
const TYPES: Record<number, UnixSocketRow['type']> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' };
const STATES: Record<number, string> = { 1: 'UNCONN', 2: 'SYN-SENT', 3: 'ESTAB', 4: 'CLOSING' };

export function parseNetUnix(text: string): UnixSocketRow[] {
  const rows: UnixSocketRow[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const m = ROW.exec(line);
    if (!m) {
      const last = rows[rows.length - 1];
      if (last) last.path += '\n' + line;
      continue;
    }
    const flags = parseInt(m[3]!, 16);
    const st = parseInt(m[5]!, 16);
    rows.push({
      type: TYPES[parseInt(m[4]!, 16)] ?? 'unknown',
      state: flags & SO_ACCEPTCON ? 'LISTEN' : (STATES[st] ?? `UNKNOWN-${st}`),
      inode: Number(m[6]),
      path: m[7] ?? '',
    });
  }
  return rows;
}
