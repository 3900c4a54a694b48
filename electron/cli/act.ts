/**
 * `procscope signal TARGET PID[@START]... SIGNAL` and `procscope renice TARGET PID[@START]... N`: shows each process
 * as it is now and asks before acting (unless --yes); acts only on a pid whose start time is still the one seen (or
 * given after @); logs each action locally.
 */
import { type ActionResult, type ActionTarget, type ProcessAction, SIGNALS, checkAction, describeAction } from '../../shared/actions/actions';
import type { LookedProcess } from '../../shared/actions/look';
import { visibleText } from '../../shared/visible';
import type { NodeSession } from '../engine/session';
import { UsageError } from '../../shared/errors';

export interface ActArgs {
  target: string | undefined;
  pids: { pid: number; startTicks?: number }[];
  action: ProcessAction;
}

/** TARGET (optional), the pids, and last the signal or the nice value; throws a message for a usage error. */
export function parseActArgs(command: 'signal' | 'renice', positionals: string[]): ActArgs {
  const last = positionals[positionals.length - 1];
  if (positionals.length < 2 || last === undefined) throw new UsageError(command === 'signal' ? `signal needs a PID and a SIGNAL (${SIGNALS.join(', ')})` : 'renice needs a PID and a nice value (-20 to 19)');
  let action: ProcessAction;
  try {
    action = command === 'signal' ? checkAction({ kind: 'signal', signal: last.toUpperCase().replace(/^SIG/, '') }) : checkAction({ kind: 'renice', nice: /^[+-]?\d+$/.test(last) ? Number(last) : NaN });
  } catch {
    throw new UsageError(command === 'signal' ? `bad signal: ${last} (one of ${SIGNALS.join(', ')})` : `bad nice value: ${last} (-20 to 19)`);
  }
  const rest = positionals.slice(0, -1);
  const target = rest.length > 0 && !/^\d+(@\d+)?$/.test(rest[0]!) ? rest.shift() : undefined;
  if (rest.length === 0) throw new UsageError(`${command} needs at least one PID`);
  const pids = rest.map((word) => {
    const m = /^(\d+)(?:@(\d+))?$/.exec(word);
    if (!m || Number(m[1]) <= 0 || Number(m[1]) >= 2 ** 31) throw new UsageError(`not a PID or PID@START: ${word}`);
    return { pid: Number(m[1]), ...(m[2] !== undefined ? { startTicks: Number(m[2]) } : {}) };
  });
  return { target, pids, action };
}

export function describeLooked(p: LookedProcess): string {
  return visibleText(`pid ${p.pid} ${p.name} (user ${p.user}, started at tick ${p.startTicks}, nice ${p.nice}): ${p.cmdline.join(' ') || `[${p.name}]`}`);
}

export interface ActDeps {
  look(session: NodeSession, pid: number): Promise<LookedProcess | null>;
  act(session: NodeSession, targets: ActionTarget[], action: ProcessAction): Promise<ActionResult[]>;
  /** asks the user; null when there is nobody to ask */
  confirm: ((question: string) => Promise<boolean>) | null;
  say(line: string): void;
  log(results: ActionResult[]): string;
}

/** Exit status: 0 when every process was acted on, 1 otherwise (refused, gone, reused, denied). */
export async function runAct(session: NodeSession, args: ActArgs, yes: boolean, deps: ActDeps): Promise<number> {
  const targets: ActionTarget[] = [];
  let missing = 0;
  for (const { pid, startTicks } of args.pids) {
    const now = await deps.look(session, pid);
    if (!now) {
      deps.say(`pid ${pid}: no such process on ${visibleText(session.target)}; nothing was sent`);
      missing++;
      continue;
    }
    deps.say(describeLooked(now));
    targets.push({ pid, startTicks: startTicks ?? now.startTicks });
  }
  if (targets.length === 0) return 1;
  if (!yes) {
    if (!deps.confirm) throw new UsageError(`not on a terminal: give --yes to ${describeAction(args.action)} without a question`);
    const guard = args.action.kind === 'signal' ? 'held by a pidfd where the node has one, else its start time checked just before sending' : 'its start time checked just before sending';
    if (!(await deps.confirm(`${describeAction(args.action)} ${targets.length === 1 ? 'this process' : `these ${targets.length} processes`} on ${visibleText(session.target)} (${guard})? [y/N] `))) {
      deps.say('nothing was sent');
      return 1;
    }
  }
  const results = await deps.act(session, targets, args.action);
  for (const r of results) deps.say(r.message);
  deps.say(`logged in ${deps.log(results)}`);
  return missing === 0 && results.every((r) => r.outcome === 'done') ? 0 : 1;
}
