/**
 * The API's one implementation (shared/api.ts): saved nodes, connections, host key and secret prompts,
 * collection with progress, export and import. No Electron here: the Electron main process and
 * `procscope serve` both wrap it, each with its own transport and dialogs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  type ApiEvent,
  type ApiEvents,
  type ApiHandlers,
  type ConnectionStatus,
  type HostKeyDecision,
  LOCAL_NODE_ID,
  type SavedNode,
} from '../../shared/api';
import { fail, toProcscopeError } from '../../shared/errors';
import { MAX_SNAPSHOT_BYTES, readSnapshot, tooLarge } from '../../shared/snapshot/import';
import { applyDelta } from '../../shared/snapshot/refresh';
import type { Snapshot } from '../../shared/snapshot/types';
import { collectSnapshot, refreshSnapshot } from '../engine/collect';
import { type OpenOptions, openSession } from '../engine/open';
import type { NodeSession } from '../engine/session';
import { listConfigHosts, readSshConfig } from '../engine/ssh/config-file';
import { NodeStore, type SecretVault, newId } from './stores';

/** A refresh that takes longer fails (the tab shows stale data and retries) instead of leaving the tab frozen. */
const REFRESH_DEADLINE_MS = 20_000;

export interface Dialogs {
  /** a path to save to, or null if the user cancelled */
  saveFile(suggestedName: string): Promise<string | null>;
  openFile(): Promise<string | null>;
}

export interface ServiceOptions {
  configDir: string;
  vault: SecretVault;
  transport: 'electron' | 'browser';
  emit: <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;
  dialogs?: Dialogs;
  knownHostsFile?: string;
  sshConfigPath?: string;
  /** read container name files under this root (tests) */
  namesRoot?: string;
}

interface Connection {
  status: ConnectionStatus;
  node: SavedNode;
  session: NodeSession | null;
  /** prompts waiting for an answer, to refuse if the connection goes away */
  prompts: Set<string>;
  /** the snapshot as of the last collect or refresh, which the next refresh builds on */
  last: Snapshot | null;
  /** secrets given for this connection, kept in memory only, to reconnect without asking again */
  secrets: Map<string, string>;
}

const LOCAL_NODE: SavedNode = { id: LOCAL_NODE_ID, name: 'This machine', host: 'local', auth: 'agent' };

function destinationOf(node: SavedNode): string {
  return node.host;
}

