/** Modal dialogs: add or edit a node, import an inventory, an unknown host key, a password or passphrase. Each takes focus, keeps Tab inside, and Esc cancels. */
import { useRef, useState } from 'react';
import { type AuthMethod, type HostKeyPrompt, type InventorySource, MAX_INVENTORY_BYTES, type SavedNode, type SecretPrompt } from '../../../shared/api';
import { visibleText } from '../../../shared/visible';
import { useStore } from '../store';
import { ActionDialog } from './ActionDialog';
import { Modal } from './Modal';

function formOf(node: SavedNode | null) {
  return {
    kind: node?.kind ?? ('ssh' as 'ssh' | 'command'),
    command: node?.command ?? '',
    name: node?.name ?? '',
    host: node?.kind === 'command' ? '' : (node?.host ?? ''),
    port: node?.port ? String(node.port) : '',
    user: node?.user ?? '',
    auth: node?.auth ?? ('agent' as AuthMethod),
    identityFile: node?.identityFile ?? '',
    jump: node?.jump ?? '',
    sudo: node?.sudo ?? false,
    groups: node?.groups?.join(', ') ?? '',
    allowActions: !(node?.readOnly ?? false),
  };
}

const groupsOf = (text: string) => {
  const groups = text.split(/[\s,]+/).filter(Boolean);
  return groups.length ? { groups } : {};
};

