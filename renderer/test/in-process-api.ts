/** The real service behind an ApiClient without a transport, for store tests: same handlers, same checks. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_METHODS, type ApiClient, type ApiEvent, type ApiEvents } from '../../shared/api';
import { dispatch } from '../../electron/app/dispatch';
import { createService } from '../../electron/app/service';
import { noVault } from '../../electron/app/stores';

export function inProcessApi(): ApiClient {
  const listeners = new Map<ApiEvent, Set<(p: unknown) => void>>();
  const service = createService({
    configDir: mkdtempSync(join(tmpdir(), 'procscope-store-')),
    vault: noVault,
    transport: 'browser',
    emit: <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => listeners.get(event)?.forEach((l) => l(payload)),
  });
  const client: Record<string, unknown> = {
    on: (event: ApiEvent, listener: (p: unknown) => void) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  };
  for (const method of API_METHODS) client[method] = (...args: unknown[]) => dispatch(service.handlers, method, args);
  return client as unknown as ApiClient;
}
