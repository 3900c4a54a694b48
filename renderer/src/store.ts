/**
 * The renderer's one store, in slices that own their state and their actions: nodes (saved connections and the
 * node dialog), tabs (a live connection or an imported snapshot each, with the live loop), views (what each tab
 * shows: view, filters, sorts, selection) and prompts (host keys, secrets). The API is given when the store is
 * made, never kept in state. Maps are replaced, never mutated, so narrow selectors see every change.
 */
import { createContext, useContext, useMemo } from 'react';
import { type Comparison, compareSnapshots } from './compare';
import { type StoreApi, createStore, useStore as useZustand } from 'zustand';
import type { ApiClient, Capabilities, ConnectionStatus, HostKeyDecision, HostKeyPrompt, InventorySource, SavedNode, SecretPrompt } from '../../shared/api';
import type { ProcscopeError } from '../../shared/errors';
import { applyDelta } from '../../shared/snapshot/refresh';
import { subsetSnapshot } from '../../shared/snapshot/subset';
import type { Snapshot } from '../../shared/snapshot/types';
import { type ActionsSlice, actionsSlice } from './actions';
import { type FleetSlice, fleetSlice } from './fleet';
import { type Moment, remember } from './history';
import { type NodeSample, addSample } from './overview';
import { type SnapshotIndex, type SortSpec, indexSnapshot } from './model';
import { DEFAULT_PROCESS_COLUMNS, FLEET_TIMEOUT_RANGE, type ProcessColumn } from '../../shared/settings';
import { filesNeeded } from '../../shared/process-columns';

export type View = 'processes' | 'namespaces' | 'sockets' | 'containers' | 'errors';

export interface Tab {
  id: string;
  kind: 'live' | 'import';
  label: string;
  /** the saved node a live tab shows */
  nodeId?: string;
  status: ConnectionStatus | null;
  index: SnapshotIndex | null;
  /** a request that failed; the last data stays on screen */
  error: ProcscopeError | null;
  /** a full read is running */
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
  /** when the live loop tries again, after a failure (this machine's clock) */
  retryAt: number | null;
  /** refreshes done, to pace full reads */
  ticks: number;
  /** this machine's clock when the data on screen arrived */
  updatedAt: number | null;
  /** the states a live tab showed, for "what was here 5 minutes ago?" */
  history: Moment[];
  /** the node's CPU, memory and load at each refresh, for the header's graphs */
  samples: NodeSample[];
  /** a moment of the history shown instead of now (the live loop goes on behind it) */
  past: { at: string; index: SnapshotIndex } | null;
  /** an earlier state the tab is compared with: its rows show what came, went and changed since */
  compare: { base: Snapshot; label: string } | null;
}

/** A table's sort: a column key and a direction. */
export interface TableSort {
  column: string;
  descending: boolean;
}

/** What one tab shows; each tab keeps its own. */
export interface TabView {
  view: View;
  filter: string;
  sort: SortSpec;
  treeMode: boolean;
  /** pids whose subtree is folded in the tree */
  collapsed: ReadonlySet<number>;
  selectedPid: number | null;
  /** processes picked with Ctrl-click, to act on together */
  marked: ReadonlySet<number>;
  detailOpen: boolean;
  selectedNamespace: string | null;
  selectedContainer: string | null;
  socketListeningOnly: boolean;
  socketProto: string;
  socketText: string;
  socketSort: TableSort | null;
  namespaceText: string;
  namespaceSort: TableSort | null;
  containerText: string;
  containerSort: TableSort | null;
  /** while comparing: only the rows that came, went or changed */
  changesOnly: boolean;
}

export const DEFAULT_VIEW: TabView = {
  view: 'processes',
  filter: '',
  sort: { column: 'pid', descending: false },
  treeMode: false,
  collapsed: new Set(),
  selectedPid: null,
  marked: new Set(),
  detailOpen: false,
  selectedNamespace: null,
  selectedContainer: null,
  socketListeningOnly: false,
  socketProto: 'all',
  socketText: '',
  socketSort: null,
  namespaceText: '',
  namespaceSort: null,
  containerText: '',
  containerSort: null,
  changesOnly: false,
};

