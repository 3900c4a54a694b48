/** The API's implementation against a real sshd: ssh config import, trusting a host key once, a changed key. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, ApiEvents, HostKeyDecision } from '../shared/api';
import { ProcscopeFailure } from '../shared/errors';
import { createService } from '../electron/app/service';
import { noVault } from '../electron/app/stores';
import { type KeyPair, type Sshd, generateKey, makeTempDir, sshdUnavailable, startSshd } from './helpers/sshd';
import type { AskApproval } from '../electron/app/approvals';
import { type CommandApproval, approvalQuestion } from '../shared/approval';

const skipReason = sshdUnavailable();
if (skipReason) console.warn(`SKIP service tests: ${skipReason}`);

describe.skipIf(skipReason !== null)('the service', () => {
  let sshd: Sshd;
  let key: KeyPair;
  let dir: string;
  beforeAll(async () => {
    sshd = await startSshd();
    dir = makeTempDir('service');
    key = generateKey(dir, 'id');
    sshd.authorize('root', key.publicLine);
  });
  afterAll(async () => sshd?.stop());

  function service(knownHostsFile: string, decision: HostKeyDecision, sshConfigPath?: string) {
    const prompts: ApiEvents['hostKeyPrompt'][] = [];
    const s = createService({
      configDir: makeTempDir('service-config'),
      vault: noVault,
      transport: 'browser',
      knownHostsFile,
      ...(sshConfigPath ? { sshConfigPath } : {}),
      emit: <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => {
        if (event !== 'hostKeyPrompt') return;
        const p = payload as ApiEvents['hostKeyPrompt'];
        prompts.push(p);
        void s.handlers.answerHostKey(p.promptId, decision);
      },
    });
    return { s, prompts };
  }

  it('imports the Host aliases of ~/.ssh/config, once each, and connects through one', async () => {
    const config = join(dir, 'ssh_config');
    writeFileSync(config, `Host lab-node\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User root\n  IdentityFile ${key.privatePath}\nHost *.example\n  User x\n`);
    const kh = join(dir, 'kh-config');
    writeFileSync(kh, sshd.knownHostsLine() + '\n');
    const { s } = service(kh, 'reject', config);
    const nodes = await s.handlers.importSshConfig();
    expect(nodes.map((n) => [n.name, n.host])).toEqual([['lab-node', 'lab-node']]);
    expect(await s.handlers.importSshConfig()).toHaveLength(1);
    const status = await s.handlers.connect(nodes[0]!.id);
    expect(status.target).toBe(`root@127.0.0.1:${sshd.port}`);
    await s.handlers.disconnect(status.connectionId);
    s.dispose();
  });

  it('trusts an unknown key once without recording it, and asks again next time', async () => {
    const kh = join(dir, 'kh-once');
    const { s, prompts } = service(kh, 'accept-once');
    await s.handlers.saveNode({ id: 'n1', name: 'n', host: '127.0.0.1', port: sshd.port, user: 'root', auth: 'key', identityFile: key.privatePath });
    for (let i = 0; i < 2; i++) {
      const status = await s.handlers.connect('n1');
      await s.handlers.disconnect(status.connectionId);
    }
    expect(prompts).toHaveLength(2);
    expect(prompts[0]!.fingerprint).toMatch(/^SHA256:/);
    expect(existsSync(kh) ? readFileSync(kh, 'utf8') : '').toBe('');
    s.dispose();
  });

  it('takes an answer to a host-key prompt only as a host-key decision: a secret sent to it is refused', async () => {
    const kh = join(dir, 'kh-kinds');
    const prompts: ApiEvents['hostKeyPrompt'][] = [];
    const s = createService({
      configDir: makeTempDir('service-config'),
      vault: noVault,
      transport: 'browser',
      knownHostsFile: kh,
      emit: <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => {
        if (event === 'hostKeyPrompt') prompts.push(payload as ApiEvents['hostKeyPrompt']);
      },
    });
    await s.handlers.saveNode({ id: 'n3', name: 'n', host: '127.0.0.1', port: sshd.port, user: 'root', auth: 'key', identityFile: key.privatePath });
    const connecting = s.handlers.connect('n3').then(
      () => 'connected',
      (e: ProcscopeFailure) => e.error.kind,
    );
    await expect.poll(() => prompts.length, { timeout: 10_000 }).toBe(1);
    await expect(s.handlers.answerSecret(prompts[0]!.promptId, 'hunter2', false)).rejects.toThrow(/asks for a host-key answer, not a secret one/);
    // Still waiting: the secret neither trusted the key nor ended the prompt.
    expect(await Promise.race([connecting, new Promise((r) => setTimeout(() => r('waiting'), 300))])).toBe('waiting');
    await s.handlers.answerHostKey(prompts[0]!.promptId, 'reject');
    expect(await connecting).toBe('host-key');
    expect(existsSync(kh) ? readFileSync(kh, 'utf8') : '').toBe('');
    s.dispose();
  });

  it('refuses a changed key with both fingerprints, without asking', async () => {
    const kh = join(dir, 'kh-changed');
    const other = generateKey(dir, 'other-host');
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${other.publicLine.split(' ').slice(0, 2).join(' ')}\n`);
    const { s, prompts } = service(kh, 'accept-always');
    await s.handlers.saveNode({ id: 'n2', name: 'n', host: '127.0.0.1', port: sshd.port, user: 'root', auth: 'key', identityFile: key.privatePath });
    const err = await s.handlers.connect('n2').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProcscopeFailure);
    const error = (err as ProcscopeFailure).error;
    expect(error.kind).toBe('host-key');
    if (error.kind === 'host-key') {
      expect(error.reason).toBe('changed');
      expect(error.knownFingerprints).toHaveLength(1);
      expect(error.message).toContain(error.fingerprint);
      expect(error.message).toContain(error.knownFingerprints![0]);
    }
    expect(prompts).toHaveLength(0);
    s.dispose();
  });

  describe('command nodes', () => {
    const commandService = (approveCommand?: AskApproval) =>
      createService({ configDir: makeTempDir('service-config'), vault: noVault, transport: 'browser', emit: () => {}, ...(approveCommand ? { approveCommand } : {}) });
    const failureOf = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e as ProcscopeFailure).error);

    it('never runs the command without an approval from outside the page, and runs it once approved', async () => {
      const marker = join(dir, `ran-${Date.now()}`);
      const command = `touch ${marker}; exec /bin/sh`;
      const node = { id: 'c1', name: 'via-sh', kind: 'command' as const, host: 'command', command, auth: 'agent' as const };

      const unasked = commandService();
      await unasked.handlers.saveNode(node);
      expect(await failureOf(unasked.handlers.connect('c1'))).toMatchObject({ kind: 'permission-denied', message: expect.stringMatching(/cannot ask you to approve/) });
      unasked.dispose();

      const asked: string[] = [];
      let answer = false;
      const s = commandService(async (a) => {
        asked.push(`${a.purpose}: ${a.command}`);
        return answer;
      });
      await s.handlers.saveNode(node);
      expect(await failureOf(s.handlers.connect('c1'))).toMatchObject({ kind: 'permission-denied', message: expect.stringMatching(/did not approve/) });
      expect(existsSync(marker)).toBe(false);
      answer = true;
      const status = await s.handlers.connect('c1');
      expect(status.target).toBe(`via ${command}`);
      expect(existsSync(marker)).toBe(true);
      const snap = await s.handlers.collect(status.connectionId);
      expect(snap.processes.some((p) => p.pid === process.pid)).toBe(true);
      await s.handlers.disconnect(status.connectionId);
      // Approved once per run: the second connect does not ask.
      await s.handlers.disconnect((await s.handlers.connect('c1')).connectionId);
      expect(asked).toEqual([`reach via-sh: ${command}`, `reach via-sh: ${command}`]);
      expect(await s.handlers.resolveNode(node)).toEqual({ route: expect.stringContaining(`runs ${JSON.stringify(command)} on this computer`) });
      s.dispose();
    });

    it('asks again when the page turns sudo on for an approved command, and says so in the question', async () => {
      const command = 'exec /bin/sh';
      const node = { id: 'c2', name: 'flip', kind: 'command' as const, host: 'command', command, auth: 'agent' as const };
      const asked: CommandApproval[] = [];
      let answer = true;
      const s = commandService(async (a) => (asked.push(a), answer));
      await s.handlers.saveNode(node);
      await s.handlers.disconnect((await s.handlers.connect('c2')).connectionId);
      expect(asked).toEqual([{ command, sudo: false, purpose: 'reach flip' }]);
      // The page flips the saved node to sudo and reconnects: the approved shell would become sudo -n /bin/sh.
      await s.handlers.saveNode({ ...node, sudo: true });
      answer = false;
      expect(await failureOf(s.handlers.connect('c2'))).toMatchObject({ kind: 'permission-denied', message: 'You did not approve running the command of flip under sudo -n.' });
      expect(asked).toEqual([{ command, sudo: false, purpose: 'reach flip' }, { command, sudo: true, purpose: 'reach flip' }]);
      expect(approvalQuestion(asked[1]!).sudo).toMatch(/under sudo -n/);
      s.dispose();
    });

    it('refuses, before asking, a command a screen would not show as it runs', async () => {
      const asked: CommandApproval[] = [];
      const s = commandService(async (a) => (asked.push(a), true));
      for (const [i, command] of ['echo safe\u202e; exec /bin/sh', 'exec /bin/sh\u200b', 'exec /bin/sh\u2028rm -rf ~'].entries()) {
        const id = `hidden${i}`;
        await s.handlers.saveNode({ id, name: id, kind: 'command', host: 'command', command, auth: 'agent' });
        expect(await failureOf(s.handlers.connect(id))).toMatchObject({ kind: 'permission-denied', message: expect.stringMatching(/holds characters a screen does not show as themselves \(shown escaped: .*\\u\{/) });
      }
      expect(asked).toEqual([]);
      s.dispose();
    });

    it('says where an SSH node leads, from the ssh config', async () => {
      const config = join(dir, 'ssh_config_route');
      writeFileSync(config, `Host routed\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User root\n  IdentityFile ${key.privatePath}\n  HostKeyAlias routed-key\n`);
      const { s } = service(join(dir, 'kh-route'), 'reject', config);
      const { route } = await s.handlers.resolveNode({ id: 'r1', name: 'routed', host: 'routed', auth: 'agent' });
      expect(route).toMatch(new RegExp(`^routed → 127\\.0\\.0\\.1:${sshd.port} as root, ssh-agent, key ${key.privatePath.replace(/[.]/g, '\\.')}, known hosts .*kh-route \\(as routed-key\\) \\((resolved by ssh -G|built-in ssh config reader: no ssh client found)\\)$`));
      s.dispose();
    });
  });

  describe('inventories and the fleet', () => {
    const failureOf = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e as ProcscopeFailure).error);

    const noAnsible = skipReason === null && spawnSync('ansible-inventory', ['--version']).status !== 0;
    if (noAnsible) console.warn('SKIP the Ansible import step: no ansible-inventory (.ci/run installs ansible-core)');
    it.skipIf(noAnsible)('runs ansible-inventory only once approved from outside the page (an inventory can be a script), and saves its nodes with their groups', async () => {
      const marker = join(dir, `inventory-ran-${Date.now()}`);
      const script = join(dir, 'inventory.sh');
      const list = { web: { hosts: ['w1', 'w2'] }, prod: { children: ['web'] }, _meta: { hostvars: { w1: { ansible_host: '127.0.0.1', ansible_port: sshd.port, ansible_user: 'root' }, w2: { ansible_host: '127.0.0.2' } } } };
      writeFileSync(script, `#!/bin/sh\ntouch '${marker}'\necho '${JSON.stringify(list)}'\n`, { mode: 0o755 });
      const serviceWith = (approveCommand?: AskApproval) =>
        createService({ configDir: makeTempDir('service-config'), vault: noVault, transport: 'browser', emit: () => {}, ...(approveCommand ? { approveCommand } : {}) });
      const unasked = serviceWith();
      expect(await failureOf(unasked.handlers.importInventory({ kind: 'named', spec: `ansible:${script}` }))).toMatchObject({ kind: 'permission-denied', message: expect.stringMatching(/cannot ask you to approve/) });
      const asked: string[] = [];
      const refused = serviceWith(async (a) => (asked.push(`${a.purpose}: ${a.command}`), false));
      expect(await failureOf(refused.handlers.importInventory({ kind: 'named', spec: `ansible:${script}` }))).toMatchObject({ kind: 'permission-denied', message: expect.stringMatching(/did not approve/) });
      expect(asked).toEqual([`list the nodes of ansible:${script}: ansible-inventory -i ${script} --list`]);
      expect(existsSync(marker)).toBe(false);
      const approved = serviceWith(async () => true);
      const r = await approved.handlers.importInventory({ kind: 'named', spec: `ansible:${script}` });
      expect(existsSync(marker)).toBe(true);
      expect(r).toMatchObject({ added: 2, updated: 0, problems: [] });
      expect(r.nodes.map(({ id: _id, hasSavedSecret: _s, ...n }) => n)).toEqual([
        { name: 'w1', host: '127.0.0.1', port: sshd.port, user: 'root', auth: 'agent', groups: ['prod', 'web'] },
        { name: 'w2', host: '127.0.0.2', auth: 'agent', groups: ['prod', 'web'] },
      ]);
      expect((await approved.handlers.listNodes()).map((n) => n.groups)).toEqual([['prod', 'web'], ['prod', 'web']]);
      for (const x of [unasked, refused, approved]) x.dispose();
    });

    it('asks nobody anything: an unknown host key and an unapproved command fail their node with the way to fix it; once the key is accepted from a tab, the node answers', async () => {
      const events: { event: ApiEvent; payload: unknown }[] = [];
      const knownHostsFile = join(dir, `kh-fleet-${Date.now()}`);
      const s = createService({
        configDir: makeTempDir('service-config'),
        vault: noVault,
        transport: 'browser',
        knownHostsFile,
        approveCommand: async () => true,
        emit: (event, payload) => {
          events.push({ event, payload });
          if (event === 'hostKeyPrompt') void s.handlers.answerHostKey((payload as ApiEvents['hostKeyPrompt']).promptId, 'accept-always');
        },
      });
      await s.handlers.saveNode({ id: 'f1', name: 'ssh-node', host: '127.0.0.1', port: sshd.port, user: 'root', auth: 'key', identityFile: key.privatePath });
      await s.handlers.saveNode({ id: 'f2', name: 'cmd-node', kind: 'command', host: 'command', command: 'exec /bin/sh', auth: 'agent' });
      const first = await s.handlers.fleetAsk(['f1', 'f2'], `user:root`);
      expect(first).toMatchObject({ query: 'user:root', asked: 2, answered: 0, matches: [] });
      expect(first.failed.find((f) => f.nodeId === 'f1')?.error).toMatchObject({ kind: 'host-key', hint: expect.stringMatching(/^Open ssh-node from the node list once to check its host key/) });
      expect(first.failed.find((f) => f.nodeId === 'f2')?.error).toMatchObject({ kind: 'permission-denied', message: expect.stringMatching(/has not been approved in this run/) });
      expect(events.filter((e) => e.event === 'hostKeyPrompt')).toEqual([]);
      expect(existsSync(knownHostsFile)).toBe(false);
      // Opened from the node list, each is checked and approved once; then the fleet asks them without a word.
      for (const id of ['f1', 'f2']) await s.handlers.disconnect((await s.handlers.connect(id)).connectionId);
      const second = await s.handlers.fleetAsk(['f1', 'f2'], 'name:^(sshd|sh)$ user:root');
      expect(second.failed).toEqual([]);
      expect(second.answered).toBe(2);
      expect(new Set(second.matches.map((m) => m.nodeId))).toEqual(new Set(['f1', 'f2']));
      const statuses = await s.handlers.fleetStatus();
      expect(statuses.map((x) => [x.nodeId, x.state, x.connected]).sort()).toEqual([['f1', 'answered', true], ['f2', 'answered', true]]);
      expect(statuses.every((x) => (x.processes ?? 0) > 0 && x.load !== undefined)).toBe(true);
      // A node whose actions are off refuses them before anything is sent.
      await s.handlers.saveNode({ id: 'f1', name: 'ssh-node', host: '127.0.0.1', port: sshd.port, user: 'root', auth: 'key', identityFile: key.privatePath, readOnly: true });
      const readOnly = await s.handlers.connect('f1');
      expect(await failureOf(s.handlers.actOnProcesses(readOnly.connectionId, [{ pid: process.pid, startTicks: 0 }], { kind: 'signal', signal: 'STOP' }))).toMatchObject({ kind: 'permission-denied', message: 'Actions are turned off for ssh-node: nothing was sent.' });
      await s.handlers.disconnect(readOnly.connectionId);
      // A question that cannot be read says how to write one.
      expect(await failureOf(s.handlers.fleetAsk(['f1'], 'port:http'))).toMatchObject({ kind: 'parse', message: 'Cannot read the question: bad port: "http" (1 to 65535).' });
      s.dispose();
    });

    it("gives each node the deadline set in the app's settings, over the server's", async () => {
      // A node that takes the connection and never says a word.
      const silent = createServer(() => {}).listen(0, '127.0.0.1');
      await new Promise((r) => silent.once('listening', r));
      const port = (silent.address() as AddressInfo).port;
      const s = createService({ configDir: makeTempDir('service-config'), vault: noVault, transport: 'browser', knownHostsFile: join(dir, 'kh-deadline'), fleetLimits: { deadlineMs: 120_000 }, emit: () => {} });
      try {
        await s.handlers.saveNode({ id: 'mute', name: 'mute', host: '127.0.0.1', port, user: 'root', auth: 'key', identityFile: key.privatePath });
        expect(await s.handlers.saveSettings({ fleetTimeoutSec: 5 })).toMatchObject({ fleetTimeoutSec: 5 });
        // Out of range: not kept.
        expect(await s.handlers.saveSettings({ fleetTimeoutSec: 1 })).toMatchObject({ fleetTimeoutSec: 5 });
        const started = Date.now();
        const answer = await s.handlers.fleetAsk(['mute'], '');
        expect(Date.now() - started).toBeLessThan(60_000);
        expect(answer.failed[0]?.error.message).toMatch(/did not answer within 5 s/);
      } finally {
        s.dispose();
        silent.close();
      }
    });
  });
});
