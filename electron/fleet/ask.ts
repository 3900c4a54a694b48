/**
 * Asks every node of a fleet the same thing, a bounded number at a time, each within its own deadline; reports
 * each node as it answers. A node that fails (unreachable, refused, a wrong host key, past its deadline) is a
 * result with its error, never the end of the run.
 */
import { type ProcscopeError, toProcscopeError } from '../../shared/errors';
import type { NodeSession } from '../engine/session';
import { fail } from '../../shared/errors';

/** A node of an inventory, a saved node: anything with a name to report it by. */
interface Named {
  name: string;
}

export type NodeOutcome<N, T> = { node: N; ms: number } & ({ ok: true; value: T } | { ok: false; error: ProcscopeError });

export interface AskOptions<N, T> {
  parallel: number;
  deadlineMs: number;
  open(node: N): Promise<NodeSession>;
  ask(session: NodeSession, node: N): Promise<T>;
  onOutcome?(outcome: NodeOutcome<N, T>): void;
  /** takes the session once its node is done (to keep it for the next question); without it the session is closed */
  release?(session: NodeSession, node: N, ok: boolean): void;
}

function pastDeadline(node: Named, ms: number): ProcscopeError {
  return { kind: 'connection', message: `${node.name} did not answer within ${ms / 1000} s.`, hint: 'Is it up and reachable? Give it longer with --timeout SEC.' };
}

async function askOne<N extends Named, T>(node: N, o: AskOptions<N, T>): Promise<NodeOutcome<N, T>> {
  const started = performance.now();
  let session: NodeSession | null = null;
  let late = false;
  let ok = false;
  const work = (async () => {
    const s = await o.open(node);
    // Opened after its deadline: nobody waits for it any more.
    if (late) {
      s.close();
      fail({ kind: 'connection', message: 'past the deadline' });
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
    ok = true;
    return { node, ms: performance.now() - started, ok: true, value };
  } catch (err) {
    const error = (err as ProcscopeError).kind && (err as ProcscopeError).message && !(err instanceof Error) ? (err as ProcscopeError) : toProcscopeError(err);
    return { node, ms: performance.now() - started, ok: false, error };
  } finally {
    clearTimeout(timer);
    work.catch(() => {});
    const done = session as NodeSession | null;
    if (done) {
      if (o.release) o.release(done, node, ok);
      else done.close();
    }
  }
}

export async function askFleet<N extends Named, T>(nodes: N[], o: AskOptions<N, T>): Promise<NodeOutcome<N, T>[]> {
  const outcomes: NodeOutcome<N, T>[] = [];
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
