/** The nodes slice: saved connections, the node dialog, the notice bar, and the settings kept between runs. */
import type { ApiClient } from '../../../shared/api';
import { DEFAULT_PROCESS_COLUMNS, filesNeeded } from '../../../shared/process-columns';
import { FLEET_TIMEOUT_RANGE } from '../../../shared/settings';
import { errorNotice } from './notice';
import type { GetState, NodesSlice, SetState } from './state';

export function nodesSlice(set: SetState, get: GetState, api: ApiClient): NodesSlice {
  return {
    capabilities: null,
    nodes: [],
    processColumns: [...DEFAULT_PROCESS_COLUMNS],
    fleetTimeoutSec: null,
    async setFleetTimeout(sec) {
      if (sec === null) return;
      const saved = await api.saveSettings({ fleetTimeoutSec: sec });
      if (!saved.ok) return set({ notice: { kind: 'error', text: `The deadline was not saved: ${saved.error.message}` } });
      if (saved.value.fleetTimeoutSec !== sec) return set({ notice: { kind: 'error', text: `A per-node deadline is ${FLEET_TIMEOUT_RANGE.min} to ${FLEET_TIMEOUT_RANGE.max} seconds, a whole number.` } });
      set({ fleetTimeoutSec: sec });
    },
    async setProcessColumns(processColumns) {
      set({ processColumns });
      const saved = await api.saveSettings({ processColumns });
      if (!saved.ok) return set({ notice: { kind: 'error', text: `The columns were not saved: ${saved.error.message}` } });
      // A column that needs a file the last read left out (I/O): the node is read again in full, now with it.
      const needed = filesNeeded(processColumns);
      for (const [tabId, tab] of get().tabs) {
        if (tab.kind === 'live' && !tab.loading && tab.index?.snapshot.node.unreadFiles?.some((f) => (needed as string[]).includes(f))) void get().refresh(tabId);
      }
    },
    nodeDialog: null,
    notice: null,
    setNotice: (notice) => set({ notice }),
    setNodeDialog: (nodeDialog) => set({ nodeDialog }),
    async saveNode(node, connect = false) {
      const result = await api.saveNode(node);
      if (!result.ok) {
        set({ notice: errorNotice(result.error) });
        return false;
      }
      set({ nodes: result.value, nodeDialog: null });
      if (connect) await get().connect(node.id);
      return true;
    },
    async removeNode(nodeId) {
      const result = await api.removeNode(nodeId);
      set(result.ok ? { nodes: result.value } : { notice: errorNotice(result.error) });
    },
    async resolveNode(node) {
      const result = await api.resolveNode(node);
      return result.ok ? result.value : { error: `${result.error.message}${result.error.hint ? ` ${result.error.hint}` : ''}` };
    },
    async importInventory(source) {
      const result = await api.importInventory(source);
      if (!result.ok) return { text: `${result.error.message}${result.error.hint ? ` ${result.error.hint}` : ''}`, problems: [], error: true };
      const { nodes, added, updated, problems } = result.value;
      set({ nodes });
      return { text: `${added} nodes added, ${updated} updated${problems.length ? `; ${problems.length} left out or changed:` : '.'}`, problems };
    },
    async importSshConfig() {
      const result = await api.importSshConfig();
      set(result.ok ? { nodes: result.value, notice: { kind: 'info', text: `${result.value.length} saved nodes.` } } : { notice: errorNotice(result.error) });
    },
  };
}

