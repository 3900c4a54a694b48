/** One request from any transport: check the arguments, run the handler, answer a Result (never a throw). */
import type { ApiHandlers, ApiMethod } from '../../shared/api';
import { checkArgs, isApiMethod } from '../../shared/api-validate';
import { type Result, toProcscopeError } from '../../shared/errors';

export async function dispatch(handlers: ApiHandlers, method: unknown, args: unknown): Promise<Result<unknown>> {
  try {
    if (!isApiMethod(method)) return { ok: false, error: { kind: 'parse', message: `Unknown method ${String(method).slice(0, 40)}.` } };
    if (!Array.isArray(args)) return { ok: false, error: { kind: 'parse', message: 'Arguments must be a list.' } };
    const run = handlers[method as ApiMethod] as (...a: unknown[]) => Promise<unknown>;
    return { ok: true, value: await run(...checkArgs(method, args)) };
  } catch (err) {
    return { ok: false, error: toProcscopeError(err) };
  }
}
