/**
 * The one API between the UI and the main process: a typed map of requests and of events.
 * The main process implements it once (electron/app/service.ts); each method's arguments are checked by
 * shared/api-validate.ts, whose table is also the list of methods every transport derives its plumbing from
 * (the preload over IPC, `procscope serve` over a WebSocket, shared/api-client.ts for the renderer).
 * Every request answers Result<T>: { ok: true, value } or { ok: false, error: { kind, message, hint? } }.
 */
import type { ActionResult, ActionTarget, ProcessAction } from './actions/actions';
import type { ProcscopeError, Result } from './errors';
import type { Settings } from './settings';
import type { ProcessMatch } from './fleet/query';
import type { Loadavg } from './proc/loadavg';
import type { SnapshotDelta } from './snapshot/refresh';
import type { Snapshot } from './snapshot/types';

export const LOCAL_NODE_ID = 'local';

export type AuthMethod = 'agent' | 'key' | 'password';

export interface SavedNode {
  id: string;
  name: string;
  /** "ssh" (the default), or "command": reached through the shell of a command run on this computer */
  kind?: 'ssh' | 'command';
  /** host name, address, or a Host alias of ~/.ssh/config ("command" for a command node) */
  host: string;
  /** a command node's command: `ssh -T web-1 sh`, `kubectl debug node/x -it ... -- chroot /host sh` */
  command?: string;
  port?: number;
  user?: string;
  auth: AuthMethod;
  identityFile?: string;
  /** ProxyJump: comma-separated [user@]host[:port] */
  jump?: string;
  sudo?: boolean;
  /** actions (signals, renice) are turned off for this node */
  readOnly?: boolean;
  /** inventory groups (Ansible groups, a plain inventory's tags, or typed by the user): the fleet view groups by them */
  groups?: string[];
  /** a password or passphrase is kept (encrypted with the OS keychain); the secret itself never leaves the main process */
  hasSavedSecret?: boolean;
}

export type ConnectionState = 'connecting' | 'connected' | 'collecting' | 'failed' | 'closed';

export interface ConnectionStatus {
  connectionId: string;
  nodeId: string;
  label: string;
  /** "local" or user@host:port, once connected */
  target: string | null;
  state: ConnectionState;
  error?: ProcscopeError;
  /** bytes of collector output received so far, while collecting */
  bytes?: number;
  /** the connection log: a ProxyCommand's stderr, host keys recorded without asking (the last lines) */
  log?: string[];
}

export type HostKeyDecision = 'accept-once' | 'accept-always' | 'reject';

export interface HostKeyPrompt {
  promptId: string;
  connectionId: string;
  host: string;
  keyType: string;
  fingerprint: string;
}

export interface SecretPrompt {
  promptId: string;
  connectionId: string;
  kind: 'password' | 'passphrase';
  subject: string;
  canRemember: boolean;
}

export interface Capabilities {
  transport: 'electron' | 'browser';
  canRememberSecrets: boolean;
  /** why secrets are not kept, when they are not */
  whyNotRemembered?: string;
}

/** What the fleet view knows of one saved node: its last answer, and its pooled connection. */
export interface FleetNodeStatus {
  nodeId: string;
  /** asking now; answered (the counts are from then); failed (the counts, if any, are from an earlier answer) */
  state: 'asking' | 'answered' | 'failed';
  /** a pooled connection to the node is open, to be reused by the next question */
  connected: boolean;
  error?: ProcscopeError;
  /** when the node last answered (this machine's clock, ISO) */
  answeredAt?: string;
  hostname?: string;
  processes?: number;
  containers?: number;
  load?: Loadavg;
  /** how long the last question took on this node, connection included */
  ms?: number;
}

/** A match of a fleet question on one node. */
export interface FleetMatch extends ProcessMatch {
  nodeId: string;
}

export interface FleetAnswer {
  runId: string;
  /** the question as understood: `port:6443 name:^kube` (empty: only the nodes' states were asked) */
  query: string;
  asked: number;
  answered: number;
  matches: FleetMatch[];
  failed: { nodeId: string; error: ProcscopeError }[];
}

/**
 * An inventory as the page may name one: a file the person picked in a file dialog (its text, read by the page), or
 * a source read by name: ssh-config, ansible:INVENTORY or kubectl[:CONTEXT]. The page never names a local path to read.
 */
export type InventorySource = { kind: 'file'; name: string; text: string } | { kind: 'named'; spec: string };