/** Every this many live refreshes, a full read (fds, sockets, namespaces, cgroups) instead. */
export const FULL_READ_EVERY = 15;
export const DEFAULT_INTERVAL_MS = 2000;
/** The delay before the next live refresh: the interval, doubled for each failure in a row, at most 30 s. */
export const nextDelay = (tab: Pick<Tab, 'intervalMs' | 'failures'>) => Math.min(tab.intervalMs * 2 ** tab.failures, 30_000);
/** A live tab whose data is older than this is shown as stale, whatever the reason. */
export const staleAfter = (tab: Pick<Tab, 'intervalMs' | 'failures'>) => Math.max(3 * nextDelay(tab), 10_000);

export function isStale(tab: Pick<Tab, 'kind' | 'live' | 'intervalMs' | 'failures' | 'staleSince' | 'updatedAt'>, now: number): boolean {
  if (tab.kind !== 'live') return false;
  if (tab.staleSince !== null) return true;
  return tab.live && tab.updatedAt !== null && now - tab.updatedAt > staleAfter(tab);
}

export interface Notice {
  kind: 'error' | 'info';
  text: string;
  hint?: string;
  /** the node a failed connect was for: the notice goes once that node connects */
  nodeId?: string;
}

export type NodeDialog = { mode: 'add' } | { mode: 'edit'; node: SavedNode } | { mode: 'inventory' } | null;

interface NodesSlice {
  capabilities: Capabilities | null;
  nodes: SavedNode[];
  nodeDialog: NodeDialog;
  notice: Notice | null;
  setNotice(notice: Notice | null): void;
  setNodeDialog(dialog: NodeDialog): void;
  /** saves a new or edited node; with connect, opens it too */
  saveNode(node: SavedNode, connect?: boolean): Promise<boolean>;
  removeNode(nodeId: string): Promise<void>;
  importSshConfig(): Promise<void>;
  /** saves the nodes of an inventory; says how many, and what was left out */
  importInventory(source: InventorySource): Promise<{ text: string; problems: string[]; error?: boolean }>;
  /** the process table's columns, remembered between runs */
  processColumns: ProcessColumn[];
  /** the fleet view's per-node deadline, in seconds; null: serve's or the app's default */
  fleetTimeoutSec: number | null;
  setFleetTimeout(sec: number | null): Promise<void>;
  setProcessColumns(columns: ProcessColumn[]): Promise<void>;
  /** where a node leads (as a connection would take it), or why that cannot be said */
  resolveNode(node: SavedNode): Promise<{ route: string } | { error: string }>;
}

interface TabsSlice {
  tabs: Map<string, Tab>;
  tabOrder: string[];
  activeTab: string | null;
  upsertTab(id: string, patch: Partial<Tab> & Pick<Tab, 'kind' | 'label'>): void;
  patchTab(id: string, patch: Partial<Tab>): void;
  setActiveTab(id: string | null): void;
  /** opens a node, or focuses its tab when it is open already */
  connect(nodeId: string): Promise<void>;
  /** a full read */
  refresh(tabId: string): Promise<void>;
  /** one step of the live loop: a refresh of what changed, or every FULL_READ_EVERY a full read */
  liveTick(tabId: string): Promise<void>;
  setLive(tabId: string, live: boolean, intervalMs?: number): void;
  closeTab(tabId: string): Promise<void>;
  importSnapshot(): Promise<void>;
  openSnapshot(snapshot: Snapshot, name: string): void;
  exportSnapshot(scope: 'node' | 'process'): Promise<void>;
  /** shows a moment of the tab's history, or now (null) */
  viewMoment(tabId: string, at: string | null): void;
  /** compares the tab with a moment of its history, a snapshot file ('file'), or nothing (null) */
  compareWith(tabId: string, what: { moment: string } | 'file' | null): Promise<void>;
}

interface ViewsSlice {
  views: Map<string, TabView>;
  /** changes what the active tab shows */
  patchView(patch: Partial<TabView>): void;
  setView(view: View): void;
  selectProcess(pid: number | null, open?: boolean): void;
  closeDetail(): void;
  toggleCollapsed(pid: number): void;
}

