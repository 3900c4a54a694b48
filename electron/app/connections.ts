/**
 * The connections part of the API: open a node (asking for host keys and secrets through prompts), collect,
 * refresh, close. A connection that dropped is reopened with the same options and answers on its next request;
 * a connection runs one collection at a time.
 */
import { randomBytes } from 'node:crypto';
import { type ApiEvent, type ApiEvents, type ApiHandlers, type ConnectionStatus, LOCAL_NODE_ID, type SavedNode } from '../../shared/api';
import { fail, toProcscopeError } from '../../shared/errors';
import { applyDelta } from '../../shared/snapshot/refresh';
import type { Snapshot } from '../../shared/snapshot/types';
import { collectSnapshot, refreshSnapshot } from '../engine/collect';
import { type OpenOptions, openSession } from '../engine/open';
import type { NodeSession } from '../engine/session';
import type { Prompts } from './prompts';
import type { SecretVault } from './stores';

/** A refresh that takes longer fails (the tab shows stale data and retries) instead of leaving the tab frozen. */
const REFRESH_DEADLINE_MS = 20_000;
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
}

interface Connection {
  status: ConnectionStatus;
  node: SavedNode;
  session: NodeSession | null;
  /** the snapshot as of the last collect or refresh, which the next refresh builds on */
  last: Snapshot | null;
  /** secrets given for this connection, kept in memory only, to reconnect without asking again */
  secrets: Map<string, string>;
  /** the collection running now, if any */
  running: { kind: 'collect' | 'refresh'; done: Promise<unknown> } | null;
}

type ConnectionHandlers = Pick<ApiHandlers, 'connect' | 'disconnect' | 'collect' | 'refresh' | 'answerHostKey' | 'answerSecret'>;

export function createConnections(options: ConnectionOptions): { handlers: ConnectionHandlers; dispose(): void } {
  const connections = new Map<string, Connection>();
  const { prompts, vault, emit } = options;

  const connection = (id: string) => connections.get(id) ?? fail({ kind: 'not-found', message: 'That connection is closed.', hint: 'Connect again.' });
  const update = (conn: Connection, patch: Partial<ConnectionStatus>) => {
    conn.status = { ...conn.status, ...patch };
    if (patch.error === undefined && 'error' in patch) delete conn.status.error;
    emit('connectionStatus', conn.status);
  };

  function openOptions(conn: Connection): OpenOptions {
    const { node } = conn;
    const id = conn.status.connectionId;
    let vaultTried = false;
    return {
      ...(node.user ? { user: node.user } : {}),
      ...(node.port ? { port: node.port } : {}),
      ...(node.jump ? { jump: node.jump } : {}),
      ...(node.auth === 'key' && node.identityFile ? { identityFiles: [node.identityFile] } : {}),
      ...(node.auth === 'password' ? { identitiesOnly: true, agentSocket: null } : {}),
      ...(options.knownHostsFile ? { knownHostsFile: options.knownHostsFile } : {}),
      ...(options.sshConfigPath ? { sshConfigPath: options.sshConfigPath } : {}),
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
    const session = conn.node.id === LOCAL_NODE_ID ? await openSession('local') : await openSession(conn.node.host, openOptions(conn));
    if (!connections.has(conn.status.connectionId)) {
      session.close();
      fail({ kind: 'connection', message: 'The connection was closed while it opened.' });
    }
    conn.session = session;
    update(conn, { state: 'connected', target: session.target, error: undefined });
    return session;
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

  /** Runs one collection on a connection; a second one while it runs is refused (the first one's caller gets its answer). */
  async function exclusive<T>(conn: Connection, kind: 'collect' | 'refresh', run: () => Promise<T>): Promise<T> {
    if (conn.running) {
      if (kind === 'collect' && conn.running.kind === 'collect') return (await conn.running.done) as T;
      fail({ kind: 'unsupported', message: `A ${conn.running.kind === 'collect' ? 'full read' : 'refresh'} of this node is still running.`, hint: 'Wait for it to finish.' });
    }
    const done = run();
    conn.running = { kind, done };
    try {
      return await done;
    } finally {
      conn.running = null;
    }
  }

  const handlers: ConnectionHandlers = {
    async connect(nodeId) {
      const node = options.findNode(nodeId);
      const conn: Connection = {
        node,
        session: null,
        last: null,
        secrets: new Map(),
        running: null,
        status: { connectionId: randomBytes(8).toString('hex'), nodeId, label: node.name, target: null, state: 'connecting' },
      };
      connections.set(conn.status.connectionId, conn);
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
      return exclusive(conn, 'collect', async () => {
        const session = await liveSession(conn);
        update(conn, { state: 'collecting', bytes: 0, error: undefined });
        let lastReport = 0;
        try {
          const snapshot = await collectSnapshot(session, {
            sudo: conn.node.sudo ?? false,
            ...(options.namesRoot ? { namesRoot: options.namesRoot } : {}),
            onProgress: (bytes) => {
              const now = Date.now();
              if (now - lastReport < PROGRESS_EVERY_MS) return;
              lastReport = now;
              update(conn, { bytes });
            },
          });
          update(conn, { state: 'connected', bytes: undefined });
          conn.last = snapshot;
          return snapshot;
        } catch (err) {
          throw failed(conn, err);
        }
      });
    },
    async refresh(connectionId, detailPids) {
      const conn = connection(connectionId);
      return exclusive(conn, 'refresh', async () => {
        const last = conn.last ?? fail({ kind: 'not-found', message: 'Nothing to refresh yet: take a full snapshot first.' });
        const session = await liveSession(conn);
        try {
          const delta = await refreshSnapshot(session, last, { sudo: conn.node.sudo ?? false, detailPids, deadlineMs: REFRESH_DEADLINE_MS });
          conn.last = applyDelta(last, delta);
          if (conn.status.state !== 'connected' || conn.status.error) update(conn, { state: 'connected', error: undefined });
          return delta;
        } catch (err) {
          throw failed(conn, err);
        }
      });
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
    dispose() {
      for (const id of [...connections.keys()]) void handlers.disconnect(id);
    },
  };
}
