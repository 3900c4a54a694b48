/**
 * The renderer's one store, in slices: nodes (saved connections), tabs (a live connection or an imported
 * snapshot each, with its indexed data), ui (view, selection, filter, sort) and prompts (host keys, secrets).
 * Maps are replaced, never mutated, so narrow selectors see every change.
 */
import { create, type StateCreator } from 'zustand';
import type { ApiClient, Capabilities, ConnectionStatus, HostKeyDecision, HostKeyPrompt, SavedNode, SecretPrompt } from '../../shared/api';
import type { ProcscopeError } from '../../shared/errors';
import { applyDelta } from '../../shared/snapshot/refresh';
import { subsetSnapshot } from '../../shared/snapshot/subset';
import type { Snapshot } from '../../shared/snapshot/types';
import { type SnapshotIndex, type SortSpec, indexSnapshot } from './model';

export type View = 'processes' | 'namespaces' | 'sockets' | 'containers';

export interface Tab {
  id: string;
  kind: 'live' | 'import';
  label: string;
  status: ConnectionStatus | null;
  index: SnapshotIndex | null;
  /** a request that failed; the last data stays on screen */
  error: ProcscopeError | null;
  loading: boolean;
  /** for imports: the file name */
  importedFrom?: string;
  /** live refresh on, every intervalMs */
  live: boolean;
  intervalMs: number;
  /** when the data on screen was last good, while refreshes fail */
  staleSince: string | null;
  /** refreshes failed in a row (for the backoff) */
  failures: number;
  /** refreshes done, to pace full reads */
  ticks: number;
}

/** Every this many live refreshes, a full read (fds, sockets, namespaces, cgroups) instead. */
export const FULL_READ_EVERY = 15;
export const DEFAULT_INTERVAL_MS = 2000;
/** The delay before the next live refresh: the interval, doubled for each failure in a row, at most 30 s. */
export const nextDelay = (tab: Pick<Tab, 'intervalMs' | 'failures'>) => Math.min(tab.intervalMs * 2 ** tab.failures, 30_000);

export interface Notice {
  kind: 'error' | 'info';
  text: string;
  hint?: string;
}

interface NodesSlice {
  api: ApiClient | null;
  capabilities: Capabilities | null;
  nodes: SavedNode[];
  setNodes(nodes: SavedNode[]): void;
}

interface TabsSlice {
  tabs: Map<string, Tab>;
  tabOrder: string[];
  activeTab: string | null;
  upsertTab(id: string, patch: Partial<Tab> & Pick<Tab, 'kind' | 'label'>): void;
  patchTab(id: string, patch: Partial<Tab>): void;
  removeTab(id: string): void;
  setActiveTab(id: string | null): void;
}

interface UiSlice {
  view: View;
  filter: string;
  sort: SortSpec;
  treeMode: boolean;
  selectedPid: number | null;
  detailOpen: boolean;
  selectedNamespace: string | null;
  selectedContainer: string | null;
  socketListeningOnly: boolean;
  socketProto: string;
  socketText: string;
  showAddNode: boolean;
  notice: Notice | null;
  setView(view: View): void;
  setFilter(filter: string): void;
  setSort(sort: SortSpec): void;
  setTreeMode(on: boolean): void;
  selectProcess(pid: number | null, open?: boolean): void;
  closeDetail(): void;
  selectNamespace(key: string | null): void;
  selectContainer(id: string | null): void;
  setSocketFilter(listeningOnly: boolean, proto: string): void;
  setSocketText(text: string): void;
  setShowAddNode(show: boolean): void;
  setNotice(notice: Notice | null): void;
}

interface PromptsSlice {
  hostKeyPrompts: HostKeyPrompt[];
  secretPrompts: SecretPrompt[];
}

interface Actions {
  init(api: ApiClient): Promise<void>;
  connect(nodeId: string): Promise<void>;
  refresh(tabId: string): Promise<void>;
  liveTick(tabId: string): Promise<void>;
  setLive(tabId: string, live: boolean, intervalMs?: number): void;
  closeTab(tabId: string): Promise<void>;
  saveNode(node: SavedNode): Promise<boolean>;
  removeNode(nodeId: string): Promise<void>;
  importSshConfig(): Promise<void>;
  importSnapshot(): Promise<void>;
  openSnapshot(snapshot: Snapshot, name: string): void;
  exportSnapshot(scope: 'node' | 'process'): Promise<void>;
  answerHostKey(prompt: HostKeyPrompt, decision: HostKeyDecision): Promise<void>;
  answerSecret(prompt: SecretPrompt, secret: string | null, remember: boolean): Promise<void>;
}

export type State = NodesSlice & TabsSlice & UiSlice & PromptsSlice & Actions;
type Slice<T> = StateCreator<State, [], [], T>;

