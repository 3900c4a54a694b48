/**
 * Asks every node of a fleet the same thing, a bounded number at a time, each within its own deadline; reports
 * each node as it answers. A node that fails (unreachable, refused, a wrong host key, past its deadline) is a
 * result with its error, never the end of the run.
 */
import { type ProcscopeError, toProcscopeError } from '../../shared/errors';
import type { InventoryNode } from '../../shared/fleet/inventory';
import type { NodeSession } from '../engine/session';

export type NodeOutcome<T> = { node: InventoryNode; ms: number } & ({ ok: true; value: T } | { ok: false; error: ProcscopeError });

export interface AskOptions<T> {
  parallel: number;
  deadlineMs: number;
  open(node: InventoryNode): Promise<NodeSession>;
  ask(session: NodeSession, node: InventoryNode): Promise<T>;
  onOutcome?(outcome: NodeOutcome<T>): void;
}

function pastDeadline(node: InventoryNode, ms: number): ProcscopeError {
  return { kind: 'connection', message: `${node.name} did not answer within ${ms / 1000} s.`, hint: 'Is it up and reachable? Give it longer with --timeout SEC.' };
}

async function askOne<T>(node: InventoryNode, o: AskOptions<T>): Promise<NodeOutcome<T>> {
  const started = performance.now();
  let session: NodeSession | null = null;
  let late = false;
  const work = (async () => {
    const s = await o.open(node);
    // Opened after its deadline: nobody waits for it any more.
    if (late) {
      s.close();
      throw new Error('past the deadline');
    }
    session = s;
    return o.ask(s, node);
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(pastDeadline(node, o.deadlineMs));
    }, o.deadlineMs);
  });
  try {
    const value = await Promise.race([work, deadline]);
    return { node, ms: performance.now() - started, ok: true, value };
  } catch (err) {
    const error = (err as ProcscopeError).kind && (err as ProcscopeError).message && !(err instanceof Error) ? (err as ProcscopeError) : toProcscopeError(err);
    return { node, ms: performance.now() - started, ok: false, error };
  } finally {
    clearTimeout(timer);
    work.catch(() => {});
    (session as NodeSession | null)?.close();
  }
}

export async function askFleet<T>(nodes: InventoryNode[], o: AskOptions<T>): Promise<NodeOutcome<T>[]> {
  const outcomes: NodeOutcome<T>[] = [];
  let next = 0;
  const worker = async () => {
    while (next < nodes.length) {
      const node = nodes[next++]!;
      const outcome = await askOne(node, o);
      outcomes.push(outcome);
      o.onOutcome?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel, nodes.length)) }, worker));
  return outcomes;
}
