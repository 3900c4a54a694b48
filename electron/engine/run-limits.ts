/** Bounds on one run of a script on a node: how much it may print, and how long it may take. */
import { ProcscopeFailure } from '../../shared/errors';

/** A node that prints more than this (a login shell streaming /dev/zero) is cut off. */
export const REPLY_LIMIT = 256 * 1024 * 1024;
export const RUN_DEADLINE_MS = 120_000;

const MB = 1024 * 1024;

export function tooLarge(target: string, limit: number): ProcscopeFailure {
  return new ProcscopeFailure({
    kind: 'connection',
    message: `${target} sent more than ${Math.round(limit / MB)} MB, the most procscope accepts for one reply; the run was stopped.`,
    hint: 'Does a login script on the node print endlessly (.bashrc, /etc/profile)? procscope runs /bin/sh -s; check what the login prints.',
  });
}

export function pastDeadline(target: string, ms: number): ProcscopeFailure {
  return new ProcscopeFailure({
    kind: 'connection',
    message: `${target} did not finish answering within ${Math.round(ms / 1000)} s; the run was stopped and its channel closed.`,
    hint: 'The node may be stopped or overloaded, or a login script may wait for input. It is tried again on the next refresh.',
  });
}
