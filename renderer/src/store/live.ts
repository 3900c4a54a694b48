/**
 * The live loop of each tab: a refresh of what changed every interval, a full read every FULL_READ_EVERY steps or
 * when there is nothing yet, a backoff after failures, and the first read of a full read refreshed beside it.
 */
import type { ApiClient } from '../../../shared/api';
import type { ProcscopeError } from '../../../shared/errors';
import { applyDelta } from '../../../shared/snapshot/refresh';
import type { Snapshot } from '../../../shared/snapshot/types';
import { remember } from '../history';
import { indexSnapshot } from '../model';
import { addSample } from '../overview';
import type { GetState, Tab, TabsSlice } from './state';
import { DEFAULT_VIEW } from './views';

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

export interface LiveLoop {
  /** schedules the tab's next step; called whenever one ends, however it ended, so the loop never stops by itself */
  schedule(tabId: string): void;
  /** stops the tab's loop for good (the tab closed) */
  stop(tabId: string): void;
  actions: Pick<TabsSlice, 'refresh' | 'liveTick' | 'setLive'>;
}

export function createLiveLoop(get: GetState, api: ApiClient): LiveLoop {
  /** The live loop's timers, one per tab; not state, as nothing is drawn from them. */
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const patchTab = (id: string, patch: Partial<Tab>) => get().patchTab(id, patch);

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

  return {
    schedule,
    stop(tabId) {
      clearTimeout(timers.get(tabId));
      timers.delete(tabId);
    },
    actions: {
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
    },
  };
}
