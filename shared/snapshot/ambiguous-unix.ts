/**
 * Unix sockets that two rows claimed in /proc/net/unix and in ss alike (assemble.ts marks them `ambiguous`), named
 * from netlink's binary answer (shared/collect/unix-diag.ts), which no socket name can forge.
 */
import type { UnixDiagAsk } from '../collect/unix-diag';
import { type UnixDiag, parseUnixDiag } from '../proc/unix-diag';
import type { Snapshot } from './types';

/** One ask per network namespace holding an ambiguous unix socket, entered through its lowest pid; none when none is ambiguous. */
export function unixDiagAsks(snapshot: Snapshot): UnixDiagAsk[] {
  const inodes = new Map<number, number[]>();
  for (const s of snapshot.sockets) {
    if (s.proto !== 'unix' || !s.ambiguous || s.netns == null) continue;
    inodes.set(s.netns, [...(inodes.get(s.netns) ?? []), s.inode]);
  }
  const asks: UnixDiagAsk[] = [];
  for (const [netns, list] of inodes) {
    const pid = snapshot.namespaces.find((n) => n.type === 'net' && n.inode === netns)?.pids.reduce((a, b) => Math.min(a, b), Infinity);
    if (pid !== undefined && Number.isFinite(pid)) asks.push({ netns, pid, inodes: list.sort((a, b) => a - b) });
  }
  return asks;
}

/** What the node answered: each ask's reader output by pid, or why nothing was asked. */
export interface UnixDiagAnswer {
  byPid: Map<number, string>;
  /** why netlink was not asked at all ("python3 is not on the node") */
  notAsked?: string;
  /** the run's stderr, first line: why a namespace could not be asked */
  stderr?: string;
}

/**
 * Names each ambiguous socket from netlink where its namespace answered (its reader ran in that very namespace) and
 * lists it, and says in the socket's error what was done or why it stays unknown. Returns how many were named.
 */
export function applyUnixDiag(snapshot: Snapshot, asks: UnixDiagAsk[], answer: UnixDiagAnswer): number {
  let named = 0;
  for (const ask of asks) {
    const text = answer.byPid.get(ask.pid);
    const diag: UnixDiag | null = text === undefined ? null : parseUnixDiag(text);
    const why = answer.notAsked ?? (diag === null ? `netlink could not be asked in it${answer.stderr ? ` (${answer.stderr})` : ''}` : diag.netns !== ask.netns ? `pid ${ask.pid} left the namespace before netlink was asked` : null);
    const rows = why === null ? new Map(diag!.rows.map((r) => [r.inode, r])) : new Map();
    for (const inode of ask.inodes) {
      const socket = snapshot.sockets.find((s) => s.proto === 'unix' && s.inode === inode && s.netns === ask.netns && s.ambiguous);
      if (!socket) continue;
      const error = snapshot.errors.find((e) => e.scope === `socket ${inode}`);
      const row = rows.get(inode);
      if (!row) {
        if (error) error.message += why ? `; ${why}` : '; netlink no longer lists it (closed since)';
        continue;
      }
      Object.assign(socket, { local: row.name, state: row.state, type: row.type });
      if (row.peer !== 0) socket.peerInode = row.peer;
      delete socket.ambiguous;
      if (error) error.message = `${error.message.replace(/; neither is trusted$/, '')}; netlink (sock_diag), which no name can forge, has it as ${JSON.stringify(row.name)}, which is kept`;
      named++;
    }
  }
  return named;
}
