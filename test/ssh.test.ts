/** Through a real OpenSSH sshd on loopback: logins, host keys, jump hosts, sudo, and the live /proc view. */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../shared/snapshot/types';
import { collectSnapshot } from '../electron/engine/collect';
import { openSession } from '../electron/engine/open';
import { runCli } from './helpers/cli';
import { expectOddSockets, expectProcessMatchesKernel, until } from './helpers/kernel';
import { type OddProcess, ODD_ARGV, startOddProcess } from './helpers/odd-process';
import { schemaErrors } from './helpers/schema';
import { type KeyPair, type Sshd, ensureUser, generateKey, makeTempDir, sshdUnavailable, startSshd, sudoersRule } from './helpers/sshd';

const skipReason = sshdUnavailable();
if (skipReason) console.warn(`SKIP ssh tests: ${skipReason}`);

const fingerprint = (pubFile: string) => execFileSync('ssh-keygen', ['-lf', pubFile], { encoding: 'utf8' }).split(' ')[1]!;

describe.skipIf(skipReason !== null)('over a real sshd on loopback', () => {
  let sshd: Sshd;
  let dir: string;
  let home: string;
  let key: KeyPair;
  let lockedKey: KeyPair;
  let knownHosts: string;
  let odd: OddProcess;
  const env = () => ({ HOME: home });
  const base = () => ['snapshot', 'root@127.0.0.1', '-p', String(sshd.port), '--known-hosts', knownHosts];

  beforeAll(async () => {
    dir = makeTempDir('ssh');
    home = join(dir, 'home');
    execFileSync('mkdir', ['-p', home]);
    sshd = await startSshd({ logLevel: "DEBUG1" });
    key = generateKey(dir, 'id_plain');
    lockedKey = generateKey(dir, 'id_locked', { passphrase: 'open sesame' });
    sshd.authorize('root', key.publicLine);
    sshd.authorize('root', lockedKey.publicLine);
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, sshd.knownHostsLine() + '\n');
    odd = await startOddProcess(dir);
  });
  afterAll(async () => {
    odd?.stop();
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function snapshotOk(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Snapshot> {
    const out = join(dir, `snap-${Math.random().toString(36).slice(2)}.json`);
    const r = await runCli([...args, '-o', out], { ...env(), ...extraEnv });
    expect(r.stderr).toMatch(/processes/);
    expect(r.code, r.stderr).toBe(0);
    const snap = JSON.parse(readFileSync(out, 'utf8')) as Snapshot;
    expect(schemaErrors(snap)).toEqual([]);
    return snap;
  }

  it('logs in with a key and sees the odd process and its sockets as the kernel does', async () => {
    const snap = await snapshotOk([...base(), '-i', key.privatePath]);
    expect(snap.node.target).toBe(`root@127.0.0.1:${sshd.port}`);
    const proc = expectProcessMatchesKernel(snap.processes.find((p) => p.pid === odd.pid), odd.pid);
    expect(proc.cmdline.slice(2)).toEqual(ODD_ARGV);
    expectOddSockets(snap, odd);
  });

  it('runs every script of a connection in one shell on the node, and opens a new one if it dies', async () => {
    const session = await openSession(`root@127.0.0.1:${sshd.port}`, { identityFiles: [key.privatePath], knownHostsFile: knownHosts, agentSocket: null });
    try {
      // the collector runs in subshells of the `sh -s` that reads the scripts: the topmost one
      const shellOf = (snap: Snapshot) => {
        const byPid = new Map(snap.processes.map((p) => [p.pid, p]));
        let shell: number | null = null;
        for (let p = byPid.get(snap.node.collectorPid!); p; p = byPid.get(p.ppid)) if (p.cmdline.join(' ') === '/bin/sh -s') shell = p.pid;
        if (shell === null) throw new Error('no sh -s above the collector');
        return shell;
      };
      const first = await collectSnapshot(session);
      const second = await collectSnapshot(session);
      expect(shellOf(second)).toBe(shellOf(first));
      process.kill(shellOf(first), 'SIGKILL');
      const third = await collectSnapshot(session).catch(() => collectSnapshot(session));
      expect(shellOf(third)).not.toBe(shellOf(first));
      expect(third.processes.some((p) => p.pid === odd.pid)).toBe(true);
    } finally {
      session.close();
    }
  });

  it('runs a script on the side lane while the main shell is busy, in a shell of its own', async () => {
    const session = await openSession(`root@127.0.0.1:${sshd.port}`, { identityFiles: [key.privatePath], knownHostsFile: knownHosts, agentSocket: null });
    try {
      const end = (m: string) => Buffer.from(`\n${m}\n`);
      // The main shell waits on a FIFO the side lane's script opens for writing: only a second shell can end the wait.
      const fifo = join(dir, `lane-${process.pid}`);
      const main = session.runScript(`mkfifo ${fifo}; read -r x < ${fifo}; printf 'main %s %s\\n' "$x" "$$"; printf '\\nMAIN-END\\n'\n`, { endMarker: end('MAIN-END') });
      await until(() => existsSync(fifo) || 'no fifo yet');
      const side = await session.runScript(`printf 'side %s\\n' "$$"; echo woken > ${fifo}; printf '\\nSIDE-END\\n'\n`, { endMarker: end('SIDE-END'), lane: 'side' });
      const [, mainShell] = /main woken (\d+)/.exec((await main).stdout.toString()) ?? [];
      const [, sideShell] = /side (\d+)/.exec(side.stdout.toString()) ?? [];
      expect(mainShell).toBeDefined();
      expect(sideShell).toBeDefined();
      expect(sideShell).not.toBe(mainShell);
    } finally {
      session.close();
    }
  });

  it('writes JSON to stdout without -o', async () => {
    const r = await runCli([...base(), '-i', key.privatePath], env());
    expect(r.code, r.stderr).toBe(0);
    expect(schemaErrors(JSON.parse(r.stdout))).toEqual([]);
  });

  it('logs in with a passphrase-protected key, and says so when the passphrase is missing', async () => {
    await snapshotOk([...base(), '-i', lockedKey.privatePath], { PROCSCOPE_PASSPHRASE: 'open sesame' });
    const r = await runCli([...base(), '-i', lockedKey.privatePath], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Authentication failed.*needs a passphrase/s);
  });

  it('logs in through ssh-agent', async () => {
    const sock = join(dir, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
      execFileSync('ssh-add', [key.privatePath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const snap = await snapshotOk(base(), { SSH_AUTH_SOCK: sock });
      expect(snap.processes.length).toBeGreaterThan(0);
      const r = await runCli([...base(), '--no-agent'], { ...env(), SSH_AUTH_SOCK: sock });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Authentication failed/);
    } finally {
      agent.kill();
    }
  });

  it('logs in with a password, and refuses a wrong one', async () => {
    ensureUser('psc-pw', 'correct horse');
    const args = ['snapshot', `psc-pw@127.0.0.1:${sshd.port}`, '--known-hosts', knownHosts];
    const snap = await snapshotOk(args, { PROCSCOPE_PASSWORD: 'correct horse' });
    expect(snap.node.target).toBe(`psc-pw@127.0.0.1:${sshd.port}`);
    const r = await runCli(args, { ...env(), PROCSCOPE_PASSWORD: 'wrong' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Authentication failed for psc-pw@127\.0\.0\.1.*password/s);
  });

  describe('host keys', () => {
    it('refuses an unknown key, naming its SHA256 fingerprint', async () => {
      const empty = join(dir, 'kh-empty');
      const r = await runCli([...base().slice(0, -1), empty, '-i', key.privatePath], env());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(fingerprint(join(sshd.dir, 'host_key.pub')));
      expect(r.stderr).toMatch(/can't be established.*--accept-new/s);
      expect(existsSync(empty)).toBe(false);
    });

    it('with --accept-new records the key, then connects without it', async () => {
      const fresh = join(dir, 'kh-fresh');
      const args = [...base().slice(0, -1), fresh, '-i', key.privatePath];
      const r1 = await runCli([...args, '--accept-new', '-o', join(dir, 'a.json')], env());
      expect(r1.code, r1.stderr).toBe(0);
      // Written as ssh writes it: hashed where the config says HashKnownHosts (Debian's /etc/ssh/ssh_config does).
      const hashed = execFileSync('ssh', ['-G', '127.0.0.1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).includes('\nhashknownhosts yes\n');
      const line = readFileSync(fresh, 'utf8').trim();
      expect(line.split('\n')).toHaveLength(1);
      if (hashed) expect(line).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ /);
      else expect(line).toBe(sshd.knownHostsLine());
      expect(line.split(' ').slice(1).join(' ')).toBe(sshd.hostKeyLine);
      // ssh's own lookup finds it under the name ssh would use.
      expect(execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', fresh], { encoding: 'utf8' })).toContain(sshd.hostKeyLine.split(' ')[1]!);
      const r2 = await runCli([...args, '-o', join(dir, 'b.json')], env());
      expect(r2.code, r2.stderr).toBe(0);
    });

    it('accepts a hashed known_hosts entry', async () => {
      const hashed = join(dir, 'kh-hashed');
      writeFileSync(hashed, sshd.knownHostsLine() + '\n');
      execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
      expect(readFileSync(hashed, 'utf8')).toMatch(/^\|1\|/);
      const r = await runCli([...base().slice(0, -1), hashed, '-i', key.privatePath, '-o', join(dir, 'h.json')], env());
      expect(r.code, r.stderr).toBe(0);
    });

    it('refuses a changed key even with --accept-new, naming both fingerprints', async () => {
      const other = generateKey(dir, 'other_host_key');
      const changed = join(dir, 'kh-changed');
      writeFileSync(changed, `[127.0.0.1]:${sshd.port} ${other.publicLine.split(' ').slice(0, 2).join(' ')}\n`);
      const r = await runCli([...base().slice(0, -1), changed, '-i', key.privatePath, '--accept-new'], env());
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/HAS CHANGED/);
      expect(r.stderr).toContain(fingerprint(join(sshd.dir, 'host_key.pub')));
      expect(r.stderr).toContain(fingerprint(`${other.privatePath}.pub`));
      expect(readFileSync(changed, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    });
  });

  describe('jump hosts and ssh config', () => {
    let target: Sshd;
    beforeAll(async () => {
      target = await startSshd({ logLevel: 'DEBUG1' });
      target.authorize('root', key.publicLine);
      writeFileSync(knownHosts, sshd.knownHostsLine() + '\n' + target.knownHostsLine() + '\n');
    });
    afterAll(async () => target?.stop());

    it('jumps through a first sshd (-J)', async () => {
      const snap = await snapshotOk(['snapshot', `root@127.0.0.1:${target.port}`, '-J', `root@127.0.0.1:${sshd.port}`, '-i', key.privatePath, '--known-hosts', knownHosts]);
      expect(snap.node.target).toBe(`root@127.0.0.1:${target.port}`);
      // The jump sshd opened the forwarded channel to the target's port.
      expect(sshd.log()).toMatch(new RegExp(`direct_tcpip: originator .*target 127\\.0\\.0\\.1 port ${target.port}`));
    });

    it('resolves a Host alias with HostName, Port, User, IdentityFile and ProxyJump from -F', async () => {
      const config = join(dir, 'ssh_config');
      writeFileSync(
        config,
        [
          'Host jumpbox',
          '  HostName 127.0.0.1',
          `  Port ${sshd.port}`,
          '  User root',
          `  IdentityFile ${key.privatePath}`,
          'Host node-behind',
          '  HostName 127.0.0.1',
          `  Port ${target.port}`,
          '  User root',
          `  IdentityFile ${key.privatePath}`,
          '  ProxyJump jumpbox',
          '',
        ].join('\n'),
      );
      const snap = await snapshotOk(['snapshot', 'node-behind', '-F', config, '--known-hosts', knownHosts]);
      expect(snap.node.target).toBe(`root@127.0.0.1:${target.port}`);
    });
  });

  describe('--sudo', () => {
    const sudoOk = spawnSync('sudo', ['-V']).status === 0;
    let sudoKey: KeyPair;
    let cleanup: Array<() => void> = [];
    beforeAll(() => {
      if (!sudoOk) return;
      ensureUser('psc-sudo', 'x-unused-1');
      ensureUser('psc-nopw', 'x-unused-2');
      sudoKey = generateKey(dir, 'id_sudo');
      sshd.authorize('psc-sudo', sudoKey.publicLine);
      sshd.authorize('psc-nopw', sudoKey.publicLine);
      cleanup = [sudoersRule(`procscope-test-sudo-${process.pid}`, 'psc-sudo ALL=(root) NOPASSWD: /bin/sh'), sudoersRule(`procscope-test-nopw-${process.pid}`, 'psc-nopw ALL=(root) ALL')];
    });
    afterAll(() => cleanup.forEach((f) => f()));

    it.skipIf(!sudoOk)('without sudo a plain user gets per-process permission errors, not a failure', async () => {
      const snap = await snapshotOk(['snapshot', `psc-sudo@127.0.0.1:${sshd.port}`, '-i', sudoKey.privatePath, '--known-hosts', knownHosts]);
      const rootProc = snap.processes.find((p) => p.pid === odd.pid)!;
      expect(rootProc.fds).toBeNull();
      expect(rootProc.fdError).toMatch(/Permission denied/);
      expect(snap.errors).toContainEqual({ scope: `pid ${odd.pid} fd`, message: rootProc.fdError, pid: odd.pid, part: 'fd', kind: 'permission-denied', path: `/proc/${odd.pid}/fd` });
      expect(snap.node.viaSudo).toBe(false);
    });

    it.skipIf(!sudoOk)('with --sudo the same user sees root processes\' fds', async () => {
      const snap = await snapshotOk(['snapshot', `psc-sudo@127.0.0.1:${sshd.port}`, '-i', sudoKey.privatePath, '--known-hosts', knownHosts, '--sudo']);
      expect(snap.node.viaSudo).toBe(true);
      expectProcessMatchesKernel(snap.processes.find((p) => p.pid === odd.pid), odd.pid);
    });

    it.skipIf(!sudoOk)('says so when sudo wants a password', async () => {
      const r = await runCli(['snapshot', `psc-nopw@127.0.0.1:${sshd.port}`, '-i', sudoKey.privatePath, '--known-hosts', knownHosts, '--sudo'], env());
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/sudo on .* asks for a password.*NOPASSWD/s);
    });
  });

  it('says a key given with -i does not exist, as ssh does', async () => {
    const r = await runCli([...base(), '-i', join(dir, 'no-such-key')], { ...env(), SSH_AUTH_SOCK: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`key ${join(dir, 'no-such-key')} (no such file)`);
    expect(r.stderr).not.toMatch(/tried nothing/);
  });

  it('says a closed port refuses the connection', async () => {
    const r = await runCli(['snapshot', 'root@127.0.0.1', '-p', '1', '--known-hosts', knownHosts, '-i', key.privatePath], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused the connection.*port/s);
  });

  it('waits for a person comparing the host key: the handshake deadline pauses while asked (5 s deadline, answered after 12 s)', async () => {
    const fresh = join(dir, 'known_hosts_fresh');
    writeFileSync(fresh, '');
    const start = Date.now();
    let askedAt = 0;
    const session = await openSession(`root@127.0.0.1:${sshd.port}`, {
      identityFiles: [key.privatePath],
      knownHostsFile: fresh,
      agentSocket: null,
      readyTimeoutMs: 5000,
      onUnknownKey: async () => {
        askedAt = Date.now();
        // The person reads the fingerprint for more than twice the deadline.
        await new Promise((r) => setTimeout(r, 12_000));
        return 'accept-once';
      },
    });
    try {
      expect(askedAt).toBeGreaterThan(0);
      expect(Date.now() - start).toBeGreaterThanOrEqual(12_000);
      expect(session.isOpen()).toBe(true);
    } finally {
      session.close();
    }
  });

  it('still keeps the handshake deadline when nobody is asked: a port that never speaks SSH', async () => {
    const { createServer } = await import('node:net');
    const held: import('node:net').Socket[] = [];
    const mute = createServer((socket) => held.push(socket));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const port = (mute.address() as { port: number }).port;
    const start = Date.now();
    try {
      await expect(openSession(`root@127.0.0.1:${port}`, { identityFiles: [key.privatePath], knownHostsFile: knownHosts, agentSocket: null, readyTimeoutMs: 2000 })).rejects.toThrow(/did not complete the SSH handshake in time/);
      expect(Date.now() - start).toBeLessThan(15_000);
      // The built CLI says so and exits: no half-closed socket left to the silent peer keeps it alive.
      const cli = Date.now();
      const r = await runCli(['snapshot', `root@127.0.0.1:${port}`, '--known-hosts', knownHosts, '-i', key.privatePath, '--timeout', '3'], env(), 40_000);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/did not complete the SSH handshake in time|did not answer within/);
      expect(Date.now() - cli).toBeLessThan(30_000);
    } finally {
      for (const s of held) s.destroy();
      mute.close();
    }
  });
});
