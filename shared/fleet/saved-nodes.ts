/**
 * An inventory's nodes as the app's saved nodes: the destination split into host, user and port, a key file as key
 * authentication, groups kept as they are (the fleet view groups by them). A node already saved under the same name
 * is updated, keeping what the inventory does not say (its authentication, sudo).
 */
import type { SavedNode } from '../api';
import { parseTarget } from '../target';
import type { Inventory, InventoryNode } from './inventory';

export const GROUP_NAME = /^[A-Za-z0-9._:/@=+-]{1,64}$/;

export interface MergedInventory {
  nodes: SavedNode[];
  added: number;
  updated: number;
  problems: string[];
}

function fromInventory(n: InventoryNode, problems: string[]): Omit<SavedNode, 'id' | 'auth'> & { auth?: SavedNode['auth'] } | null {
  let target;
  try {
    target = parseTarget(n.destination);
  } catch (err) {
    problems.push(`${n.name}: ${(err as Error).message}`);
    return null;
  }
  if (target.kind !== 'ssh') return null;
  // ssh -o options could name a command to run (ProxyCommand, LocalCommand): the app keeps none of them.
  if (n.sshOptions?.length) problems.push(`${n.name}: its ssh options (${n.sshOptions.join(' ')}) are not kept; put them in ~/.ssh/config under Host ${target.host}`);
  const badGroups = n.tags.filter((t) => !GROUP_NAME.test(t));
  if (badGroups.length) problems.push(`${n.name}: groups left out (not plain names): ${badGroups.map((g) => JSON.stringify(g)).join(', ')}`);
  const user = n.user ?? target.user;
  const port = n.port ?? target.port;
  const groups = n.tags.filter((t) => GROUP_NAME.test(t)).slice(0, 32);
  return {
    name: n.name.slice(0, 100),
    host: target.host,
    ...(user ? { user } : {}),
    ...(port ? { port } : {}),
    ...(n.jump ? { jump: n.jump } : {}),
    ...(n.identityFile ? { auth: 'key' as const, identityFile: n.identityFile } : {}),
    ...(groups.length ? { groups } : {}),
  };
}

export function mergeInventory(saved: SavedNode[], inv: Inventory, newId: () => string): MergedInventory {
  const problems = inv.problems.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.message}`);
  const nodes = [...saved];
  let added = 0;
  let updated = 0;
  for (const n of inv.nodes) {
    const fields = fromInventory(n, problems);
    if (!fields) continue;
    const at = nodes.findIndex((s) => s.name === fields.name && s.kind !== 'command');
    if (at < 0) {
      nodes.push({ id: newId(), auth: 'agent', ...fields });
      added++;
      continue;
    }
    const old = nodes[at]!;
    const { port: _p, user: _u, jump: _j, groups: _g, ...kept } = old;
    const next: SavedNode = { ...kept, ...fields, auth: fields.auth ?? old.auth };
    if (JSON.stringify(next) !== JSON.stringify(old)) updated++;
    nodes[at] = next;
  }
  return { nodes, added, updated, problems };
}
