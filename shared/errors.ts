/**
 * The one error taxonomy of procscope, shared by the engine, the CLI and the UI.
 * Every error says what happened (`message`) and, where there is one, how to fix it (`hint`).
 */

export type ErrorKind =
  | 'not-found'
  | 'permission-denied'
  | 'parse'
  | 'connection'
  | 'host-key'
  | 'auth'
  | 'unsupported'
  /** what was asked cannot be done as asked: a bad argument, option or question (the CLI exits 2) */
  | 'usage'
  /** a bug in procscope: an exception nothing expected */
  | 'internal';

interface ErrorBase {
  message: string;
  hint?: string;
}

export type ProcscopeError =
  | (ErrorBase & { kind: 'not-found' })
  | (ErrorBase & { kind: 'permission-denied' })
  | (ErrorBase & { kind: 'parse' })
  | (ErrorBase & { kind: 'connection' })
  | (ErrorBase & {
      kind: 'host-key';
      reason: 'unknown' | 'changed' | 'revoked';
      host: string;
      keyType: string;
      fingerprint: string;
      knownFingerprints?: string[];
      knownHostsFile: string;
    })
  | (ErrorBase & { kind: 'auth' })
  | (ErrorBase & { kind: 'unsupported' })
  | (ErrorBase & { kind: 'usage' })
  | (ErrorBase & { kind: 'internal' });

export type Result<T> = { ok: true; value: T } | { ok: false; error: ProcscopeError };

/** An Error that carries a ProcscopeError, for code paths that throw. */
export class ProcscopeFailure extends Error {
  constructor(readonly error: ProcscopeError) {
    super(error.message);
    this.name = 'ProcscopeFailure';
  }
}

export function fail(error: ProcscopeError): never {
  throw new ProcscopeFailure(error);
}

/** A mistake in what was asked (a command line, a question, an argument from the page): kind 'usage'. */
export class UsageError extends ProcscopeFailure {
  constructor(message: string, hint?: string) {
    super({ kind: 'usage', message, ...(hint ? { hint } : {}) });
    this.name = 'UsageError';
  }
}

/** Text from a node or a file that is not what it should be: kind 'parse', naming what was read ("stat: ..."). */
export function parseFailure(what: string, message: string): never {
  fail({ kind: 'parse', message: `${what}: ${message}` });
}

/** A promise procscope's own code broke (an argument no caller may pass): kind 'internal'. */
export function internalFailure(message: string): never {
  fail({ kind: 'internal', message, hint: 'This is a fault in procscope, not in the node: please report it with this message.' });
}

/** Turns anything thrown into a ProcscopeError: system errors by their code, anything else unexpected as `internal`. */
export function toProcscopeError(err: unknown): ProcscopeError {
  if (err instanceof ProcscopeFailure) return err.error;
  const e = err as { code?: string; message?: string } | undefined;
  const message = e?.message ?? String(err);
  switch (e?.code) {
    case 'ENOENT':
      return { kind: 'not-found', message };
    case 'EACCES':
    case 'EPERM':
      return { kind: 'permission-denied', message };
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EPIPE':
      return { kind: 'connection', message };
  }
  return { kind: 'internal', message, hint: 'This is a fault in procscope, not in the node: please report it with this message.' };
}

export function formatError(error: ProcscopeError): string {
  return error.hint ? `${error.message}\n  ${error.hint}` : error.message;
}
