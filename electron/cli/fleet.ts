/**
 * The fleet commands: `procscope nodes --inventory SRC` lists an inventory; `procscope find` asks one question of
 * every node, a bounded number at a time, and prints the matches as nodes answer, then the nodes that failed.
 */
import { type ProcscopeError, ProcscopeFailure } from '../../shared/errors';
import type { Inventory, InventoryNode } from '../../shared/fleet/inventory';
import { type FleetQuery, type ProcessMatch, firstReadAnswers, isEmptyQuery, leanReadFor, matchSnapshot } from '../../shared/fleet/query';
import { parseTarget } from '../../shared/target';
import { visibleText } from '../../shared/visible';
import { askFleet } from '../fleet/ask';
import { readInventory } from '../fleet/inventory-source';
import type { OpenOptions } from '../engine/open';

export interface FleetArgs {
  inventory?: string;
  targets: string[];
  sshConfigPath?: string;
}

/** The nodes to ask: an inventory, or the TARGETs named on the command line. */
export async function fleetNodes(args: FleetArgs): Promise<Inventory> {
  if (args.inventory && args.targets.length > 0) throw new ProcscopeFailure({ kind: 'parse', message: 'Give an --inventory or TARGETs, not both.' });
  if (args.inventory) return readInventory(args.inventory, args.sshConfigPath);
  if (args.targets.length === 0) throw new ProcscopeFailure({ kind: 'parse', message: 'No nodes to ask: give --inventory SRC or one or more TARGETs.' });
  for (const t of args.targets) {
    try {
      parseTarget(t);
    } catch (err) {
      throw new ProcscopeFailure({ kind: 'parse', message: (err as Error).message });
    }
  }
  return { source: 'the command line', nodes: args.targets.map((t) => ({ name: t, destination: t, tags: [] })), problems: [] };
}

export function formatNodes(inv: Inventory): string {
  const rows = [['NAME', 'DESTINATION', 'USER', 'PORT', 'TAGS'], ...inv.nodes.map((n) => [n.name, n.destination, n.user ?? '', n.port ? String(n.port) : '', n.tags.join(',')])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => visibleText(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()));
  return lines.join('\n') + '\n';
}

/** A node's own connection options on top of the command line's. */
export function nodeOpenOptions(base: OpenOptions, node: InventoryNode): OpenOptions {
  return {
    ...base,
    ...(node.user && base.user === undefined ? { user: node.user } : {}),
    ...(node.port && base.port === undefined ? { port: node.port } : {}),
    ...(node.identityFile ? { identityFiles: [...(base.identityFiles ?? []), node.identityFile] } : {}),
    ...(node.sshOptions ? { sshOptions: [...(base.sshOptions ?? []), ...node.sshOptions] } : {}),
    ...(node.jump && base.jump === undefined ? { jump: node.jump } : {}),
  };
}

export function matchLine(node: string, m: ProcessMatch): string {
  const where = m.containerId ? `  [${m.pod ? `pod ${m.pod}, ` : ''}${m.container ?? m.containerId.slice(0, 12)}]` : '';
  const zombie = m.state === 'Z' ? ' (zombie: exited, not yet reaped)' : '';
  return visibleText(`${node}  ${m.pid}  ${m.user ?? '?'}  ${m.name}${zombie}${where}  ${m.matched.join('; ')}`);
}

export interface FindResult {
  matches: ({ node: string } & ProcessMatch)[];
  failed: { node: string; destination: string; error: ProcscopeError }[];
  answered: number;
}

export interface FindOptions {
  query: FleetQuery;
  parallel: number;
  deadlineMs: number;
  openOptions: OpenOptions;
  sudo: boolean;
  /** a match, as its node answers */
  onMatch?(node: string, m: ProcessMatch): void;
  onProgress?(done: number, failed: number, total: number): void;
}

export async function findInFleet(inv: Inventory, o: FindOptions): Promise<FindResult> {
  if (isEmptyQuery(o.query)) throw new ProcscopeFailure({ kind: 'parse', message: 'find needs a question: --port N, --name RE, --cmdline RE, --exe PATH, --container ID|NAME, --pod UID|NAME or --user NAME.' });
  const [{ openSession }, { collectSnapshot, collectFirstRead }] = await Promise.all([import('../engine/open'), import('../engine/collect')]);
  const read = firstReadAnswers(o.query) ? collectFirstRead : collectSnapshot;
  const result: FindResult = { matches: [], failed: [], answered: 0 };
  let done = 0;
  await askFleet(inv.nodes, {
    parallel: o.parallel,
    deadlineMs: o.deadlineMs,
    open: (node) => openSession(node.destination, nodeOpenOptions(o.openOptions, node)),
    // A question needs what each process is, not a full snapshot's cross-checks: the lean read, or the first read alone.
    ask: async (session) => matchSnapshot(await read(session, { sudo: o.sudo, inline: true, lean: leanReadFor(o.query), deadlineMs: o.deadlineMs }), o.query),
    onOutcome: (outcome) => {
      done++;
      if (outcome.ok) {
        result.answered++;
        for (const m of outcome.value) {
          result.matches.push({ node: outcome.node.name, ...m });
          o.onMatch?.(outcome.node.name, m);
        }
      } else result.failed.push({ node: outcome.node.name, destination: outcome.node.destination, error: outcome.error });
      o.onProgress?.(done, result.failed.length, inv.nodes.length);
    },
  });
  return result;
}

/** A file name for a node's snapshot: its inventory name with only safe characters. */
export function nodeFileName(name: string): string {
  return `${name.replace(/[^A-Za-z0-9._@-]/g, '_').replace(/^\.+/, '_').slice(0, 120) || 'node'}.json`;
}

export interface FleetSnapshotOptions {
  parallel: number;
  deadlineMs: number;
  openOptions: OpenOptions;
  sudo: boolean;
  /** writes one node's snapshot; returns its size */
  write(node: InventoryNode, snapshot: import('../../shared/snapshot/types').Snapshot): number;
  onNode?(line: string, ok: boolean): void;
}

/** One snapshot per node, a bounded number at a time; the nodes that failed, with their errors. */
export async function snapshotFleet(inv: Inventory, o: FleetSnapshotOptions): Promise<{ written: number; failed: { node: string; error: ProcscopeError }[] }> {
  const [{ openSession }, { collectSnapshot }] = await Promise.all([import('../engine/open'), import('../engine/collect')]);
  const failed: { node: string; error: ProcscopeError }[] = [];
  let written = 0;
  await askFleet(inv.nodes, {
    parallel: o.parallel,
    deadlineMs: o.deadlineMs,
    open: (node) => openSession(node.destination, nodeOpenOptions(o.openOptions, node)),
    ask: async (session, node) => {
      const snapshot = await collectSnapshot(session, { sudo: o.sudo, inline: true, deadlineMs: o.deadlineMs });
      return { snapshot, bytes: o.write(node, snapshot) };
    },
    onOutcome: (outcome) => {
      if (outcome.ok) {
        written++;
        o.onNode?.(visibleText(`${outcome.node.name}: ${outcome.value.snapshot.processes.length} processes, ${outcome.value.bytes} bytes -> ${nodeFileName(outcome.node.name)}`), true);
      } else {
        failed.push({ node: outcome.node.name, error: outcome.error });
        o.onNode?.(visibleText(`${outcome.node.name} (${outcome.node.destination}) failed: ${outcome.error.message}${outcome.error.hint ? ` ${outcome.error.hint}` : ''}`), false);
      }
    },
  });
  return { written, failed };
}