interface PromptsSlice {
  hostKeyPrompts: HostKeyPrompt[];
  secretPrompts: SecretPrompt[];
  answerHostKey(prompt: HostKeyPrompt, decision: HostKeyDecision): Promise<void>;
  answerSecret(prompt: SecretPrompt, secret: string | null, remember: boolean): Promise<void>;
}

export type State = NodesSlice & TabsSlice & ViewsSlice & PromptsSlice & FleetSlice & ActionsSlice;
type SetState = StoreApi<State>['setState'];
type GetState = StoreApi<State>['getState'];

function safeFileName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'node';
}

const errorNotice = (error: ProcscopeError): Notice => ({ kind: 'error', text: error.message, ...(error.hint ? { hint: error.hint } : {}) });

function nodesSlice(set: SetState, get: GetState, api: ApiClient): NodesSlice {
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

function tabsSlice(set: SetState, get: GetState, api: ApiClient): TabsSlice {
  /** The live loop's timers, one per tab; not state, as nothing is drawn from them. */
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Tabs the user closed, whose late status events must not bring them back. */
  const closed = new Set<string>();

  const patchTab = (id: string, patch: Partial<Tab>) =>
    set((s) => {
      const old = s.tabs.get(id);
      if (!old) return {};
      return { tabs: new Map(s.tabs).set(id, { ...old, ...patch }) };
    });

  /** Schedules the tab's next live step; called whenever one ends, however it ended, so the loop never stops by itself. */
  const schedule = (tabId: string) => {
    clearTimeout(timers.get(tabId));
    timers.delete(tabId);
    const tab = get().tabs.get(tabId);
    if (!tab || tab.kind !== 'live' || !tab.live) return;
    const retryAt = tab.failures > 0 ? Date.now() + nextDelay(tab) : null;
    if (retryAt !== tab.retryAt) patchTab(tabId, { retryAt });
    timers.set(
      tabId,
      setTimeout(() => {
        timers.delete(tabId);
        void get()
          .liveTick(tabId)
          .finally(() => {
            if (!timers.has(tabId)) schedule(tabId);
          });
      }, nextDelay(tab)),
    );
  };

  /** A new state of a live tab: shown, and remembered in its history. */
  const shown = (tabId: string, snapshot: Snapshot): Pick<Tab, 'index' | 'history' | 'samples'> => {
    const tab = get().tabs.get(tabId);
    return { index: indexSnapshot(snapshot), history: remember(tab?.history ?? [], snapshot), samples: addSample(tab?.samples ?? [], snapshot) };
  };

  const failedRead = (tabId: string, error: ProcscopeError, extra: Partial<Tab> = {}) => {
    const now = get().tabs.get(tabId);
    if (!now) return;
    patchTab(tabId, { error, loading: false, staleSince: now.staleSince ?? now.index?.snapshot.node.collectedAt ?? null, failures: now.failures + 1, ...extra });
  };

  /** Nodes this page is connecting: a status of another page's connection (procscope serve has one service for all pages) opens no tab here. */
  const connecting = new Map<string, number>();
  const onStatus = (status: ConnectionStatus) => {
    if (closed.has(status.connectionId)) return;
    const existing = get().tabs.get(status.connectionId);
    if (!existing && (status.state === 'closed' || !connecting.has(status.nodeId))) return;
    get().upsertTab(status.connectionId, {
      kind: 'live',
      label: status.label,
      nodeId: status.nodeId,
      status,
      ...(status.error ? { error: status.error } : {}),
      ...(existing ? {} : { loading: true, live: true }),
    });
    if (!existing) get().setActiveTab(status.connectionId);
  };
  api.on('connectionStatus', onStatus);
  // A first read is shown while a tab has nothing better: at its first full read, or when its data went stale.
  api.on('firstRead', ({ connectionId, snapshot }) => {
    const tab = get().tabs.get(connectionId);
    if (!tab?.loading || (tab.index && tab.staleSince === null && !tab.index.snapshot.node.pending)) return;
    patchTab(connectionId, { index: indexSnapshot(snapshot), updatedAt: Date.now() });
  });

  return {
    tabs: new Map(),
    tabOrder: [],
    activeTab: null,
    upsertTab: (id, patch) =>
      set((s) => {
        const old = s.tabs.get(id);
        const tab: Tab = { status: null, index: null, error: null, loading: false, live: false, intervalMs: DEFAULT_INTERVAL_MS, staleSince: null, failures: 0, retryAt: null, ticks: 0, updatedAt: null, history: [], samples: [], past: null, compare: null, ...old, ...patch, id };
        return { tabs: new Map(s.tabs).set(id, tab), tabOrder: old ? s.tabOrder : [...s.tabOrder, id] };
      }),
    patchTab,
    setActiveTab: (activeTab) => set({ activeTab, fleetOpen: false }),

    async connect(nodeId) {
      const open = [...get().tabs.values()].find((t) => t.kind === 'live' && t.nodeId === nodeId && t.status?.state !== 'closed' && t.status?.state !== 'failed');
      if (open) return get().setActiveTab(open.id);
      connecting.set(nodeId, (connecting.get(nodeId) ?? 0) + 1);
      const result = await api.connect(nodeId).finally(() => {
        const n = (connecting.get(nodeId) ?? 1) - 1;
        if (n > 0) connecting.set(nodeId, n);
        else connecting.delete(nodeId);
      });
      if (!result.ok) {
        set({ notice: { ...errorNotice(result.error), nodeId } });
        return;
      }
      // An error of an earlier try at this node is old news now.
      if (get().notice?.nodeId === nodeId) set({ notice: null });
      const id = result.value.connectionId;
      if (closed.has(id)) return;
      // The live loop runs from the first read on, beside the full read (liveTick).
      schedule(id);
      await get().refresh(id);
    },

    async refresh(tabId) {
      const tab = get().tabs.get(tabId);
      if (!tab || tab.kind !== 'live' || !tab.status) return;
      patchTab(tabId, { loading: true });
      const result = await api.collect(tab.status.connectionId);
      if (!get().tabs.has(tabId)) return;
      if (result.ok) patchTab(tabId, { ...shown(tabId, result.value), error: null, loading: false, staleSince: null, failures: 0, updatedAt: Date.now() });
      else failedRead(tabId, result.error);
    },

    async liveTick(tabId) {
      const tab = get().tabs.get(tabId);
      if (!tab || tab.kind !== 'live' || !tab.status) return;
      // A full read still running: the first read it sent, when shown, is refreshed beside it (the node's main
      // process runs that refresh on a shell of its own, where it can); otherwise this step is skipped, and the
      // loop goes on (schedule runs after every step).
      const beside = tab.loading && tab.index?.snapshot.node.pending !== undefined;
      if (tab.loading && !beside) return;
      const ticks = beside ? tab.ticks : tab.ticks + 1;
      if (!beside && (!tab.index || ticks % FULL_READ_EVERY === 0)) {
        patchTab(tabId, { ticks });
        return get().refresh(tabId);
      }
      const view = get().views.get(tabId) ?? DEFAULT_VIEW;
      const result = await api.refresh(tab.status.connectionId, view.detailOpen && view.selectedPid !== null ? [view.selectedPid] : [], tab.index?.snapshot.node.collectedAt ?? null);
      const now = get().tabs.get(tabId);
      // Closed; or a full read started meanwhile and will bring newer data (a refresh beside it applies to what shows).
      if (!now?.index || (now.loading && !beside)) return;
      if (result.ok) {
        const next = applyDelta(now.index.snapshot, result.value);
        // A first read brought on is shown, and not remembered in the history: it is not the whole node.
        const state = beside ? { index: indexSnapshot(next), samples: addSample(now.samples, next) } : shown(tabId, next);
        patchTab(tabId, { ...state, error: null, staleSince: null, failures: 0, ticks, updatedAt: Date.now() });
      }
      // A refresh beside a full read that could not run is no failure of the node's: the full read goes on.
      else if (!beside) failedRead(tabId, result.error, { ticks });
    },

    setLive(tabId, live, intervalMs) {
      patchTab(tabId, { live, failures: 0, ...(intervalMs ? { intervalMs } : {}) });
      schedule(tabId);
    },

    async closeTab(tabId) {
      const tab = get().tabs.get(tabId);
      closed.add(tabId);
      clearTimeout(timers.get(tabId));
      timers.delete(tabId);
      set((s) => {
        const tabs = new Map(s.tabs);
        tabs.delete(tabId);
        const views = new Map(s.views);
        views.delete(tabId);
        const tabOrder = s.tabOrder.filter((t) => t !== tabId);
        return {
          tabs,
          views,
          tabOrder,
          activeTab: s.activeTab === tabId ? (tabOrder[tabOrder.length - 1] ?? null) : s.activeTab,
          hostKeyPrompts: s.hostKeyPrompts.filter((p) => p.connectionId !== tabId),
          secretPrompts: s.secretPrompts.filter((p) => p.connectionId !== tabId),
        };
      });
      if (tab?.kind === 'live' && tab.status) await api.disconnect(tab.status.connectionId);
    },

    async importSnapshot() {
      const result = await api.importSnapshot();
      if (!result.ok) return set({ notice: errorNotice(result.error) });
      if (result.value) get().openSnapshot(result.value.snapshot, result.value.name);
    },

    openSnapshot(snapshot, name) {
      const id = `import-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
      get().upsertTab(id, { kind: 'import', label: `${snapshot.node.hostname} (imported)`, index: indexSnapshot(snapshot), importedFrom: name, live: false });
      get().setActiveTab(id);
    },

    viewMoment(tabId, at) {
      const tab = get().tabs.get(tabId);
      const moment = at === null ? undefined : tab?.history.find((m) => m.at === at);
      patchTab(tabId, { past: moment ? { at: moment.at, index: indexSnapshot(moment.snapshot) } : null });
    },

    async compareWith(tabId, what) {
      if (what === null) return patchTab(tabId, { compare: null });
      if (what === 'file') {
        const result = await api.importSnapshot();
        if (!result.ok) return set({ notice: errorNotice(result.error) });
        if (result.value) patchTab(tabId, { compare: { base: result.value.snapshot, label: result.value.name } });
        return;
      }
      const moment = get().tabs.get(tabId)?.history.find((m) => m.at === what.moment);
      if (moment) patchTab(tabId, { compare: { base: moment.snapshot, label: new Date(moment.at).toLocaleTimeString() } });
    },

    async exportSnapshot(scope) {
      const s = get();
      const tab = s.activeTab ? s.tabs.get(s.activeTab) : undefined;
      if (!tab?.index) return;
      const full = tab.index.snapshot;
      const pid = (s.views.get(tab.id) ?? DEFAULT_VIEW).selectedPid;
      if (scope === 'process' && pid === null) return set({ notice: errorNotice({ kind: 'not-found', message: 'Select a process to export it with its descendants.' }) });
      const snapshot = scope === 'process' && pid !== null ? subsetSnapshot(full, pid) : full;
      const stamp = full.node.collectedAt.replace(/[:.]/g, '-');
      const name = safeFileName(`${full.node.hostname}-${scope === 'process' ? `pid${pid}-` : ''}${stamp}`) + '.json';
      const result = await api.exportSnapshot(JSON.stringify(snapshot, null, 1), name);
      if (!result.ok) return set({ notice: errorNotice(result.error) });
      if (result.value) set({ notice: { kind: 'info', text: `Exported ${snapshot.processes.length} processes to ${result.value.path}.` } });
    },
  };
}

function viewsSlice(set: SetState, get: GetState): ViewsSlice {
  const patchView = (patch: Partial<TabView>) =>
    set((s) => {
      if (!s.activeTab) return {};
      return { views: new Map(s.views).set(s.activeTab, { ...(s.views.get(s.activeTab) ?? DEFAULT_VIEW), ...patch }) };
    });
  const current = () => {
    const s = get();
    return (s.activeTab ? s.views.get(s.activeTab) : undefined) ?? DEFAULT_VIEW;
  };
  return {
    views: new Map(),
    patchView,
    setView: (view) => patchView({ view }),
    selectProcess: (pid, open) => patchView({ selectedPid: pid, detailOpen: open ?? (pid !== null && current().detailOpen) }),
    closeDetail: () => patchView({ detailOpen: false }),
    toggleCollapsed(pid) {
      const collapsed = new Set(current().collapsed);
      if (!collapsed.delete(pid)) collapsed.add(pid);
      patchView({ collapsed });
    },
  };
}

function promptsSlice(set: SetState, api: ApiClient): PromptsSlice {
  // Prompts of this page's connections only: another page's are answered there.
  api.on('hostKeyPrompt', (p) => set((s) => (s.tabs.has(p.connectionId) ? { hostKeyPrompts: [...s.hostKeyPrompts, p] } : {})));
  api.on('secretPrompt', (p) => set((s) => (s.tabs.has(p.connectionId) ? { secretPrompts: [...s.secretPrompts, p] } : {})));
  return {
    hostKeyPrompts: [],
    secretPrompts: [],
    async answerHostKey(prompt, decision) {
      set((s) => ({ hostKeyPrompts: s.hostKeyPrompts.filter((p) => p.promptId !== prompt.promptId) }));
      await api.answerHostKey(prompt.promptId, decision);
    },
    async answerSecret(prompt, secret, remember) {
      set((s) => ({ secretPrompts: s.secretPrompts.filter((p) => p.promptId !== prompt.promptId) }));
      await api.answerSecret(prompt.promptId, secret, remember);
    },
  };
}

export type AppStore = StoreApi<State>;

/** The store for one page, talking to `api`; it loads the capabilities and saved nodes at once. */
export function createAppStore(api: ApiClient): AppStore & { ready: Promise<void> } {
  const store = createStore<State>()((set, get) => ({
    ...nodesSlice(set, get, api),
    ...tabsSlice(set, get, api),
    ...viewsSlice(set, get),
    ...promptsSlice(set, api),
    ...fleetSlice(set, get, api),
    ...actionsSlice(set, get, api),
  }));
  const ready = Promise.all([api.capabilities(), api.listNodes(), api.getSettings()]).then(([caps, nodes, settings]) => {
    if (caps.ok) store.setState({ capabilities: caps.value });
    if (nodes.ok) store.setState({ nodes: nodes.value });
    if (settings.ok && settings.value.processColumns) store.setState({ processColumns: settings.value.processColumns });
    if (settings.ok && settings.value.fleetTimeoutSec !== undefined) store.setState({ fleetTimeoutSec: settings.value.fleetTimeoutSec });
  });
  return Object.assign(store, { ready });
}

export const StoreContext = createContext<AppStore | null>(null);

export function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('no StoreContext: render inside <StoreContext.Provider value={createAppStore(api)}>');
  return store;
}

/** A narrow selection of the page's store. */
export function useStore<T>(selector: (s: State) => T): T {
  return useZustand(useAppStore(), selector);
}

const activeTabOf = (s: State) => (s.activeTab ? s.tabs.get(s.activeTab) : undefined);

/** One field of the active tab (undefined without one): components re-render when that field changes, not the whole tab. */
export function useTabField<K extends keyof Tab>(key: K): Tab[K] | undefined {
  return useStore((s) => activeTabOf(s)?.[key]);
}

/** The state the active tab shows: a moment of its history, or now. */
export function useShownIndex(): SnapshotIndex | null {
  return useStore((s) => {
    const tab = activeTabOf(s);
    return tab?.past?.index ?? tab?.index ?? null;
  });
}

/** What the active tab's shown state is compared with, if anything. */
export function useComparison(): Comparison | null {
  const index = useShownIndex();
  const compare = useTabField('compare');
  return useMemo(() => (index && compare ? compareSnapshots(compare.base, index.snapshot) : null), [index, compare]);
}

/** One field of what the active tab shows. */
export function useView<K extends keyof TabView>(key: K): TabView[K] {
  return useStore((s) => ((s.activeTab ? s.views.get(s.activeTab) : undefined) ?? DEFAULT_VIEW)[key]);
}

/** The active tab's index, or null. */
export const useActiveIndex = () => useStore((s) => activeTabOf(s)?.index ?? null);
