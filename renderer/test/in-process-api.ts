/** The real service behind an ApiClient without a transport, for store tests: same handlers, same checks. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiClient } from '../../shared/api';
import { clientOf, eventHub } from '../../shared/api-client';
import { dispatch } from '../../electron/app/dispatch';
import { type ServiceOptions, createService } from '../../electron/app/service';
import { noVault } from '../../electron/app/stores';

export function inProcessApi(options: Partial<ServiceOptions> = {}): ApiClient {
  const hub = eventHub();
  const service = createService({
    configDir: mkdtempSync(join(tmpdir(), 'procscope-store-')),
    vault: noVault,
    transport: 'browser',
    emit: hub.emit,
    ...options,
  });
  return clientOf((method, args) => dispatch(service.handlers, method, args), hub.on);
}