function NodeDialog({ editing }: { editing: SavedNode | null }) {
  const saveNode = useStore((s) => s.saveNode);
  const setNodeDialog = useStore((s) => s.setNodeDialog);
  const [form, setForm] = useState(() => formOf(editing));
  const connectAfter = useRef(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string; checked?: boolean; type?: string } }) =>
    setForm({ ...form, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const [route, setRoute] = useState<{ route: string } | { error: string } | null>(null);
  const resolveNode = useStore((s) => s.resolveNode);
  const [id] = useState(() => editing?.id ?? crypto.randomUUID().replace(/-/g, '').slice(0, 16));
  const nodeOf = (): SavedNode =>
    form.kind === 'command'
      ? { id, kind: 'command', name: form.name.trim() || 'command', host: 'command', command: form.command.trim(), auth: 'agent', ...(form.sudo ? { sudo: true } : {}), ...groupsOf(form.groups), ...(form.allowActions ? {} : { readOnly: true }) }
      : {
          id,
          name: form.name.trim() || form.host.trim(),
          host: form.host.trim(),
          auth: form.auth,
          ...(form.port ? { port: Number(form.port) } : {}),
          ...(form.user.trim() ? { user: form.user.trim() } : {}),
          ...(form.auth === 'key' && form.identityFile.trim() ? { identityFile: form.identityFile.trim() } : {}),
          ...(form.jump.trim() ? { jump: form.jump.trim() } : {}),
          ...(form.sudo ? { sudo: true } : {}),
          ...groupsOf(form.groups),
          ...(form.allowActions ? {} : { readOnly: true }),
        };
  const submit = async () => {
    await saveNode(nodeOf(), connectAfter.current);
  };
  const showRoute = async () => setRoute(await resolveNode(nodeOf()));
  return (
    <Modal label={editing ? 'Edit node' : 'Add node'} testId="add-node-dialog" onCancel={() => setNodeDialog(null)} onSubmit={() => void submit()}>
      <h2>{editing ? `Edit ${visibleText(editing.name)}` : 'Add a node'}</h2>
      <label>Name <input data-testid="node-name" autoFocus value={form.name} onChange={set('name')} placeholder="web-1" /></label>
      <label>
        Reach it through
        <select data-testid="node-kind" value={form.kind} onChange={set('kind')}>
          <option value="ssh">SSH (your ssh config applies)</option>
          <option value="command">a command that gives a shell</option>
        </select>
      </label>
      {form.kind === 'command' ? (
        <>
          <label>
            Command{' '}
            <input data-testid="node-command" required value={form.command} onChange={set('command')} placeholder="kubectl debug node/NODE -it --profile=sysadmin --image=busybox -- chroot /host sh" />
          </label>
          <p className="muted">Run on this computer; procscope speaks to the POSIX shell on its input and output. You are asked before it first runs.</p>
        </>
      ) : (
        <>
          <label>Host <input data-testid="node-host" required value={form.host} onChange={set('host')} placeholder="10.0.0.5 or a ~/.ssh/config alias" /></label>
          <label>Port <input data-testid="node-port" inputMode="numeric" pattern="[0-9]*" value={form.port} onChange={set('port')} placeholder="22" /></label>
          <label>User <input data-testid="node-user" value={form.user} onChange={set('user')} placeholder="root" /></label>
          <label>
            Authentication
            <select data-testid="node-auth" value={form.auth} onChange={set('auth')}>
              <option value="agent">ssh-agent and default keys</option>
              <option value="key">a private key file</option>
              <option value="password">password</option>
            </select>
          </label>
          {form.auth === 'key' ? (
            <label>Key file <input data-testid="node-identity" value={form.identityFile} onChange={set('identityFile')} placeholder="~/.ssh/id_ed25519" /></label>
          ) : null}
          <label>Jump host <input data-testid="node-jump" value={form.jump} onChange={set('jump')} placeholder="user@bastion:22 (optional)" /></label>
        </>
      )}
      <label className="toggle">
        <input type="checkbox" data-testid="node-sudo" checked={form.sudo} onChange={set('sudo')} /> Collect with sudo -n (to see every process's files)
      </label>
      <label className="toggle">
        <input type="checkbox" data-testid="node-allow-actions" checked={form.allowActions} onChange={set('allowActions')} /> Allow signals and renice on its processes (off: read-only)
      </label>
      <label>
        Groups <input data-testid="node-groups" value={form.groups} onChange={set('groups')} placeholder="prod, web (the fleet view groups nodes by them)" />
      </label>
      {route ? (
        <p className={'error' in route ? 'route error' : 'route'} data-testid="node-route" role="status">
          {visibleText('error' in route ? route.error : route.route)}
        </p>
      ) : null}
      <div className="buttons">
        <button type="button" data-testid="node-resolve" disabled={form.kind === 'ssh' ? form.host.trim() === '' : form.command.trim() === ''} onClick={() => void showRoute()}>
          Where does it lead?
        </button>
        <button type="button" onClick={() => setNodeDialog(null)}>
          Cancel
        </button>
        <button type="submit" data-testid="save-node" onClick={() => (connectAfter.current = false)}>
          Save
        </button>
        <button type="submit" className="primary" data-testid="save-connect-node" onClick={() => (connectAfter.current = true)}>
          Save and connect
        </button>
      </div>
    </Modal>
  );
}

function HostKeyDialog({ prompt }: { prompt: HostKeyPrompt }) {
  const answer = useStore((s) => s.answerHostKey);
  return (
    <Modal label="Unknown host key" testId="host-key-dialog" onCancel={() => void answer(prompt, 'reject')}>
      <h2>Unknown host key</h2>
      <p>
        procscope has never connected to <strong>{visibleText(prompt.host)}</strong>. Its {visibleText(prompt.keyType)} key fingerprint is:
      </p>
      <p className="fingerprint" data-testid="host-key-fingerprint">
        {visibleText(prompt.fingerprint)}
      </p>
      <p className="muted">Compare it with the node's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) before you trust it.</p>
      <div className="buttons">
        <button type="button" data-testid="host-key-reject" onClick={() => void answer(prompt, 'reject')}>
          Cancel
        </button>
        <button type="button" data-testid="host-key-once" onClick={() => void answer(prompt, 'accept-once')}>
          Trust once
        </button>
        <button type="button" className="primary" data-testid="host-key-always" onClick={() => void answer(prompt, 'accept-always')}>
          Trust and remember
        </button>
      </div>
    </Modal>
  );
}

function SecretDialog({ prompt }: { prompt: SecretPrompt }) {
  const answer = useStore((s) => s.answerSecret);
  const [secret, setSecret] = useState('');
  const [remember, setRemember] = useState(false);
  const why = useStore((s) => s.capabilities?.whyNotRemembered);
  return (
    <Modal label="Secret" testId="secret-dialog" onCancel={() => void answer(prompt, null, false)} onSubmit={() => void answer(prompt, secret, remember)}>
      <h2>{visibleText(prompt.kind === 'password' ? `Password for ${prompt.subject}` : `Passphrase for ${prompt.subject}`)}</h2>
      <input type="password" autoFocus data-testid="secret-input" value={secret} onChange={(e) => setSecret(e.target.value)} />
      {prompt.canRemember ? (
        <label className="toggle">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} /> Remember it (encrypted with the system keychain)
        </label>
      ) : (
        <p className="muted" data-testid="secret-not-kept">It is not kept: {why ?? 'this mode has no system keychain'}.</p>
      )}
      <div className="buttons">
        <button type="button" onClick={() => void answer(prompt, null, false)}>
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="secret-submit">
          Connect
        </button>
      </div>
    </Modal>
  );
}

const INVENTORY_SOURCES: [string, string][] = [
  ['ansible:/path/to/inventory', 'ansible-inventory -i INVENTORY --list: its groups, ansible_host, _port, _user, _ssh_private_key_file'],
  ['ssh-config', 'the Host aliases of ~/.ssh/config and the files it Includes'],
  ['kubectl', "kubectl get nodes: each node's internal address (kubectl:CONTEXT for another context)"],
];

function InventoryDialog() {
  const importInventory = useStore((s) => s.importInventory);
  const setNodeDialog = useStore((s) => s.setNodeDialog);
  const [source, setSource] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ text: string; problems: string[]; error?: boolean } | null>(null);
  const run = async (from: InventorySource) => {
    setBusy(true);
    setResult(await importInventory(from));
    setBusy(false);
  };
  const submit = () => run({ kind: 'named', spec: source.trim() });
  // A file is read here, from the file the person picked: the page never names a path for the app to read.
  const pick = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_INVENTORY_BYTES) {
      setResult({ text: `${file.name} is ${file.size} bytes; an inventory file may have ${MAX_INVENTORY_BYTES}.`, problems: [], error: true });
      return;
    }
    await run({ kind: 'file', name: file.name, text: await file.text() });
  };
  return (
    <Modal label="Import an inventory" testId="inventory-dialog" onCancel={() => setNodeDialog(null)} onSubmit={() => void submit()}>
      <h2>Import an inventory</h2>
      <label>
        A file <input type="file" data-testid="inventory-file" disabled={busy} onChange={(e) => void pick(e.target.files?.[0])} />
      </label>
      <p className="muted">one [user@]host[:port] per line, # comments, words after it are groups</p>
      <label>
        Or a source <input data-testid="inventory-source" autoFocus value={source} onChange={(e) => setSource(e.target.value)} placeholder="ansible:~/infra/inventory.ini" />
      </label>
      <ul className="muted inventory-help">
        {INVENTORY_SOURCES.map(([example, what]) => (
          <li key={example}>
            <code>{example}</code>: {what}
          </li>
        ))}
      </ul>
      <p className="muted">Ansible and kubectl run on this computer once you approve them (a dialog of the desktop app, or the terminal of procscope serve).</p>
      {result ? (
        <div className={result.error ? 'route error' : 'route'} data-testid="inventory-result" role="status">
          {visibleText(result.text)}
          {result.problems.length ? (
            <ul data-testid="inventory-problems">
              {result.problems.map((p, i) => (
                <li key={i}>{visibleText(p)}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <div className="buttons">
        <button type="button" data-testid="inventory-close" onClick={() => setNodeDialog(null)}>
          {result && !result.error ? 'Close' : 'Cancel'}
        </button>
        <button type="submit" className="primary" data-testid="inventory-import" disabled={busy || source.trim() === ''}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </div>
    </Modal>
  );
}

export function Dialogs() {
  const nodeDialog = useStore((s) => s.nodeDialog);
  const hostKey = useStore((s) => s.hostKeyPrompts[0]);
  const secret = useStore((s) => s.secretPrompts[0]);
  const action = useStore((s) => s.actionRequest);
  const content = hostKey ? <HostKeyDialog prompt={hostKey} /> : secret ? <SecretDialog key={secret.promptId} prompt={secret} /> : action ? <ActionDialog request={action} /> : nodeDialog?.mode === 'inventory' ? <InventoryDialog /> : nodeDialog ? <NodeDialog key={nodeDialog.mode === 'edit' ? nodeDialog.node.id : 'new'} editing={nodeDialog.mode === 'edit' ? nodeDialog.node : null} /> : null;
  return content ? <div className="overlay">{content}</div> : null;
}
