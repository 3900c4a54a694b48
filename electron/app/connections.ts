/**
 * The connections part of the API: open a node (asking for host keys and secrets through prompts), collect,
 * refresh, close. A connection that dropped is reopened with the same options and answers on its next request;
 * a connection runs one collection at a time.
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { describeRoute } from '../../shared/ssh/route';
import { resolveDestination } from '../engine/ssh/resolve';
import { type ApiEvent, type ApiEvents, type ApiHandlers, type ConnectionStatus, LOCAL_NODE_ID, type SavedNode } from '../../shared/api';
import { fail, toProcscopeError } from '../../shared/errors';
import { type SnapshotDelta, applyDelta } from '../../shared/snapshot/refresh';
import type { Snapshot } from '../../shared/snapshot/types';
import type { ProcessFile } from '../../shared/collect/files';
import { collectSnapshot, refreshSnapshot } from '../engine/collect';
import { actOnProcesses } from '../engine/act';
import { logActions } from './action-log';
import { type OpenOptions, openSession } from '../engine/open';
import type { NodeSession } from '../engine/session';
import type { Prompts } from './prompts';
import type { SecretVault } from './stores';
import type { CommandApproval } from '../../shared/approval';
import type { Approvals } from './approvals';

/**
 * A refresh silent for longer fails (the tab shows stale data and retries) instead of leaving the tab frozen; one
 * that keeps receiving is let finish, as the reconnect after a node's restart reads every process in full.
 */
const REFRESH_SILENCE_MS = 20_000;
const PROGRESS_EVERY_MS = 100;

export interface ConnectionOptions {
  vault: SecretVault;
  prompts: Prompts;
  emit: <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;
  findNode(nodeId: string): SavedNode;
  knownHostsFile?: string;
  sshConfigPath?: string;
  /** read container name files under this root (tests) */
  namesRoot?: string;
  /** the person's approvals of commands to run on this computer: the renderer alone never gets to run one */
  approvals: Approvals;
  /** where the local action log is written */
  configDir?: string;
  /** an open connection to the node kept elsewhere (the fleet's pool), for a new tab to take over */
  takeSession?: (nodeId: string) => NodeSession | null;
  /** the optional process files a full read reads: those the columns shown need (all when absent) */
  optionalFiles?: () => Promise<readonly ProcessFile[]>;
}

const LOG_LINES_KEPT = 50;

/** What the person approves for a command node: its command, under its sudo flag. */
function commandApproval(node: SavedNode): CommandApproval {
  const command = node.command ?? fail({ kind: 'parse', message: `The node ${node.name} has no command.` });
  return { command, sudo: node.sudo ?? false, purpose: `reach ${node.name}` };
}

interface Connection {
  status: ConnectionStatus;
  node: SavedNode;
  session: NodeSession | null;
  /** the snapshot as of the last collect or refresh, which the next refresh builds on */
  last: Snapshot | null;
  /** secrets given for this connection, kept in memory only, to reconnect without asking again */
  secrets: Map<string, string>;
  /** what runs now on each of the connection's two lanes: the main one, and the side shell of a refresh beside a full read */
  running: Record<Lane, Running | null>;
  /**
   * While a full read runs: its first read, as the live refreshes beside it have brought it on (the page shows
   * the same), or null.
   */
  early: Snapshot | null;
}

type Lane = 'main' | 'side';
interface Running {
  kind: 'collect' | 'refresh';
  done: Promise<unknown>;
}

type ConnectionHandlers = Pick<ApiHandlers, 'connect' | 'disconnect' | 'collect' | 'refresh' | 'answerHostKey' | 'answerSecret' | 'resolveNode' | 'actOnProcesses'>;

/** The parts of the open options that say where a saved node leads. */
export function nodeRouteOptions(node: SavedNode, paths: { knownHostsFile?: string; sshConfigPath?: string }): OpenOptions {
  return {
    ...(node.user ? { user: node.user } : {}),
    ...(node.port ? { port: node.port } : {}),
    ...(node.jump ? { jump: node.jump } : {}),
    ...(node.auth === 'key' && node.identityFile ? { identityFiles: [node.identityFile] } : {}),
    ...(node.auth === 'password' ? { identitiesOnly: true, agentSocket: null } : {}),
    ...(paths.knownHostsFile ? { knownHostsFile: paths.knownHostsFile } : {}),
    ...(paths.sshConfigPath ? { sshConfigPath: paths.sshConfigPath } : {}),
  };
}

