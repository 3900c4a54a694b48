/**
 * /proc/net/{tcp,tcp6,udp,udp6,raw,raw6,udplite,udplite6}: one table format.
 * "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ..."
 * Addresses are hex of the kernel's in-memory words: IPv4 one little-endian u32,
 * IPv6 four of them.
 */
import { parseFailure } from '../errors';

export interface InetSocketRow {
  local: string;
  remote: string;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** as ss names it */
  state: string;
  uid: number;
  inode: number;
  /** Send-Q and Recv-Q in bytes */
  txQueue?: number;
  rxQueue?: number;
}

/** ss's names for the kernel's TCP states (include/net/tcp_states.h); UDP and raw use 1 (connected) and 7 (unconnected). */
const STATES: Record<number, string> = {
  1: 'ESTAB',
  2: 'SYN-SENT',
  3: 'SYN-RECV',
  4: 'FIN-WAIT-1',
  5: 'FIN-WAIT-2',
  6: 'TIME-WAIT',
  7: 'UNCONN',
  8: 'CLOSE-WAIT',
  9: 'LAST-ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'NEW-SYN-RECV',
};

function hexWordToBytes(word: string): number[] {
  const v = parseInt(word, 16);
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

function formatIPv6(bytes: number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (isMapped) return `::ffff:${bytes.slice(12).join('.')}`;
  // RFC 5952: compress the longest run (at least two) of zero groups.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** "0100007F:0016" -> { address: "127.0.0.1", port: 22 } */
export function decodeInetAddress(field: string): { address: string; port: number; v6: boolean } {
  const [hexAddr, hexPort] = field.split(':');
  if (!hexAddr || !hexPort || !/^[0-9A-Fa-f]+$/.test(hexAddr + hexPort)) {
    parseFailure('net', `bad address ${JSON.stringify(field)}`);
  }
  const port = parseInt(hexPort, 16);
  if (hexAddr.length === 8) return { address: hexWordToBytes(hexAddr).join('.'), port, v6: false };
  if (hexAddr.length === 32) {
    const bytes: number[] = [];
    for (let i = 0; i < 32; i += 8) bytes.push(...hexWordToBytes(hexAddr.slice(i, i + 8)));
    return { address: formatIPv6(bytes), port, v6: true };
  }
  parseFailure('net', `bad address length in ${JSON.stringify(field)}`);
}

/** "ip:port" as ss prints it: IPv6 in brackets, port 0 as "*". */
export function formatEndpoint(address: string, port: number, v6: boolean): string {
  const host = v6 ? `[${address}]` : address;
  return `${host}:${port === 0 ? '*' : port}`;
}

export function parseNetInet(text: string): InetSocketRow[] {
  const rows: InetSocketRow[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const cols = lines[i]!.trim().split(/\s+/);
    if (cols.length < 10 || !/^\d+:$/.test(cols[0]!)) continue;
    const local = decodeInetAddress(cols[1]!);
    const remote = decodeInetAddress(cols[2]!);
    const stateCode = parseInt(cols[3]!, 16);
    const [tx, rx] = cols[4]!.split(':').map((h) => parseInt(h, 16));
    rows.push({
      local: formatEndpoint(local.address, local.port, local.v6),
      remote: formatEndpoint(remote.address, remote.port, remote.v6),
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      state: STATES[stateCode] ?? `UNKNOWN-${stateCode}`,
      uid: Number(cols[7]),
      inode: Number(cols[9]),
      ...(Number.isFinite(tx) && Number.isFinite(rx) ? { txQueue: tx!, rxQueue: rx! } : {}),
    });
  }
  return rows;
}

/** An endpoint compared by value: an IPv4-mapped IPv6 address ("[::ffff:127.0.0.1]:80") is its IPv4 address. */
export function endpointKey(endpoint: string): string {
  const m = /^\[::ffff:(\d+\.\d+\.\d+\.\d+)\]:(\d+)$/i.exec(endpoint);
  return m ? `${m[1]}:${m[2]}` : endpoint;
}
