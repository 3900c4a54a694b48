/**
 * Bounds on one run of a script on a node: how much it may print, and how long it may take. Time is bounded two
 * ways: silence (no byte for RUN_SILENCE_MS: the node or the link is stuck) and a total far higher
 * (RUN_DEADLINE_MS), so a loaded node that keeps sending is never killed for being slow.
 */
import { ProcscopeFailure } from '../../shared/errors';

/** A node that prints more than this (a login shell streaming /dev/zero) is cut off. */
export const REPLY_LIMIT = 256 * 1024 * 1024;
export const RUN_DEADLINE_MS = 10 * 60_000;
export const RUN_SILENCE_MS = 30_000;
/** The most a gzipped reply may inflate to: a gzip bomb from a hostile node stops here. */
export const INFLATED_LIMIT = 512 * 1024 * 1024;

const MB = 1024 * 1024;

export function tooLarge(target: string, limit: number): ProcscopeFailure {
  return new ProcscopeFailure({
    kind: 'connection',
    message: `${target} sent more than ${Math.round(limit / MB)} MB, the most procscope accepts for one reply; the run was stopped.`,
    hint: 'Does a login script on the node print endlessly (.bashrc, /etc/profile)? procscope runs /bin/sh -s; check what the login prints.',
  });
}

const seconds = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`);

export function pastDeadline(target: string, ms: number, bytes = 0): ProcscopeFailure {
  return new ProcscopeFailure({
    kind: 'connection',
    message: `${target} was still answering after ${seconds(ms)}, the most one read may take (${received(bytes)}); the run was stopped and its channel closed.`,
    hint: 'The node is answering, only slowly: it may be overloaded. It is tried again on the next refresh; a longer --timeout gives it more time.',
  });
}

export function silentFor(target: string, ms: number, bytes = 0): ProcscopeFailure {
  return new ProcscopeFailure({
    kind: 'connection',
    message: `${target} sent nothing for ${seconds(ms)} (${received(bytes)}); the run was stopped and its channel closed.`,
    hint: 'The node may be stopped, the network may have dropped, or a login script may wait for input. It is tried again on the next refresh.',
  });
}

const received = (bytes: number) => (bytes === 0 ? 'nothing received' : `${bytes < MB ? `${(bytes / 1024).toFixed(0)} KiB` : `${(bytes / MB).toFixed(1)} MB`} received before`);

export interface RunBounds {
  /** the run is stopped when no byte came for this long (default RUN_SILENCE_MS) */
  silenceMs?: number;
  /** the run is stopped after this long, however it goes (default RUN_DEADLINE_MS) */
  deadlineMs?: number;
}

/**
 * The clock of one run: `heard(bytes)` at every piece of output; `expire` is called once, with why, when the run
 * was silent too long or took too long in all. One timer, re-armed only when it fires.
 */
export function runClock(target: string, bounds: RunBounds, expire: (why: ProcscopeFailure) => void): { heard(bytes: number): void; stop(): void } {
  const silence = bounds.silenceMs ?? RUN_SILENCE_MS;
  const total = bounds.deadlineMs ?? RUN_DEADLINE_MS;
  const started = Date.now();
  let last = started;
  let bytes = 0;
  let timer: NodeJS.Timeout;
  const check = () => {
    const now = Date.now();
    if (now - started >= total) return expire(pastDeadline(target, total, bytes));
    if (now - last >= silence) return expire(silentFor(target, silence, bytes));
    timer = setTimeout(check, Math.max(1, Math.min(silence - (now - last), total - (now - started))));
  };
  timer = setTimeout(check, Math.min(silence, total));
  return {
    heard(n) {
      last = Date.now();
      bytes = n;
    },
    stop: () => clearTimeout(timer),
  };
}
