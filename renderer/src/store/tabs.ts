/**
 * The tabs slice: a live connection or an imported snapshot each, opened, closed, exported, and looked at in its
 * history or against an earlier state. Each live tab's loop is live.ts's.
 */
import type { ApiClient, ConnectionStatus } from '../../../shared/api';
import { subsetSnapshot } from '../../../shared/snapshot/subset';
import { indexSnapshot } from '../model';
import { DEFAULT_INTERVAL_MS, createLiveLoop } from './live';
import { errorNotice } from './notice';
import type { GetState, SetState, Tab, TabsSlice } from './state';
import { DEFAULT_VIEW } from './views';

function safeFileName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'node';
}

export function tabsSlice(set: SetState, get: GetState, api: ApiClient): TabsSlice {
  const loop = createLiveLoop(get, api);
  /** Tabs the user closed, whose late status events must not bring them back. */
  const closed = new Set<string>();

  const patchTab = (id: string, patch: Partial<Tab>) =>
    set((s) => {
      const old = s.tabs.get(id);
      if (!old) return {};
      return { tabs: new Map(s.tabs).set(id, { ...old, ...patch }) };
    });

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
    ...loop.actions,

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
      loop.schedule(id);
      await get().refresh(id);
    },

    async closeTab(tabId) {
      const tab = get().tabs.get(tabId);
      closed.add(tabId);
      loop.stop(tabId);
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

