/**
 * `ss -xaHn` (iproute2, from netlink sock_diag): unix sockets with their peer's inode, which /proc/net/unix lacks.
 * "u_str ESTAB 0 0 /run/x 61060 * 61059": netid, state, queues, local name and inode, peer name and inode.
 *
 * Names are printed raw, so a name can hold a newline and a whole fake line. A line is trusted only for its
 * last two numbers, and only when no other line claims the same inode: a forged line with a real socket's
 * inode always meets that socket's own line. Peers are kept only where both ends agree.
 */

const ROW_START = /^u_(?:str|dgr|seq) /;

/** Lines joined into rows: a line that does not start a row continues the name of the one before. */
function rows(text: string): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (ROW_START.test(line) || out.length === 0) out.push(line);
    else out[out.length - 1] += '\n' + line;
  }
  return out;
}

export interface SsUnixRow {
  inode: number;
  peer: number;
  /** the name as ss printed it: a path, "@name" for abstract, "" for unnamed ("*") */
  name: string;
  state: string;
  type: 'stream' | 'dgram' | 'seqpacket';
}

const ROW = /^u_(str|dgr|seq) +(\S+) +\d+ +\d+ +([\s\S]*) (\d+) +\S+ +(\d+) *$/;
const SS_TYPES = { str: 'stream', dgr: 'dgram', seq: 'seqpacket' } as const;

/**
 * Every row, its name whole: a line that does not start a row (a /proc/net/unix-style fake row in a name, say)
 * is part of the name before it. A name can still carry a whole fake ss line; that one meets its inode's own row.
 */
export function parseSsUnix(text: string): SsUnixRow[] {
  const out: SsUnixRow[] = [];
  for (const row of rows(text)) {
    const m = ROW.exec(row);
    if (!m) continue;
    const name = m[3]!.replace(/ +$/, '');
    out.push({ inode: Number(m[4]), peer: Number(m[5]), name: name === '*' ? '' : name, state: m[2]!, type: SS_TYPES[m[1] as keyof typeof SS_TYPES] });
  }
  return out;
}

/** socket inode -> its peer's inode, for connected unix sockets whose two lines agree (rows of one `ss -xaHn`). */
export function unixPeers(rows: SsUnixRow[]): Map<number, number> {
  const claims = new Map<number, number[]>();
  for (const { inode, peer } of rows) {
    const list = claims.get(inode);
    if (list) list.push(peer);
    else claims.set(inode, [peer]);
  }
  const peers = new Map<number, number>();
  for (const [inode, list] of claims) {
    if (list.length !== 1 || list[0] === 0) continue;
    const peer = list[0]!;
    const back = claims.get(peer);
    if (back && back.length === 1 && back[0] === inode) peers.set(inode, peer);
  }
  return peers;
}

export const parseSsUnixPeers = (text: string): Map<number, number> => unixPeers(parseSsUnix(text));
