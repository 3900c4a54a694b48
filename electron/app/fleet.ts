/**
 * The fleet part of the API: one question asked of many saved nodes, a bounded number at a time, each within a
 * deadline, with each node's state kept for the fleet view. Connections are pooled per node: the next question
 * reuses them, an idle one is closed, and a tab opened on the node takes its connection over.
 *
 * A fleet question never asks the user anything: an unknown host key, a password nobody saved or a command nobody
 * approved fails that node with a reason and a way to fix it (open the node once from its tab).
 */
import { randomBytes } from 'node:crypto';
import { type ApiEvent, type ApiEvents, type ApiHandlers, type FleetAnswer, type FleetMatch, type FleetNodeStatus, LOCAL_NODE_ID, type SavedNode } from '../../shared/api';
import { ProcscopeFailure, fail } from '../../shared/errors';
import { QueryError, describeQuery, parseQueryText } from '../../shared/fleet/query-text';
import { firstReadAnswers, isEmptyQuery, leanReadFor, matchSnapshot } from '../../shared/fleet/query';
import { collectFirstRead, collectSnapshot } from '../engine/collect';
import { type OpenOptions, openSession } from '../engine/open';
import type { NodeSession } from '../engine/session';
import { askFleet } from '../fleet/ask';
import type { SecretVault } from './stores';

export interface FleetLimits {
  /** nodes asked at once */
  parallel: number;
  /** each node's deadline, connection included */
  deadlineMs: number;
  /** a pooled connection unused this long is closed */
  idleMs: number;
}

export const DEFAULT_FLEET_LIMITS: FleetLimits = { parallel: 16, deadlineMs: 60_000, idleMs: 120_000 };

export interface FleetOptions {
  emit: <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;
  findNode(nodeId: string): SavedNode;
  vault: SecretVault;
  /** where a saved node leads, as its tab would connect */
  routeOptions(node: SavedNode): OpenOptions;
  /** opens a command node whose command the user approved in this run, or refuses */
  openApprovedCommand(node: SavedNode): Promise<NodeSession>;
  limits?: Partial<FleetLimits>;
  /** the deadline the user set in the app (settings.json), in ms; it wins over limits.deadlineMs */
  deadlineSetting?: () => Promise<number | undefined>;
  namesRoot?: string;
}

interface Pooled {
  session: NodeSession;
  timer: ReturnType<typeof setTimeout>;
}

type FleetHandlers = Pick<ApiHandlers, 'fleetStatus' | 'fleetAsk'>;

