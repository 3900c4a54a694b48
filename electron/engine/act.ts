/** Runs the process actions (shared/actions) on a node: one round trip each, under sudo when the node is read with it. */
import { randomBytes } from 'node:crypto';
import { type ActionResult, type ActionTarget, type ProcessAction, actionDoneMarker, buildActionScript, parseActionReply } from '../../shared/actions/actions';
import { type LookedProcess, buildLookScript, parseLookReply } from '../../shared/actions/look';
import { decodeBytes } from '../../shared/bytes';
import { fail } from '../../shared/errors';
import type { NodeSession, ScriptResult } from './session';
import { sudoFailure } from './sudo';

const ACTION_DEADLINE_MS = 30_000;

async function run(session: NodeSession, build: (nonce: string) => string, sudo: boolean): Promise<ScriptResult & { nonce: string }> {
  const nonce = randomBytes(16).toString('hex');
  const done = actionDoneMarker(nonce);
  const result = await session.runScript(build(nonce), { sudo, endMarker: Buffer.from(done), deadlineMs: ACTION_DEADLINE_MS });
  if (!result.stdout.includes(done)) {
    const refused = sudo ? sudoFailure(session.target, result.stderr) : null;
    if (refused) fail(refused);
    fail({ kind: 'connection', message: `${session.target} did not finish the action (exit ${result.code})${result.stderr.trim() ? `: ${result.stderr.trim().split('\n').slice(-2).join(' / ')}` : ''}.`, hint: 'Nothing may have been sent: look at the processes again before trying again.' });
  }
  return { ...result, nonce };
}

/** Signals or renices each target whose start time is still the one given; a result per target. */
export async function actOnProcesses(session: NodeSession, targets: ActionTarget[], action: ProcessAction, options: { sudo?: boolean } = {}): Promise<ActionResult[]> {
  const result = await run(session, (nonce) => buildActionScript(targets, action, nonce), options.sudo ?? false);
  return parseActionReply(result.stdout.toString('latin1'), targets, action);
}

/** What the pid is now (for a confirmation), or null when there is no such process. */
export async function lookAtProcess(session: NodeSession, pid: number, options: { sudo?: boolean } = {}): Promise<LookedProcess | null> {
  const result = await run(session, (nonce) => buildLookScript(pid, nonce), options.sudo ?? false);
  return parseLookReply(decodeBytes(result.stdout), result.nonce);
}
