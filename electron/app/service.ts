/**
 * The API's one implementation (shared/api.ts), put together from its parts: saved nodes, connections with
 * their prompts, files. No Electron here: the Electron main process and `procscope serve` both wrap it, each
 * with its own transport and dialogs.
 */
import type { ApiEvent, ApiEvents, ApiHandlers } from '../../shared/api';
import { type AskApproval, createApprovals } from './approvals';
import { createConnections, nodeRouteOptions } from './connections';
import { type FleetLimits, createFleet } from './fleet';
import { createSettings } from './settings';
import { DEFAULT_PROCESS_COLUMNS, filesNeeded } from '../../shared/process-columns';
import { type Dialogs, createFiles } from './files';
import { createNodes } from './nodes';
import { createPrompts } from './prompts';
import type { SecretVault } from './stores';

export type { Dialogs };

export interface ServiceOptions {
  configDir: string;
  vault: SecretVault;
  transport: 'electron' | 'browser';
  emit: <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;
  dialogs?: Dialogs;
  knownHostsFile?: string;
  sshConfigPath?: string;
  /** read container name files under this root (tests) */
  namesRoot?: string;
  /** asks the person, outside the renderer, whether a program the page names may run here (one question at a time) */
  approveCommand?: AskApproval;
  /** the fleet view's bounds (tests shorten them) */
  fleetLimits?: Partial<FleetLimits>;
}

export function createService(options: ServiceOptions): { handlers: ApiHandlers; dispose(): void } {
  const approvals = createApprovals(options.approveCommand);
  const nodes = createNodes(options.configDir, options.vault, approvals, options.sshConfigPath);
  let fleet: ReturnType<typeof createFleet> | null = null;
  const settings = createSettings(options.configDir);
  const connections = createConnections({
    optionalFiles: async () => filesNeeded((await settings.getSettings()).processColumns ?? DEFAULT_PROCESS_COLUMNS),
    takeSession: (nodeId) => fleet?.take(nodeId) ?? null,
    configDir: options.configDir,
    vault: options.vault,
    prompts: createPrompts(),
    emit: options.emit,
    findNode: nodes.find,
    ...(options.knownHostsFile ? { knownHostsFile: options.knownHostsFile } : {}),
    ...(options.sshConfigPath ? { sshConfigPath: options.sshConfigPath } : {}),
    ...(options.namesRoot ? { namesRoot: options.namesRoot } : {}),
    approvals,
  });
  fleet = createFleet({
    deadlineSetting: async () => {
      const sec = (await settings.getSettings()).fleetTimeoutSec;
      return sec === undefined ? undefined : sec * 1000;
    },
    emit: options.emit,
    findNode: nodes.find,
    vault: options.vault,
    routeOptions: (node) => nodeRouteOptions(node, options),
    openApprovedCommand: connections.openApprovedCommand,
    ...(options.fleetLimits ? { limits: options.fleetLimits } : {}),
    ...(options.namesRoot ? { namesRoot: options.namesRoot } : {}),
  });
  const handlers: ApiHandlers = {
    async capabilities() {
      const why = options.vault.available ? undefined : options.vault.unavailableReason;
      return { transport: options.transport, canRememberSecrets: options.vault.available, ...(why ? { whyNotRemembered: why } : {}) };
    },
    ...nodes.handlers,
    ...connections.handlers,
    ...fleet.handlers,
    ...settings,
    ...createFiles(options.dialogs),
  };
  return {
    handlers,
    dispose() {
      connections.dispose();
      fleet?.dispose();
    },
  };
}
