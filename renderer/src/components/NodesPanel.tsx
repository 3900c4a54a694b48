/** Saved nodes: "This machine", the user's nodes (connect, edit, forget), add one, import ~/.ssh/config or an inventory, the fleet view, open a snapshot file. */
import { LOCAL_NODE_ID, type SavedNode } from '../../../shared/api';
import { visibleText } from '../../../shared/visible';
import { useStore } from '../store';

function describe(n: SavedNode): string {
  if (n.kind === 'command') return visibleText(`$ ${n.command ?? ''}`);
  return visibleText(`${n.user ? `${n.user}@` : ''}${n.host}${n.port ? `:${n.port}` : ''}${n.jump ? ` via ${n.jump}` : ''}${n.sudo ? ' (sudo)' : ''}`);
}

export function NodesPanel() {
  const nodes = useStore((s) => s.nodes);
  const connect = useStore((s) => s.connect);
  const removeNode = useStore((s) => s.removeNode);
  const setNodeDialog = useStore((s) => s.setNodeDialog);
  const importSshConfig = useStore((s) => s.importSshConfig);
  const importSnapshot = useStore((s) => s.importSnapshot);
  const openFleet = useStore((s) => s.openFleet);
  return (
    <nav className="nodes" aria-label="nodes">
      <h1>procscope</h1>
      <ul className="node-list" data-testid="node-list">
        <li>
          <button type="button" className="node" data-testid="connect-local" onClick={() => void connect(LOCAL_NODE_ID)}>
            <strong>This machine</strong>
            <span className="muted">local</span>
          </button>
        </li>
        {nodes.map((n) => (
          <li key={n.id} className="node-row">
            <button type="button" className="node" data-testid={`connect-${n.name}`} onClick={() => void connect(n.id)}>
              <strong>{visibleText(n.name)}</strong>
              <span className="muted">{describe(n)}</span>
            </button>
            <button type="button" className="icon" title={`Edit ${n.name}`} aria-label={`edit ${n.name}`} data-testid={`edit-${n.name}`} onClick={() => setNodeDialog({ mode: 'edit', node: n })}>
              ✎
            </button>
            <button type="button" className="icon" title={`Forget ${n.name}`} aria-label={`forget ${n.name}`} onClick={() => void removeNode(n.id)}>
              ✕
            </button>
          </li>
        ))}
      </ul>
      <div className="node-actions">
        <button type="button" data-testid="add-node" onClick={() => setNodeDialog({ mode: 'add' })}>
          Add node…
        </button>
        <button type="button" data-testid="import-ssh-config" onClick={() => void importSshConfig()}>
          Import ~/.ssh/config
        </button>
        <button type="button" data-testid="import-inventory" onClick={() => setNodeDialog({ mode: 'inventory' })}>
          Import inventory…
        </button>
        <button type="button" data-testid="open-fleet" disabled={nodes.length === 0} title="ask every saved node one question" onClick={() => openFleet(true)}>
          Fleet view
        </button>
        <button type="button" data-testid="import-snapshot" onClick={() => void importSnapshot()}>
          Open snapshot…
        </button>
      </div>
    </nav>
  );
}
