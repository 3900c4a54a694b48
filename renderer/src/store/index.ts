/**
 * The renderer's one store, in slices that own their state and their actions, a file each: nodes (saved connections,
 * the node dialog, settings), tabs (a live connection or an imported snapshot each) with their live loop (live.ts),
 * views (what each tab shows), prompts (host keys, secrets), fleet and actions. The API is given when the store is
 * made, never kept in state. Maps are replaced, never mutated, so narrow selectors see every change.
 */
import { createContext, useContext, useMemo } from 'react';
import { createStore, useStore as useZustand } from 'zustand';
import type { StoreApi } from 'zustand';
import type { ApiClient } from '../../../shared/api';
import { type Comparison, compareSnapshots } from '../compare';
import type { SnapshotIndex } from '../model';
import { actionsSlice } from './actions';
import { fleetSlice } from './fleet';
import { nodesSlice } from './nodes';
import { promptsSlice } from './prompts';
import type { State, Tab, TabView } from './state';
import { tabsSlice } from './tabs';
import { DEFAULT_VIEW, viewsSlice } from './views';
import { internalFailure } from '../../../shared/errors';

export type * from './state';
export { DEFAULT_VIEW } from './views';
export { DEFAULT_INTERVAL_MS, FULL_READ_EVERY, isStale, nextDelay, staleAfter } from './live';
export type { ActionRequest, ActionSubject } from './actions';
export type { FleetRun } from './fleet';

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
  if (!store) internalFailure('no StoreContext: render inside <StoreContext.Provider value={createAppStore(api)}>');
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
