/**
 * Acting on processes, guarded against pid reuse: the script sends a signal (or renices) only while
 * /proc/<pid>/stat's start time is still the one the user saw; otherwise the pid is another process now and
 * nothing is sent. A signal goes through a pidfd where the node has one (pidfd.ts): the process checked is the
 * one signalled. Elsewhere, and for renice, the check is made just before sending, in the same shell. Everything
 * in the script is a checked number or a name from a fixed list: nothing read from a node, and nothing the user
 * typed, reaches the shell as text.
 */

import { PIDFD_SIGNAL_PY } from './pidfd';
import { UsageError, internalFailure } from '../errors';

export const SIGNALS = ['TERM', 'INT', 'HUP', 'KILL', 'STOP', 'CONT', 'USR1', 'USR2'] as const;
export type SignalName = (typeof SIGNALS)[number];

export const SIGNAL_MEANING: Record<SignalName, string> = {
  TERM: 'ask it to end (it may clean up, or ignore it)',
  INT: 'interrupt, as Ctrl-C does',
  HUP: 'hang up: many daemons reload their configuration',
  KILL: 'end it at once: it cannot clean up or refuse',
  STOP: 'pause it (it cannot refuse); CONT resumes it',
  CONT: 'resume a stopped process',
  USR1: 'user-defined: what it does is the program\'s choice',
  USR2: 'user-defined: what it does is the program\'s choice',
};

export type ProcessAction = { kind: 'signal'; signal: SignalName } | { kind: 'renice'; nice: number };

/** A process as the user saw it: its pid, and its start time (clock ticks after boot, field 22 of stat). */
export interface ActionTarget {
  pid: number;
  startTicks: number;
}

export type ActionOutcome = 'done' | 'gone' | 'reused' | 'denied' | 'failed';

export interface ActionResult extends ActionTarget {
  outcome: ActionOutcome;
  /** what happened, in words: "sent TERM", "pid 4242 is now another process; nothing was sent" */
  message: string;
}

export const MAX_ACTION_TARGETS = 1000;

export function isSignalName(value: unknown): value is SignalName {
  return typeof value === 'string' && (SIGNALS as readonly string[]).includes(value);
}

export function checkAction(action: unknown): ProcessAction {
  const a = action as ProcessAction | null;
  if (a?.kind === 'signal' && isSignalName(a.signal)) return { kind: 'signal', signal: a.signal };
  if (a?.kind === 'renice' && Number.isInteger(a.nice) && a.nice >= -20 && a.nice <= 19) return { kind: 'renice', nice: a.nice };
  throw new UsageError(`not an action: ${JSON.stringify(action)} (a signal of ${SIGNALS.join(', ')}, or renice -20 to 19)`);
}

export function checkTargets(targets: unknown): ActionTarget[] {
  if (!Array.isArray(targets) || targets.length === 0 || targets.length > MAX_ACTION_TARGETS) throw new UsageError(`between 1 and ${MAX_ACTION_TARGETS} processes`);
  return targets.map((t: ActionTarget) => {
    if (!(Number.isInteger(t?.pid) && t.pid > 0 && t.pid < 2 ** 31 && Number.isInteger(t.startTicks) && t.startTicks >= 0 && t.startTicks < 2 ** 53)) throw new UsageError(`not a process: ${JSON.stringify(t)}`);
    return { pid: t.pid, startTicks: t.startTicks };
  });
}

export function describeAction(action: ProcessAction): string {
  return action.kind === 'signal' ? `SIG${action.signal}` : `renice to ${action.nice}`;
}

/** The line that ends an action script's reply. */
export function actionDoneMarker(nonce: string): string {
  return `\n@@${nonce} done\n`;
}

/**
 * For each target, one line: "R <pid> <outcome> <detail>", then the done marker. The start time is read from the
 * whole stat file (a comm may hold newlines and ") "): the fields after the last ") ", of which starttime is the
 * 20th. It runs in a subshell: a persistent shell's options and arguments stay its own.
 */
export function buildActionScript(targets: ActionTarget[], action: ProcessAction, nonce: string): string {
  const checked = checkTargets(targets);
  const act = checkAction(action);
  if (!/^[0-9a-f]{32}$/.test(nonce)) internalFailure('nonce must be 32 lowercase hex digits');
  const command = act.kind === 'signal' ? `kill -s ${act.signal} "$pid"` : `renice -n ${act.nice} -p "$pid" >/dev/null`;
  return String.raw`procscope_act() (
LC_ALL=C; export LC_ALL
act() {
  pid=$1 want=$2
  l=$(cat "/proc/$pid/stat" 2>/dev/null) || { echo "R $pid gone"; return; }
  [ -n "$l" ] || { echo "R $pid gone"; return; }
  l=${'$'}{l##*) }
  set -f; set -- $l; set +f
  [ $# -ge 20 ] || { echo "R $pid failed unreadable stat"; return; }
  shift 19
  if [ "$1" != "$want" ]; then echo "R $pid reused $1"; return; fi
  if err=$(${command} 2>&1); then echo "R $pid done"; else echo "R $pid failed $(printf '%s' "$err" | tr '\n' ' ')"; fi
}
held=3
${act.kind === 'signal' ? `command -v python3 >/dev/null 2>&1 && { python3 -c '${PIDFD_SIGNAL_PY}' ${act.signal} ${checked.map((t) => `${t.pid} ${t.startTicks}`).join(' ')}; held=$?; }` : ''}
[ "$held" -eq 3 ] || exit 0
${checked.map((t) => `act ${t.pid} ${t.startTicks}`).join('\n')}
)
procscope_act </dev/null 2>&1
printf '\n@@%s done\n' '${nonce}'
`;
}

const DENIED = /not permitted|permission denied/i;

export function outcomeMessage(target: ActionTarget, action: ProcessAction, outcome: ActionOutcome, detail: string): string {
  switch (outcome) {
    case 'done': {
      const guard = detail === 'pidfd' ? 'held by a pidfd' : 'its start time checked just before';
      return action.kind === 'signal' ? `sent SIG${action.signal} to pid ${target.pid} (${guard})` : `pid ${target.pid} reniced to ${action.nice} (${guard})`;
    }
    case 'gone':
      return `pid ${target.pid} has exited; nothing was sent`;
    case 'reused':
      return `pid ${target.pid} is now another process (it started at tick ${detail}, not ${target.startTicks}); nothing was sent`;
    case 'denied':
      return `pid ${target.pid}: permission denied (${detail.trim() || 'not your process'}); open the node with sudo to act on other users' processes`;
    case 'failed':
      return `pid ${target.pid}: ${detail.trim() || 'failed'}`;
  }
}

/** The script's reply, a result per target; a target the reply does not mention failed (the run stopped short). */
export function parseActionReply(text: string, targets: ActionTarget[], action: ProcessAction): ActionResult[] {
  const said = new Map<number, { outcome: ActionOutcome; detail: string }>();
  for (const line of text.split('\n')) {
    const m = /^R (\d+) (done|gone|reused|failed)(?: (.*))?$/.exec(line);
    if (!m) continue;
    const detail = m[3] ?? '';
    const outcome = m[2] === 'failed' && DENIED.test(detail) ? 'denied' : (m[2] as ActionOutcome);
    said.set(Number(m[1]), { outcome, detail });
  }
  return targets.map((t) => {
    const r = said.get(t.pid) ?? { outcome: 'failed' as const, detail: 'no answer from the node (the connection may have dropped)' };
    return { ...t, outcome: r.outcome, message: outcomeMessage(t, action, r.outcome, r.detail) };
  });
}