/** The most text of a picked inventory file. */
export const MAX_INVENTORY_BYTES = 4 * 1024 * 1024;

export interface ApiRequests {
  capabilities: { args: []; result: Capabilities };
  listNodes: { args: []; result: SavedNode[] };
  saveNode: { args: [node: SavedNode]; result: SavedNode[] };
  removeNode: { args: [nodeId: string]; result: SavedNode[] };
  importSshConfig: { args: []; result: SavedNode[] };
  /** where a node (saved or not) leads, as a connection would take it: "web-1 → 10.0.3.7:22 as deploy via bastion, ..." */
  resolveNode: { args: [node: SavedNode]; result: { route: string } };
  connect: { args: [nodeId: string]; result: ConnectionStatus };
  disconnect: { args: [connectionId: string]; result: null };
  collect: { args: [connectionId: string]; result: Snapshot };
  /**
   * what changed since the last collect or refresh of this connection; re-reads the fds of detailPids. `base` is the
   * collectedAt of the snapshot the caller applies the delta to: where it is not the connection's own (another page
   * refreshed meanwhile), the delta carries every process's numbers, not only those that moved.
   */
  refresh: { args: [connectionId: string, detailPids: number[], base?: string | null]; result: SnapshotDelta };
  answerHostKey: { args: [promptId: string, decision: HostKeyDecision]; result: null };
  answerSecret: { args: [promptId: string, secret: string | null, remember: boolean]; result: null };
  /** writes a snapshot through a save dialog; null when the user cancels */
  exportSnapshot: { args: [json: string, suggestedName: string]; result: { path: string } | null };
  /** reads a snapshot through an open dialog; null when the user cancels */
  importSnapshot: { args: []; result: { snapshot: Snapshot; name: string } | null };
  /** checks a snapshot the renderer read itself (browser mode's file input) */
  checkSnapshot: { args: [text: string]; result: Snapshot };
  /** signals or renices processes, each only while its start time is still the one given; logged locally */
  actOnProcesses: { args: [connectionId: string, targets: ActionTarget[], action: ProcessAction]; result: ActionResult[] };
  /** what the app remembers between runs (the process table's columns) */
  getSettings: { args: []; result: Settings };
  saveSettings: { args: [settings: Settings]; result: Settings };
  /** saves the nodes of an inventory (a file the person picked, ssh-config, ansible:INVENTORY, kubectl[:CONTEXT]) with their groups */
  importInventory: { args: [source: InventorySource]; result: { nodes: SavedNode[]; added: number; updated: number; problems: string[] } };
  /** what the fleet view knows of each node */
  fleetStatus: { args: []; result: FleetNodeStatus[] };
  /** asks the question (search-box text; empty: only each node's state) of these nodes, a bounded number at a time */
  fleetAsk: { args: [nodeIds: string[], query: string]; result: FleetAnswer };
}

export interface ApiEvents {
  connectionStatus: ConnectionStatus;
  hostKeyPrompt: HostKeyPrompt;
  secretPrompt: SecretPrompt;
  /** a node of the fleet view changed state */
  fleetNode: FleetNodeStatus;
  /** a node answered a fleet question */
  fleetMatches: { runId: string; nodeId: string; matches: FleetMatch[] };
  /** a full read's first read (processes, overview, users), while the rest still arrives: node.pending says what is coming */
  firstRead: { connectionId: string; snapshot: Snapshot };
}

export type ApiMethod = keyof ApiRequests;
export type ApiEvent = keyof ApiEvents;

const EVENT_NAMES: Record<ApiEvent, true> = { connectionStatus: true, hostKeyPrompt: true, secretPrompt: true, fleetNode: true, fleetMatches: true, firstRead: true };
export const API_EVENTS = Object.keys(EVENT_NAMES) as ApiEvent[];

/** What the main process implements: plain async functions that may throw ProcscopeFailure. */
export type ApiHandlers = { [K in ApiMethod]: (...args: ApiRequests[K]['args']) => Promise<ApiRequests[K]['result']> };

/** What the renderer calls: the same methods, answering Result, plus event subscription. */
export type ApiClient = { [K in ApiMethod]: (...args: ApiRequests[K]['args']) => Promise<Result<ApiRequests[K]['result']>> } & {
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
};

export const ipcChannel = (method: ApiMethod | ApiEvent): string => `procscope:${method}`;
