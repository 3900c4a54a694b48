/** Modal dialogs: add a node, an unknown host key, a password or passphrase. */
import { type FormEvent, useState } from 'react';
import type { AuthMethod, HostKeyPrompt, SecretPrompt } from '../../../shared/api';
import { useStore } from '../store';

function AddNodeDialog() {
  const saveNode = useStore((s) => s.saveNode);
  const setShowAddNode = useStore((s) => s.setShowAddNode);
  const [form, setForm] = useState({ name: '', host: '', port: '', user: '', auth: 'agent' as AuthMethod, identityFile: '', jump: '', sudo: false });
  const set = (k: keyof typeof form) => (e: { target: { value: string; checked?: boolean; type?: string } }) =>
    setForm({ ...form, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await saveNode({
      id: crypto.randomUUID().replace(/-/g, '').slice(0, 16),
      name: form.name.trim() || form.host.trim(),
      host: form.host.trim(),
      auth: form.auth,
      ...(form.port ? { port: Number(form.port) } : {}),
      ...(form.user.trim() ? { user: form.user.trim() } : {}),
      ...(form.auth === 'key' && form.identityFile.trim() ? { identityFile: form.identityFile.trim() } : {}),
      ...(form.jump.trim() ? { jump: form.jump.trim() } : {}),
      ...(form.sudo ? { sudo: true } : {}),
    });
    if (ok) setShowAddNode(false);
  };
  return (
    <form className="dialog" role="dialog" aria-label="Add node" data-testid="add-node-dialog" onSubmit={submit}>
      <h2>Add a node</h2>
      <label>Name <input data-testid="node-name" value={form.name} onChange={set('name')} placeholder="web-1" /></label>
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
      <label className="toggle">
        <input type="checkbox" data-testid="node-sudo" checked={form.sudo} onChange={set('sudo')} /> Collect with sudo -n (to see every process's files)
      </label>
      <div className="buttons">
        <button type="button" onClick={() => setShowAddNode(false)}>
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="save-node">
          Save
        </button>
      </div>
    </form>
  );
}

function HostKeyDialog({ prompt }: { prompt: HostKeyPrompt }) {
  const answer = useStore((s) => s.answerHostKey);
  return (
    <div className="dialog" role="dialog" aria-label="Unknown host key" data-testid="host-key-dialog">
      <h2>Unknown host key</h2>
      <p>
        procscope has never connected to <strong>{prompt.host}</strong>. Its {prompt.keyType} key fingerprint is:
      </p>
      <p className="fingerprint" data-testid="host-key-fingerprint">
        {prompt.fingerprint}
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
    </div>
  );
}

function SecretDialog({ prompt }: { prompt: SecretPrompt }) {
  const answer = useStore((s) => s.answerSecret);
  const [secret, setSecret] = useState('');
  const [remember, setRemember] = useState(false);
  return (
    <form
      className="dialog"
      role="dialog"
      aria-label="Secret"
      data-testid="secret-dialog"
      onSubmit={(e) => {
        e.preventDefault();
        void answer(prompt, secret, remember);
      }}
    >
      <h2>{prompt.kind === 'password' ? `Password for ${prompt.subject}` : `Passphrase for ${prompt.subject}`}</h2>
      <input type="password" autoFocus data-testid="secret-input" value={secret} onChange={(e) => setSecret(e.target.value)} />
      {prompt.canRemember ? (
        <label className="toggle">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} /> Remember it (encrypted with the system keychain)
        </label>
      ) : (
        <p className="muted">It is not kept: this mode has no system keychain.</p>
      )}
      <div className="buttons">
        <button type="button" onClick={() => void answer(prompt, null, false)}>
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="secret-submit">
          Connect
        </button>
      </div>
    </form>
  );
}

export function Dialogs() {
  const showAddNode = useStore((s) => s.showAddNode);
  const hostKey = useStore((s) => s.hostKeyPrompts[0]);
  const secret = useStore((s) => s.secretPrompts[0]);
  const content = hostKey ? <HostKeyDialog prompt={hostKey} /> : secret ? <SecretDialog key={secret.promptId} prompt={secret} /> : showAddNode ? <AddNodeDialog /> : null;
  return content ? <div className="overlay">{content}</div> : null;
}
