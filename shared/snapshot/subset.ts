/** subsetSnapshot: one process and its descendants, with the sockets, namespaces and containers they use. */
import type { Snapshot } from './types';

export function descendantsOf(snapshot: Snapshot, pid: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of snapshot.processes) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const out = new Set<number>();
  const stack = [pid];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (out.has(next)) continue;
    out.add(next);
    stack.push(...(children.get(next) ?? []));
  }
  return out;
}

export function subsetSnapshot(snapshot: Snapshot, rootPid: number): Snapshot {
  const pids = descendantsOf(snapshot, rootPid);
  const keep = (list: number[]) => list.filter((p) => pids.has(p));
  return {
    ...snapshot,
    processes: snapshot.processes.filter((p) => pids.has(p.pid)),
    namespaces: snapshot.namespaces.map((n) => ({ ...n, pids: keep(n.pids) })).filter((n) => n.pids.length > 0),
    sockets: snapshot.sockets.map((s) => ({ ...s, pids: keep(s.pids) })).filter((s) => s.pids.length > 0),
    containers: snapshot.containers
      .filter((c) => c.pids.some((p) => pids.has(p)))
      .map((c) => ({ ...c, pids: keep(c.pids), pidMap: c.pidMap.filter((m) => pids.has(m.hostPid)) })),
    errors: snapshot.errors.filter((e) => e.pid === undefined || pids.has(e.pid)),
  };
}