export function createConnections(options: ConnectionOptions): {
  handlers: ConnectionHandlers;
  /** opens a command node whose command was approved in this run; refuses one that was not */
  openApprovedCommand(node: SavedNode): Promise<NodeSession>;
  dispose(): void;
} {
  const connections = new Map<string, Connection>();
  const { prompts, vault, emit } = options;

  const connection = (id: string) => connections.get(id) ?? fail({ kind: 'not-found', message: 'That connection is closed.', hint: 'Connect again.' });
  const update = (conn: Connection, patch: Partial<ConnectionStatus>) => {
    conn.status = { ...conn.status, ...patch };
    if (patch.error === undefined && 'error' in patch) delete conn.status.error;
    emit('connectionStatus', conn.status);
  };

  /** Bytes received, told to the tab at most every PROGRESS_EVERY_MS. */
  const progressOf = (conn: Connection) => {
    let lastReport = 0;
    return (bytes: number) => {
      const now = Date.now();
      if (now - lastReport < PROGRESS_EVERY_MS) return;
      lastReport = now;
      update(conn, { state: 'collecting', bytes });
    };
  };

  const addLog = (conn: Connection, line: string) => update(conn, { log: [...(conn.status.log ?? []), line].slice(-LOG_LINES_KEPT) });

  const routeOptions = (node: SavedNode) => nodeRouteOptions(node, options);

  function openOptions(conn: Connection): OpenOptions {
    const { node } = conn;
    const id = conn.status.connectionId;
    let vaultTried = false;
    return {
      ...routeOptions(node),
      log: (line) => addLog(conn, line),
      onResolved: (host) => addLog(conn, `Route: ${describeRoute(host, userInfo().homedir)}`),
      onUnknownKey: async (key) =>
        (await prompts.ask('host-key', id, (promptId) => emit('hostKeyPrompt', { promptId, connectionId: id, host: key.host, keyType: key.keyType, fingerprint: key.fingerprint }))) ?? 'reject',
      askSecret: async (req) => {
        const key = `${req.kind}:${req.subject}`;
        const known = conn.secrets.get(key);
        if (known !== undefined) {
          conn.secrets.delete(key);
          return known;
        }
        if (!vaultTried && vault.has(node.id)) {
          vaultTried = true;
          return vault.load(node.id);
        }
        const answer = await prompts.ask('secret', id, (promptId) => emit('secretPrompt', { promptId, connectionId: id, kind: req.kind, subject: req.subject, canRemember: vault.available }));
        if (!answer || answer.secret === null) return null;
        if (answer.remember && vault.available) vault.save(node.id, answer.secret);
        conn.secrets.set(key, answer.secret);
        return answer.secret;
      },
    };
  }

  /** Opens (or reopens) the connection's session; a connection closed meanwhile closes the new session. */
  async function open(conn: Connection): Promise<NodeSession> {
    update(conn, { state: 'connecting' });
    const session =
      conn.node.id === LOCAL_NODE_ID ? await openSession('local')
      : conn.node.kind === 'command' ? await openCommand(conn.node)
      : await openSession(conn.node.host, openOptions(conn));
    if (!connections.has(conn.status.connectionId)) {
      session.close();
      fail({ kind: 'connection', message: 'The connection was closed while it opened.' });
    }
    conn.session = session;
    update(conn, { state: 'connected', target: session.target, error: undefined });
    return session;
  }

  async function openCommand(node: SavedNode): Promise<NodeSession> {
    const approval = commandApproval(node);
    await options.approvals.require(approval, { what: `the command of ${node.name}`, remember: true, again: 'Connect again to be asked again.' });
    return commandSession(node, approval.command);
  }

  async function commandSession(node: SavedNode, command: string): Promise<NodeSession> {
    const { openCommandSession } = await import('../engine/command-session');
    return openCommandSession(command, { sudo: node.sudo ?? false });
  }

  async function liveSession(conn: Connection): Promise<NodeSession> {
    if (conn.session?.isOpen()) return conn.session;
    conn.session?.close();
    conn.session = null;
    try {
      return await open(conn);
    } catch (err) {
      throw failed(conn, err);
    }
  }

  /** Records a failed request on the connection; a lost connection shows as failed until the next request reconnects. */
  function failed(conn: Connection, err: unknown): unknown {
    const error = toProcscopeError(err);
    const lost = error.kind === 'connection' || conn.session?.isOpen() === false;
    update(conn, { state: lost ? 'failed' : 'connected', error, bytes: undefined });
    return err;
  }

  /**
   * Runs one collection on a lane of a connection. A second full read while one runs gets the first one's answer;
   * anything else that meets one running on its lane, or a refresh that meets a refresh on either, is refused.
   */
  async function exclusive<T>(conn: Connection, lane: Lane, kind: Running['kind'], run: () => Promise<T>): Promise<T> {
    const here = conn.running[lane];
    if (here?.kind === 'collect' && kind === 'collect') return (await here.done) as T;
    const busy = here ?? (kind === 'refresh' ? Object.values(conn.running).find((r) => r?.kind === 'refresh') : null);
    if (busy) fail({ kind: 'unsupported', message: `A ${busy.kind === 'collect' ? 'full read' : 'refresh'} of this node is still running.`, hint: 'Wait for it to finish.' });
    const done = run();
    conn.running[lane] = { kind, done };
    try {
      return await done;
    } finally {
      conn.running[lane] = null;
    }
  }

  /**
   * A live refresh while the full read still runs, from its first read, on a shell of its own beside it: the page
   * that shows the first read goes live at once. A full read that ends meanwhile holds the same processes as the
   * first read it began with, so the delta carries on from it.
   */
  /**
   * Whether the caller applies the delta to another snapshot than the connection's (another page refreshed, or the
   * full read landed between): then a process whose numbers moved before this refresh, and not since, must be sent.
   */
  const otherBase = (ours: Snapshot, base: string | null) => base !== null && base !== ours.node.collectedAt;

  function refreshBeside(conn: Connection, session: NodeSession, early: Snapshot, detailPids: number[], base: string | null): Promise<SnapshotDelta> {
    return exclusive(conn, 'side', 'refresh', async () => {
      const delta = await refreshSnapshot(session, early, { sudo: conn.node.sudo ?? false, detailPids, silenceMs: REFRESH_SILENCE_MS, lane: 'side', dense: otherBase(early, base) });
      if (conn.early) conn.early = applyDelta(conn.early, delta);
      else if (conn.last) conn.last = applyDelta(conn.last, delta);
      return delta;
    });
  }

  const handlers: ConnectionHandlers = {
    async resolveNode(node) {
      if (node.kind === 'command') return { route: `${node.name}: runs ${JSON.stringify(node.command)} on this computer (once you approve it) and reads the node through its shell` };
      if (node.id === LOCAL_NODE_ID || node.host === 'local') return { route: 'this machine, through /bin/sh' };
      return { route: describeRoute(await resolveDestination(node.host, routeOptions(node)), userInfo().homedir) };
    },
    async connect(nodeId) {
      const node = options.findNode(nodeId);
      const conn: Connection = {
        node,
        session: null,
        last: null,
        secrets: new Map(),
        running: { main: null, side: null },
        early: null,
        status: { connectionId: randomBytes(8).toString('hex'), nodeId, label: node.name, target: null, state: 'connecting' },
      };
      connections.set(conn.status.connectionId, conn);
      // A connection the fleet view keeps open is taken over: no second login.
      const kept = options.takeSession?.(nodeId);
      if (kept) {
        conn.session = kept;
        update(conn, { state: 'connected', target: kept.target });
        return conn.status;
      }
      try {
        await open(conn);
        return conn.status;
      } catch (err) {
        const wasOpen = connections.delete(conn.status.connectionId);
        if (wasOpen) update(conn, { state: 'failed', error: toProcscopeError(err) });
        throw err;
      }
    },
    async disconnect(connectionId) {
      const conn = connections.get(connectionId);
      if (!conn) return null;
      connections.delete(connectionId);
      prompts.cancel(connectionId);
      conn.session?.close();
      update(conn, { state: 'closed' });
      return null;
    },
    async collect(connectionId) {
      const conn = connection(connectionId);
      return exclusive(conn, 'main', 'collect', async () => {
        const session = await liveSession(conn);
        update(conn, { state: 'collecting', bytes: 0, error: undefined });
        try {
          const optionalFiles = await options.optionalFiles?.();
          const snapshot = await collectSnapshot(session, {
            sudo: conn.node.sudo ?? false,
            ...(optionalFiles ? { optionalFiles } : {}),
            ...(options.namesRoot ? { namesRoot: options.namesRoot } : {}),
            onFirstRead: (snapshot) => {
              if (session.concurrent) conn.early = snapshot;
              emit('firstRead', { connectionId, snapshot });
            },
            onProgress: progressOf(conn),
          });
          update(conn, { state: 'connected', bytes: undefined });
          conn.last = snapshot;
          return snapshot;
        } catch (err) {
          throw failed(conn, err);
        } finally {
          conn.early = null;
        }
      });
    },
    async refresh(connectionId, detailPids, base = null) {
      const conn = connection(connectionId);
      if (conn.running.main?.kind === 'collect' && conn.early && conn.session) return refreshBeside(conn, conn.session, conn.early, detailPids, base);
      return exclusive(conn, 'main', 'refresh', async () => {
        const last = conn.last ?? fail({ kind: 'not-found', message: 'Nothing to refresh yet: take a full snapshot first.' });
        const reconnecting = !conn.session?.isOpen();
        const session = await liveSession(conn);
        // After a reconnect the node may have restarted: every process is new and read in full; the tab shows its progress.
        const onProgress = progressOf(conn);
        try {
          const delta = await refreshSnapshot(session, last, { sudo: conn.node.sudo ?? false, detailPids, silenceMs: REFRESH_SILENCE_MS, dense: otherBase(last, base), ...(reconnecting ? { onProgress } : {}) });
          conn.last = applyDelta(last, delta);
          if (conn.status.state !== 'connected' || conn.status.error) update(conn, { state: 'connected', error: undefined, bytes: undefined });
          return delta;
        } catch (err) {
          throw failed(conn, err);
        }
      });
    },
    async actOnProcesses(connectionId, targets, action) {
      const conn = connection(connectionId);
      if (conn.node.readOnly) fail({ kind: 'permission-denied', message: `Actions are turned off for ${conn.node.name}: nothing was sent.`, hint: 'Edit the node and allow actions to send signals or renice.' });
      const session = await liveSession(conn);
      const sudo = conn.node.sudo ?? false;
      let results;
      try {
        results = await actOnProcesses(session, targets, action, { sudo });
      } catch (err) {
        // A lost connection shows on the tab; any other failure is the action's own, shown where it was asked.
        throw session.isOpen() ? err : failed(conn, err);
      }
      if (options.configDir) logActions(options.configDir, `${conn.node.name} (${session.target})`, action, results, { sudo, by: 'app' });
      return results;
    },
    async answerHostKey(promptId, decision) {
      prompts.answer('host-key', promptId, decision);
      return null;
    },
    async answerSecret(promptId, secret, remember) {
      prompts.answer('secret', promptId, { secret, remember });
      return null;
    },
  };

  return {
    handlers,
    async openApprovedCommand(node) {
      const approval = commandApproval(node);
      if (!options.approvals.has(approval)) fail({ kind: 'permission-denied', message: `The command of ${node.name}${approval.sudo ? ' under sudo -n' : ''} has not been approved in this run.`, hint: `Open ${node.name} from the node list once to approve it.` });
      return commandSession(node, approval.command);
    },
    dispose() {
      for (const id of [...connections.keys()]) void handlers.disconnect(id);
    },
  };
}