const nodesSlice: Slice<NodesSlice> = (set) => ({
  api: null,
  capabilities: null,
  nodes: [],
  setNodes: (nodes) => set({ nodes }),
});

const tabsSlice: Slice<TabsSlice> = (set) => ({
  tabs: new Map(),
  tabOrder: [],
  activeTab: null,
  upsertTab: (id, patch) =>
    set((s) => {
      const tabs = new Map(s.tabs);
      const old = tabs.get(id);
      tabs.set(id, { status: null, index: null, error: null, loading: false, live: false, intervalMs: DEFAULT_INTERVAL_MS, staleSince: null, failures: 0, ticks: 0, ...old, ...patch, id });
      return { tabs, tabOrder: old ? s.tabOrder : [...s.tabOrder, id] };
    }),
  patchTab: (id, patch) =>
    set((s) => {
      const old = s.tabs.get(id);
      if (!old) return {};
      const tabs = new Map(s.tabs);
      tabs.set(id, { ...old, ...patch });
      return { tabs };
    }),
  removeTab: (id) =>
    set((s) => {
      const tabs = new Map(s.tabs);
      tabs.delete(id);
      const tabOrder = s.tabOrder.filter((t) => t !== id);
      return { tabs, tabOrder, activeTab: s.activeTab === id ? (tabOrder[tabOrder.length - 1] ?? null) : s.activeTab };
    }),
  setActiveTab: (activeTab) => set({ activeTab, selectedPid: null, detailOpen: false, selectedContainer: null, selectedNamespace: null }),
});

const uiSlice: Slice<UiSlice> = (set) => ({
  view: 'processes',
  filter: '',
  sort: { column: 'pid', descending: false },
  treeMode: false,
  selectedPid: null,
  detailOpen: false,
  selectedNamespace: null,
  selectedContainer: null,
  socketListeningOnly: false,
  socketProto: 'all',
  socketText: '',
  showAddNode: false,
  notice: null,
  setView: (view) => set({ view }),
  setFilter: (filter) => set({ filter }),
  setSort: (sort) => set({ sort }),
  setTreeMode: (treeMode) => set({ treeMode }),
  selectProcess: (pid, open) => set((s) => ({ selectedPid: pid, detailOpen: open ?? (pid !== null && s.detailOpen) })),
  closeDetail: () => set({ detailOpen: false }),
  selectNamespace: (selectedNamespace) => set({ selectedNamespace }),
  selectContainer: (selectedContainer) => set({ selectedContainer }),
  setSocketFilter: (socketListeningOnly, socketProto) => set({ socketListeningOnly, socketProto }),
  setSocketText: (socketText) => set({ socketText }),
  setShowAddNode: (showAddNode) => set({ showAddNode }),
  setNotice: (notice) => set({ notice }),
});

const promptsSlice: Slice<PromptsSlice> = () => ({ hostKeyPrompts: [], secretPrompts: [] });

function safeFileName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'node';
}