export function createFleet(options: FleetOptions): { handlers: FleetHandlers; take(nodeId: string): NodeSession | null; dispose(): void } {
  const limits = { ...DEFAULT_FLEET_LIMITS, ...options.limits };
  const pool = new Map<string, Pooled>();
  const statuses = new Map<string, FleetNodeStatus>();

  const setStatus = (nodeId: string, patch: Partial<FleetNodeStatus>) => {
    const next: FleetNodeStatus = { nodeId, state: 'asking', connected: false, ...statuses.get(nodeId), ...patch };
    if ('error' in patch && patch.error === undefined) delete next.error;
    statuses.set(nodeId, next);
    options.emit('fleetNode', next);
  };

  /** Takes a pooled connection out of the pool (for a question, or for a tab); null when none is open. */
  function take(nodeId: string): NodeSession | null {
    const pooled = pool.get(nodeId);
    if (!pooled) return null;
    pool.delete(nodeId);
    clearTimeout(pooled.timer);
    if (statuses.has(nodeId)) setStatus(nodeId, { connected: false });
    if (pooled.session.isOpen()) return pooled.session;
    pooled.session.close();
    return null;
  }

  /** Keeps a session that answered for the next question; closes it when idle, or when one is kept already. */
  function release(nodeId: string, session: NodeSession, ok: boolean): void {
    if (!ok || !session.isOpen() || pool.has(nodeId)) {
      session.close();
      return;
    }
    const timer = setTimeout(() => {
      if (pool.get(nodeId)?.session !== session) return;
      pool.delete(nodeId);
      session.close();
      setStatus(nodeId, { connected: false });
    }, limits.idleMs);
    timer.unref?.();
    pool.set(nodeId, { session, timer });
    setStatus(nodeId, { connected: true });
  }

  async function open(node: SavedNode): Promise<NodeSession> {
    const pooled = take(node.id);
    if (pooled) return pooled;
    if (node.id === LOCAL_NODE_ID) return openSession('local');
    if (node.kind === 'command') return options.openApprovedCommand(node);
    let unknownKey = false;
    let secretTried = false;
    try {
      return await openSession(node.host, {
        ...options.routeOptions(node),
        onUnknownKey: async () => {
          unknownKey = true;
          return 'reject';
        },
        // Only a secret the user saved: a fleet question asks nobody.
        askSecret: async () => {
          if (secretTried || !options.vault.has(node.id)) return null;
          secretTried = true;
          return options.vault.load(node.id);
        },
      });
    } catch (err) {
      if (unknownKey) throw new ProcscopeFailure({ ...(err as ProcscopeFailure).error, hint: `Open ${node.name} from the node list once to check its host key and accept it: the fleet view never accepts a key by itself.` });
      if (node.auth === 'password' && !options.vault.has(node.id) && (err as ProcscopeFailure).error?.kind === 'auth') {
        throw new ProcscopeFailure({ kind: 'auth', message: `${node.name} needs a password, and none is saved.`, hint: `Open ${node.name} from the node list once and let procscope remember its password.` });
      }
      throw err;
    }
  }

  const handlers: FleetHandlers = {
    async fleetStatus() {
      return [...statuses.values()];
    },
    async fleetAsk(nodeIds, text) {
      let query;
      try {
        query = parseQueryText(text);
      } catch (err) {
        if (err instanceof QueryError) fail({ kind: 'parse', message: `Cannot read the question: ${err.message}.`, hint: 'Write field:value terms, all of which must hold: port:6443 name:^kube cmdline:RE exe:/path container:ID|NAME pod:NAME user:NAME (a bare number is a port, a bare word a name).' });
        throw err;
      }
      const nodes = nodeIds.map((id) => options.findNode(id));
      const answer: FleetAnswer = { runId: randomBytes(8).toString('hex'), query: describeQuery(query), asked: nodes.length, answered: 0, matches: [], failed: [] };
      const statusOnly = isEmptyQuery(query);
      const deadlineMs = (await options.deadlineSetting?.()) ?? limits.deadlineMs;
      for (const node of nodes) setStatus(node.id, { state: 'asking' });
      await askFleet(nodes, {
        parallel: limits.parallel,
        deadlineMs,
        open,
        ask: async (session, node) => {
          const snapshot = await (firstReadAnswers(query) ? collectFirstRead : collectSnapshot)(session, { sudo: node.sudo ?? false, lean: leanReadFor(query), deadlineMs, ...(options.namesRoot ? { namesRoot: options.namesRoot } : {}) });
          return { snapshot, matches: statusOnly ? [] : matchSnapshot(snapshot, query) };
        },
        release: (session, node, ok) => release(node.id, session, ok),
        onOutcome: (outcome) => {
          const nodeId = outcome.node.id;
          const ms = Math.round(outcome.ms);
          if (!outcome.ok) {
            answer.failed.push({ nodeId, error: outcome.error });
            return setStatus(nodeId, { state: 'failed', error: outcome.error, ms, connected: pool.has(nodeId) });
          }
          answer.answered++;
          const { snapshot } = outcome.value;
          const matches: FleetMatch[] = outcome.value.matches.map((m) => ({ ...m, nodeId }));
          answer.matches.push(...matches);
          setStatus(nodeId, {
            state: 'answered',
            error: undefined,
            ms,
            answeredAt: new Date().toISOString(),
            hostname: snapshot.node.hostname,
            processes: snapshot.processes.filter((p) => !p.collector).length,
            containers: snapshot.containers.length,
            ...(snapshot.node.load ? { load: snapshot.node.load } : {}),
          });
          if (!statusOnly) options.emit('fleetMatches', { runId: answer.runId, nodeId, matches });
        },
      });
      return answer;
    },
  };

  return {
    handlers,
    take,
    dispose() {
      for (const id of [...pool.keys()]) take(id)?.close();
    },
  };
}
