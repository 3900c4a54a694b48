/**
 * The fleet slice of the store: what each saved node answered last (its state, counts and load, from the main
 * process's fleetNode events), and the question asked of them all, with its matches as nodes answer.
 */
import type { ApiClient, FleetAnswer, FleetMatch, FleetNodeStatus, SavedNode } from '../../../shared/api';
import type { ProcscopeError } from '../../../shared/errors';
import type { StoreApi } from 'zustand';
import type { State } from './state';
import { DEFAULT_VIEW } from './views';

export interface FleetRun {
  /** the text asked ('' for the nodes' states only) */
  text: string;
  nodeIds: string[];
  running: boolean;
  /** matches so far (events), then the answer's */
  matches: FleetMatch[];
  answer: FleetAnswer | null;
  /** the question could not be asked (it did not parse) */
  error: ProcscopeError | null;
}

export interface FleetSlice {
  fleetOpen: boolean;
  fleetStatus: Map<string, FleetNodeStatus>;
  fleetRun: FleetRun | null;
  /** the search box's text, kept while the user looks at a tab */
  fleetText: string;
  setFleetText(text: string): void;
  openFleet(open: boolean): void;
  /** asks the question (search-box text; '' asks only their states) of these nodes, or of every saved node */
  askFleet(text: string, nodeIds?: string[]): Promise<void>;
  /** opens the node's tab (taking over the fleet's connection) with the process's detail */
  openFleetMatch(nodeId: string, pid: number): Promise<void>;
}

/** The groups a node is listed under: its own, or "ungrouped". */
export function groupsOfNode(node: SavedNode): string[] {
  return node.groups?.length ? node.groups : ['ungrouped'];
}

/** Saved nodes by group, groups sorted by name with "ungrouped" last; a node in two groups is in both. */
export function nodesByGroup(nodes: SavedNode[]): [string, SavedNode[]][] {
  const groups = new Map<string, SavedNode[]>();
  for (const n of nodes) for (const g of groupsOfNode(n)) (groups.get(g) ?? groups.set(g, []).get(g)!).push(n);
  return [...groups].sort(([a], [b]) => (a === 'ungrouped' ? 1 : b === 'ungrouped' ? -1 : a.localeCompare(b)));
}

export type FleetNodeState = 'not asked' | 'asking' | 'connected' | 'stale' | 'failed';

/** connected: answered, its connection kept open; stale: the figures are from an earlier answer, its connection closed since. */
export function fleetNodeState(status: FleetNodeStatus | undefined): FleetNodeState {
  if (!status) return 'not asked';
  if (status.state === 'asking') return 'asking';
  if (status.state === 'failed') return 'failed';
  return status.connected ? 'connected' : 'stale';
}

type SetState = StoreApi<State>['setState'];
type GetState = StoreApi<State>['getState'];

export function fleetSlice(set: SetState, get: GetState, api: ApiClient): FleetSlice {
  api.on('fleetNode', (status) => set((s) => ({ fleetStatus: new Map(s.fleetStatus).set(status.nodeId, status) })));
  api.on('fleetMatches', ({ matches }) =>
    set((s) => (s.fleetRun?.running && matches.length > 0 ? { fleetRun: { ...s.fleetRun, matches: [...s.fleetRun.matches, ...matches] } } : {})),
  );
  return {
    fleetOpen: false,
    fleetStatus: new Map(),
    fleetRun: null,
    fleetText: '',
    setFleetText: (fleetText) => set({ fleetText }),
    openFleet(open) {
      set({ fleetOpen: open });
      if (open && get().fleetStatus.size === 0 && !get().fleetRun?.running && get().nodes.length > 0) void get().askFleet('');
    },
    async askFleet(text, only) {
      if (get().fleetRun?.running) return;
      const nodeIds = only ?? get().nodes.map((n) => n.id);
      set({ fleetRun: { text, nodeIds, running: true, matches: [], answer: null, error: null } });
      const result = await api.fleetAsk(nodeIds, text);
      set((s) => ({
        fleetRun: result.ok
          ? { text, nodeIds, running: false, matches: result.value.matches, answer: result.value, error: null }
          : { text, nodeIds, running: false, matches: s.fleetRun?.matches ?? [], answer: null, error: result.error },
      }));
    },
    async openFleetMatch(nodeId, pid) {
      set({ fleetOpen: false });
      await get().connect(nodeId);
      const tab = [...get().tabs.values()].find((t) => t.kind === 'live' && t.nodeId === nodeId && t.status?.state !== 'closed');
      if (!tab) return;
      set((s) => ({
        activeTab: tab.id,
        fleetOpen: false,
        views: new Map(s.views).set(tab.id, { ...(s.views.get(tab.id) ?? DEFAULT_VIEW), view: 'processes', filter: '', selectedPid: pid, detailOpen: true }),
      }));
    },
  };
}