const actions: Slice<Actions> = (set, get) => {
  const fail = (error: ProcscopeError) => set({ notice: { kind: 'error', text: error.message, ...(error.hint ? { hint: error.hint } : {}) } });

  return {
    async init(api) {
      set({ api });
      api.on('connectionStatus', (status) => {
        const existing = get().tabs.get(status.connectionId);
        get().upsertTab(status.connectionId, {
          kind: 'live',
          label: status.label,
          status,
          ...(status.error ? { error: status.error } : {}),
          ...(existing ? {} : { loading: true, live: true }),
        });
        if (!existing) get().setActiveTab(status.connectionId);
      });
      api.on('hostKeyPrompt', (p) => set((s) => ({ hostKeyPrompts: [...s.hostKeyPrompts, p] })));
      api.on('secretPrompt', (p) => set((s) => ({ secretPrompts: [...s.secretPrompts, p] })));
      const [caps, nodes] = await Promise.all([api.capabilities(), api.listNodes()]);
      if (caps.ok) set({ capabilities: caps.value });
      if (nodes.ok) set({ nodes: nodes.value });
    },

    async connect(nodeId) {
      const api = get().api!;
      const result = await api.connect(nodeId);
      if (!result.ok) {
        fail(result.error);
        return;
      }
      await get().refresh(result.value.connectionId);
    },

    async refresh(tabId) {
      const tab = get().tabs.get(tabId);
      if (!tab || tab.kind !== 'live' || !tab.status) return;
      get().patchTab(tabId, { loading: true });
      const result = await get().api!.collect(tab.status.connectionId);
      const now = get().tabs.get(tabId);
      if (!now) return;
      if (result.ok) get().patchTab(tabId, { index: indexSnapshot(result.value), error: null, loading: false, staleSince: null, failures: 0 });
      else get().patchTab(tabId, { error: result.error, loading: false, staleSince: now.staleSince ?? now.index?.snapshot.node.collectedAt ?? null, failures: now.failures + 1 });
    },

    async liveTick(tabId) {
      const tab = get().tabs.get(tabId);
      if (!tab || tab.kind !== 'live' || !tab.status || !tab.index || tab.loading) return;
      const ticks = tab.ticks + 1;
      if (ticks % FULL_READ_EVERY === 0) {
        get().patchTab(tabId, { ticks });
        return get().refresh(tabId);
      }
      const { selectedPid, detailOpen } = get();
      const result = await get().api!.refresh(tab.status.connectionId, detailOpen && selectedPid !== null ? [selectedPid] : []);
      const now = get().tabs.get(tabId);
      if (!now?.index) return;
      if (result.ok) {
        get().patchTab(tabId, { index: indexSnapshot(applyDelta(now.index.snapshot, result.value)), error: null, staleSince: null, failures: 0, ticks });
      } else {
        get().patchTab(tabId, { error: result.error, staleSince: now.staleSince ?? now.index.snapshot.node.collectedAt, failures: now.failures + 1, ticks });
      }
    },

    setLive(tabId, live, intervalMs) {
      get().patchTab(tabId, { live, failures: 0, ...(intervalMs ? { intervalMs } : {}) });
    },

    async closeTab(tabId) {
      const tab = get().tabs.get(tabId);
      get().removeTab(tabId);
      if (tab?.kind === 'live' && tab.status) await get().api!.disconnect(tab.status.connectionId);
    },

    async saveNode(node) {
      const result = await get().api!.saveNode(node);
      if (!result.ok) {
        fail(result.error);
        return false;
      }
      set({ nodes: result.value });
      return true;
    },

    async removeNode(nodeId) {
      const result = await get().api!.removeNode(nodeId);
      if (result.ok) set({ nodes: result.value });
      else fail(result.error);
    },

    async importSshConfig() {
      const result = await get().api!.importSshConfig();
      if (result.ok) set({ nodes: result.value, notice: { kind: 'info', text: `${result.value.length} saved nodes.` } });
      else fail(result.error);
    },

    async importSnapshot() {
      const result = await get().api!.importSnapshot();
      if (!result.ok) return fail(result.error);
      if (result.value) get().openSnapshot(result.value.snapshot, result.value.name);
    },

    openSnapshot(snapshot, name) {
      const id = `import-${Date.now().toString(36)}`;
      get().upsertTab(id, { kind: 'import', label: `${snapshot.node.hostname} (imported)`, index: indexSnapshot(snapshot), importedFrom: name, live: false });
      get().setActiveTab(id);
    },

    async exportSnapshot(scope) {
      const s = get();
      const tab = s.activeTab ? s.tabs.get(s.activeTab) : undefined;
      if (!tab?.index) return;
      const full = tab.index.snapshot;
      const pid = s.selectedPid;
      if (scope === 'process' && pid === null) return fail({ kind: 'not-found', message: 'Select a process to export it with its descendants.' });
      const snapshot = scope === 'process' && pid !== null ? subsetSnapshot(full, pid) : full;
      const stamp = full.node.collectedAt.replace(/[:.]/g, '-');
      const name = safeFileName(`${full.node.hostname}-${scope === 'process' ? `pid${pid}-` : ''}${stamp}`) + '.json';
      const result = await s.api!.exportSnapshot(JSON.stringify(snapshot, null, 1), name);
      if (!result.ok) return fail(result.error);
      if (result.value) set({ notice: { kind: 'info', text: `Exported ${snapshot.processes.length} processes to ${result.value.path}.` } });
    },

    async answerHostKey(prompt, decision) {
      set((s) => ({ hostKeyPrompts: s.hostKeyPrompts.filter((p) => p.promptId !== prompt.promptId) }));
      await get().api!.answerHostKey(prompt.promptId, decision);
    },

    async answerSecret(prompt, secret, remember) {
      set((s) => ({ secretPrompts: s.secretPrompts.filter((p) => p.promptId !== prompt.promptId) }));
      await get().api!.answerSecret(prompt.promptId, secret, remember);
    },
  };
};

export const createAppStore = () =>
  create<State>()((...a) => ({ ...nodesSlice(...a), ...tabsSlice(...a), ...uiSlice(...a), ...promptsSlice(...a), ...actions(...a) }));

export const useStore = createAppStore();

/** The active tab's index, or null. */
export const useActiveIndex = () => useStore((s) => (s.activeTab ? (s.tabs.get(s.activeTab)?.index ?? null) : null));
export const useActiveTab = () => useStore((s) => (s.activeTab ? (s.tabs.get(s.activeTab) ?? null) : null));
