/**
 * The unix sockets of one network namespace as netlink's sock_diag has them (UNIX_DIAG), printed by the collector's
 * small netlink reader (shared/collect/unix-diag.ts) for the inodes asked about:
 *
 *   netns 4026531840
 *   61060 1 10 0 2f72756e2f78
 *   end
 *
 * "inode type state peer name": the socket type (1 stream, 2 dgram, 5 seqpacket), the kernel's state (10 listen,
 * 1 connected, 7 unconnected), the peer's inode (0: none), and the name's bytes in hex ("-": unnamed). A name cannot
 * forge a row here: it is hex. A text that does not end with "end" was cut short and gives nothing.
 */
import { decodeBytes } from '../bytes';

export interface UnixDiagRow {
  inode: number;
  type: 'stream' | 'dgram' | 'seqpacket' | 'unknown';
  state: string;
  peer: number;
  /** a path, "@name" for an abstract name (each NUL shown as "@", as /proc/net/unix does), "" for unnamed */
  name: string;
}

export interface UnixDiag {
  /** the network namespace the reader ran in, as it saw it */
  netns: number;
  rows: UnixDiagRow[];
}

const TYPES: Record<string, UnixDiagRow['type']> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' };
const STATES: Record<string, string> = { 1: 'ESTAB', 2: 'SYN-SENT', 7: 'UNCONN', 10: 'LISTEN', 11: 'CLOSING' };

function nameOf(hex: string): string {
  if (hex === '-') return '';
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length === 0) return '';
  // a path: up to its terminating NUL, which the kernel keeps in the address
  if (bytes[0] !== 0) return decodeBytes(bytes.subarray(0, bytes.indexOf(0) < 0 ? bytes.length : bytes.indexOf(0)));
  // abstract: the kernel shows every NUL as "@"
  return decodeBytes(Buffer.from(bytes.map((b) => (b === 0 ? 0x40 : b))));
}

/** The reader's answer, or null when it did not finish (no "netns" line first, no "end" last) or ran into an error. */
export function parseUnixDiag(text: string): UnixDiag | null {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const head = /^netns (\d+)$/.exec(lines[0] ?? '');
  if (!head || lines[lines.length - 1] !== 'end') return null;
  const rows: UnixDiagRow[] = [];
  for (const line of lines.slice(1, -1)) {
    const m = /^(\d+) (\d+) (\d+) (\d+) (-|(?:[0-9a-f]{2})+)$/.exec(line);
    if (!m) return null;
    rows.push({ inode: Number(m[1]), type: TYPES[m[2]!] ?? 'unknown', state: STATES[m[3]!] ?? `UNKNOWN-${m[3]}`, peer: Number(m[4]), name: nameOf(m[5]!) });
  }
  return { netns: Number(head[1]), rows };
}
