/**
 * The page's state, as the types of its slices: each slice (a file of this directory) owns its state and actions,
 * and imports only these types of the whole. Maps are replaced, never mutated, so narrow selectors see every change.
 */
import type { StoreApi } from 'zustand';
import type { Capabilities, ConnectionStatus, HostKeyDecision, HostKeyPrompt, InventorySource, SavedNode, SecretPrompt } from '../../../shared/api';
import type { ProcscopeError } from '../../../shared/errors';
import type { ProcessColumn } from '../../../shared/process-columns';
import type { Snapshot } from '../../../shared/snapshot/types';
import type { ActionsSlice } from './actions';
import type { FleetSlice } from './fleet';
import type { Moment } from '../history';
import type { SnapshotIndex, SortSpec } from '../model';
import type { NodeSample } from '../overview';

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

export interface Notice {
  kind: 'error' | 'info';
  text: string;
  hint?: string;
  /** the node a failed connect was for: the notice goes once that node connects */
  nodeId?: string;
}

export type NodeDialog = { mode: 'add' } | { mode: 'edit'; node: SavedNode } | { mode: 'inventory' } | null;

export interface NodesSlice {
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

export interface TabsSlice {
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

export interface ViewsSlice {
  views: Map<string, TabView>;
  /** changes what the active tab shows */
  patchView(patch: Partial<TabView>): void;
  setView(view: View): void;
  selectProcess(pid: number | null, open?: boolean): void;
  closeDetail(): void;
  toggleCollapsed(pid: number): void;
}

export interface PromptsSlice {
  hostKeyPrompts: HostKeyPrompt[];
  secretPrompts: SecretPrompt[];
  answerHostKey(prompt: HostKeyPrompt, decision: HostKeyDecision): Promise<void>;
  answerSecret(prompt: SecretPrompt, secret: string | null, remember: boolean): Promise<void>;
}

export type State = NodesSlice & TabsSlice & ViewsSlice & PromptsSlice & FleetSlice & ActionsSlice;
export type SetState = StoreApi<State>['setState'];
export type GetState = StoreApi<State>['getState'];