export function createService(options: ServiceOptions): { handlers: ApiHandlers; dispose(): void } {
  const store = new NodeStore(options.configDir);
  const connections = new Map<string, Connection>();
  const waiting = new Map<string, (answer: unknown) => void>();

  const withSecretFlags = (nodes: SavedNode[]) => nodes.map((n) => ({ ...n, hasSavedSecret: options.vault.has(n.id) }));
  const findNode = (nodeId: string): SavedNode => {
    if (nodeId === LOCAL_NODE_ID) return LOCAL_NODE;
    return store.list().find((n) => n.id === nodeId) ?? fail({ kind: 'not-found', message: `No saved node with id ${nodeId}.` });
  };
  const connection = (id: string) => connections.get(id) ?? fail({ kind: 'not-found', message: 'That connection is closed.', hint: 'Connect again.' });
  const update = (conn: Connection, patch: Partial<ConnectionStatus>) => {
    conn.status = { ...conn.status, ...patch };
    if (patch.error === undefined && 'error' in patch) delete conn.status.error;
    options.emit('connectionStatus', conn.status);
  };

  function ask<T>(conn: Connection, send: (promptId: string) => void): Promise<T> {
    const promptId = newId();
    conn.prompts.add(promptId);
    return new Promise<T>((resolve) => {
      waiting.set(promptId, (answer) => {
        waiting.delete(promptId);
        conn.prompts.delete(promptId);
        resolve(answer as T);
      });
      send(promptId);
    });
  }

  function openOptions(conn: Connection): OpenOptions {
    const node = conn.node;
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
        (await ask<HostKeyDecision | null>(conn, (promptId) =>
          options.emit('hostKeyPrompt', { promptId, connectionId: conn.status.connectionId, host: key.host, keyType: key.keyType, fingerprint: key.fingerprint }),
        )) ?? 'reject',
      askSecret: async (req) => {
        const key = `${req.kind}:${req.subject}`;
        const known = conn.secrets.get(key);
        if (known !== undefined) {
          conn.secrets.delete(key);
          return known;
        }
        if (!vaultTried && options.vault.has(node.id)) {
          vaultTried = true;
          return options.vault.load(node.id);
        }
        const answer = await ask<{ secret: string | null; remember: boolean } | null>(conn, (promptId) =>
          options.emit('secretPrompt', { promptId, connectionId: conn.status.connectionId, kind: req.kind, subject: req.subject, canRemember: options.vault.available }),
        );
        if (!answer || answer.secret === null) return null;
        if (answer.remember && options.vault.available) options.vault.save(node.id, answer.secret);
        conn.secrets.set(key, answer.secret);
        return answer.secret;
      },
    };
  }

  /** The connection's session, reopened (same options, same answers) when it dropped. */
  async function liveSession(conn: Connection): Promise<NodeSession> {
    if (conn.session?.isOpen()) return conn.session;
    conn.session?.close();
    conn.session = null;
    update(conn, { state: 'connecting' });
    try {
      conn.session = conn.node.id === LOCAL_NODE_ID ? await openSession('local') : await openSession(destinationOf(conn.node), openOptions(conn));
    } catch (err) {
      throw failed(conn, err);
    }
    update(conn, { state: 'connected', target: conn.session.target, error: undefined });
    return conn.session;
  }

  /** Records a failed request on the connection; a lost connection shows as failed until the next request reconnects. */
  function failed(conn: Connection, err: unknown): unknown {
    const error = toProcscopeError(err);
    const lost = error.kind === 'connection' || conn.session?.isOpen() === false;
    update(conn, { state: lost ? 'failed' : 'connected', error, bytes: undefined });
    return err;
  }

  const handlers: ApiHandlers = {
    async capabilities() {
      return { transport: options.transport, canRememberSecrets: options.vault.available };
    },
    async listNodes() {
      return withSecretFlags(store.list());
    },
    async saveNode(node) {
      const nodes = store.list();
      const at = nodes.findIndex((n) => n.id === node.id);
      if (at >= 0) nodes[at] = node;
      else nodes.push(node);
      return withSecretFlags(store.save(nodes));
    },
    async removeNode(nodeId) {
      options.vault.remove(nodeId);
      return withSecretFlags(store.save(store.list().filter((n) => n.id !== nodeId)));
    },
    async importSshConfig() {
      const nodes = store.list();
      for (const alias of listConfigHosts(readSshConfig(options.sshConfigPath))) {
        if (!nodes.some((n) => n.host === alias) && /^[A-Za-z0-9._-]+$/.test(alias)) nodes.push({ id: newId(), name: alias, host: alias, auth: 'agent' });
      }
      return withSecretFlags(store.save(nodes));
    },
    async connect(nodeId) {
      const node = findNode(nodeId);
      const conn: Connection = {
        node,
        session: null,
        prompts: new Set(),
        last: null,
        secrets: new Map(),
        status: { connectionId: randomBytes(8).toString('hex'), nodeId, label: node.name, target: null, state: 'connecting' },
      };
      connections.set(conn.status.connectionId, conn);
      options.emit('connectionStatus', conn.status);
      try {
        conn.session = node.id === LOCAL_NODE_ID ? await openSession('local') : await openSession(destinationOf(node), openOptions(conn));
        if (!connections.has(conn.status.connectionId)) {
          conn.session.close();
          fail({ kind: 'connection', message: 'The connection was closed while it opened.' });
        }
        update(conn, { state: 'connected', target: conn.session.target, error: undefined });
        return conn.status;
      } catch (err) {
        update(conn, { state: 'failed', error: toProcscopeError(err) });
        connections.delete(conn.status.connectionId);
        throw err;
      }
    },
    async disconnect(connectionId) {
      const conn = connections.get(connectionId);
      if (!conn) return null;
      connections.delete(connectionId);
      // Prompts still open are answered "no".
      for (const promptId of conn.prompts) waiting.get(promptId)?.(null);
      conn.session?.close();
      update(conn, { state: 'closed' });
      return null;
    },
    async collect(connectionId) {
      const conn = connection(connectionId);
      const session = await liveSession(conn);
      update(conn, { state: 'collecting', bytes: 0, error: undefined });
      let lastReport = 0;
      try {
        const snapshot = await collectSnapshot(session, {
          sudo: conn.node.sudo ?? false,
          ...(options.namesRoot ? { namesRoot: options.namesRoot } : {}),
          onProgress: (bytes) => {
            const now = Date.now();
            if (now - lastReport < 100) return;
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
    },
    async refresh(connectionId, detailPids) {
      const conn = connection(connectionId);
      if (!conn.last) fail({ kind: 'not-found', message: 'Nothing to refresh yet: take a full snapshot first.' });
      const session = await liveSession(conn);
      try {
        const delta = await refreshSnapshot(session, conn.last, { sudo: conn.node.sudo ?? false, detailPids, deadlineMs: REFRESH_DEADLINE_MS });
        conn.last = applyDelta(conn.last, delta);
        if (conn.status.state !== 'connected' || conn.status.error) update(conn, { state: 'connected', error: undefined });
        return delta;
      } catch (err) {
        throw failed(conn, err);
      }
    },
    async answerHostKey(promptId, decision) {
      waiting.get(promptId)?.(decision);
      return null;
    },
    async answerSecret(promptId, secret, remember) {
      waiting.get(promptId)?.({ secret, remember });
      return null;
    },
    async exportSnapshot(json, suggestedName) {
      if (!options.dialogs) fail({ kind: 'unsupported', message: 'This transport saves files in the browser.' });
      const path = await options.dialogs.saveFile(suggestedName);
      if (path === null) return null;
      writeFileSync(path, json);
      return { path };
    },
    async importSnapshot() {
      if (!options.dialogs) fail({ kind: 'unsupported', message: 'This transport opens files in the browser.' });
      const path = await options.dialogs.openFile();
      if (path === null) return null;
      const size = statSync(path).size;
      if (size > MAX_SNAPSHOT_BYTES) tooLarge(size, basename(path));
      return { snapshot: readSnapshot(readFileSync(path, 'utf8'), basename(path)), name: basename(path) };
    },
    async checkSnapshot(text) {
      return readSnapshot(text);
    },
  };

  return {
    handlers,
    dispose() {
      for (const id of [...connections.keys()]) void handlers.disconnect(id);
    },
  };
}
