/** Builds an ApiClient from a transport's one `call` function: the method list comes from API_METHODS, never by hand. */
import type { ApiClient, ApiEvent, ApiEvents, ApiMethod } from './api';
import { API_METHODS } from './api-validate';
import type { Result } from './errors';

export type Call = (method: ApiMethod, args: unknown[]) => Promise<Result<unknown>>;
type Listener = (payload: never) => void;

/** Event listeners by event name, for transports that deliver events themselves. */
export function eventHub(): { on: ApiClient['on']; emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void } {
  const listeners = new Map<ApiEvent, Set<Listener>>();
  return {
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as Listener);
      listeners.set(event, set);
      return () => void set.delete(listener as Listener);
    },
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) (l as (p: unknown) => void)(payload);
    },
  };
}

/** Every method as `call(method, args)`; `overrides` replaces the few a transport does itself (browser file dialogs). */
export function clientOf(call: Call, on: ApiClient['on'], overrides: Partial<ApiClient> = {}): ApiClient {
  const client: Record<string, unknown> = { on };
  for (const method of API_METHODS) client[method] = (...args: unknown[]) => call(method, args);
  return Object.assign(client, overrides) as unknown as ApiClient;
}
