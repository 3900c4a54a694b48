/** The saved-nodes part of the API: list, save (add or edit), forget, import the hosts of ~/.ssh/config and the files it Includes. */
import { type ApiHandlers, type InventorySource, LOCAL_NODE_ID, type SavedNode } from '../../shared/api';
import { type Inventory, parsePlainInventory } from '../../shared/fleet/inventory';
import { fail } from '../../shared/errors';
import { listConfigHostsIn } from '../engine/ssh/config-file';
import { mergeInventory } from '../../shared/fleet/saved-nodes';
import { inventoryProgram, readInventory } from '../fleet/inventory-source';
import type { Approvals } from './approvals';
import { NodeStore, type SecretVault, newId } from './stores';

export const LOCAL_NODE: SavedNode = { id: LOCAL_NODE_ID, name: 'This machine', host: 'local', auth: 'agent' };

type NodeHandlers = Pick<ApiHandlers, 'listNodes' | 'saveNode' | 'removeNode' | 'importSshConfig' | 'importInventory'>;


export function createNodes(configDir: string, vault: SecretVault, approvals: Approvals, sshConfigPath?: string): { handlers: NodeHandlers; find(nodeId: string): SavedNode } {
  const store = new NodeStore(configDir);
  /** What the page may import: the text of a file the person picked, or a named source; never a local path. */
  async function inventoryFor(source: InventorySource): Promise<Inventory> {
    if (source.kind === 'file') return parsePlainInventory(source.text, source.name);
    const spec = source.spec;
    const program = inventoryProgram(spec);
    // An inventory may be a script (Ansible runs executable inventories): a program runs only once approved.
    if (program) await approvals.require({ command: program.what, sudo: false, purpose: `list the nodes of ${spec}` }, { what: program.what, remember: false, again: 'Import again to be asked again.' });
    else if (spec !== 'ssh-config') {
      fail({ kind: 'permission-denied', message: `The page may not name a file to read (${spec}).`, hint: 'Pick the file with "Choose a file…", or name ssh-config, ansible:PATH or kubectl.' });
    }
    return readInventory(spec, sshConfigPath);
  }
  const withSecretFlags = (nodes: SavedNode[]) => nodes.map((n) => ({ ...n, hasSavedSecret: vault.has(n.id) }));
  return {
    find(nodeId) {
      if (nodeId === LOCAL_NODE_ID) return LOCAL_NODE;
      return store.list().find((n) => n.id === nodeId) ?? fail({ kind: 'not-found', message: `No saved node with id ${nodeId}.` });
    },
    handlers: {
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
        vault.remove(nodeId);
        return withSecretFlags(store.save(store.list().filter((n) => n.id !== nodeId)));
      },
      async importSshConfig() {
        const nodes = store.list();
        for (const alias of listConfigHostsIn(sshConfigPath)) {
          if (!nodes.some((n) => n.host === alias) && /^[A-Za-z0-9._-]+$/.test(alias)) nodes.push({ id: newId(), name: alias, host: alias, auth: 'agent' });
        }
        return withSecretFlags(store.save(nodes));
      },
      async importInventory(source) {
        const merged = mergeInventory(store.list(), await inventoryFor(source), newId);
        return { ...merged, nodes: withSecretFlags(store.save(merged.nodes)) };
      },
    },
  };
}
