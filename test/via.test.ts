/**
 * --via COMMAND: the collector through any command that gives a shell. Against the system's OpenSSH client and a
 * real sshd, a plain local shell, and commands that are not shells. Run through the built CLI, as users run it.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../shared/snapshot/types';
import { commandSession } from '../electron/engine/command-session';
import { applyDelta } from '../shared/snapshot/refresh';
import { collectSnapshot, refreshSnapshot } from '../electron/engine/collect';
import { runCli } from './helpers/cli';
import { schemaErrors } from './helpers/schema';
import { type KeyPair, type Sshd, ensureUser, generateKey, makeTempDir, sshdUnavailable, startSshd, sudoersRule } from './helpers/sshd';
import { spawnSync } from 'node:child_process';

const noSsh = sshdUnavailable() ?? (spawnSync('ssh', ['-V']).status !== 0 ? 'no OpenSSH client (ssh)' : null);
if (noSsh) console.warn(`SKIP --via over the system ssh: ${noSsh}`);
const noSudo =
  process.getuid?.() !== 0 ? 'making test users needs root'
  : spawnSync('sudo', ['-V']).status !== 0 ? 'no sudo'
  : spawnSync('runuser', ['--help']).status !== 0 ? 'no runuser (util-linux)'
  : null;
if (noSudo) console.warn(`SKIP --via with --sudo: ${noSudo}`);

describe('--via COMMAND', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir('via');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a snapshot through a plain local shell, and refreshes through it', async () => {
    const out = join(dir, 'sh.json');
    const r = await runCli(['snapshot', '--via', 'sh', '-o', out]);
    expect(r.stderr).toMatch(/processes/);
    expect(r.code).toBe(0);
    const snap = JSON.parse(readFileSync(out, 'utf8')) as Snapshot;
    expect(schemaErrors(snap)).toEqual([]);
    expect(snap.node.target).toBe('via sh');
    // This test runner, as the kernel has it.
    expect(snap.processes.find((p) => p.pid === process.pid)?.cmdline.join(' ')).toBe(readFileSync(`/proc/${process.pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' '));
    const session = commandSession('sh');
    try {
      const first = await collectSnapshot(session);
      const delta = await refreshSnapshot(session, first);
      expect(delta.removed).not.toContain(process.pid);
      expect(applyDelta(first, delta).processes.find((p) => p.pid === process.pid)?.cmdline).toEqual(first.processes.find((p) => p.pid === process.pid)!.cmdline);
      // One shell: nothing runs beside it (the app then skips a live step during a full read, as it always did).
      expect(session.concurrent).toBeFalsy();
      await expect(refreshSnapshot(session, first, { lane: 'side' })).rejects.toThrow(/has one shell/);
    } finally {
      session.close();
    }
  });

  it.each([
    ['a command that is not a shell', 'cat', /did not answer as a POSIX shell within 3 s/],
    ['a command that ends at once', 'echo no shell here >&2; exit 3', /ended \(exit 3\) before it answered as a shell: no shell here/],
    ['a command that is not there', 'procscope-no-such-command-here', /ended \(exit 127\) before it answered as a shell: .*not found/],
  ])('says so of %s', async (_name, command, message) => {
    const session = commandSession(command, { answerMs: 3000 });
    try {
      await expect(collectSnapshot(session)).rejects.toThrow(message);
    } finally {
      session.close();
    }
  });

  it('takes a login banner before the shell in its stride', async () => {
    const session = commandSession("echo 'Welcome to node-7'; sh");
    try {
      expect((await collectSnapshot(session)).processes.length).toBeGreaterThan(3);
    } finally {
      session.close();
    }
  });

  it('refuses --via with a TARGET, saying how', async () => {
    const both = await runCli(['snapshot', 'root@10.0.0.1', '--via', 'sh']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--via takes the place of TARGET/);
  });

  describe.skipIf(noSudo !== null)('with --sudo', () => {
    let cleanup: Array<() => void> = [];
    beforeAll(() => {
      ensureUser('psc-sudo', 'x-unused-1');
      ensureUser('psc-nopw', 'x-unused-2');
      cleanup = [sudoersRule(`procscope-via-sudo-${process.pid}`, 'psc-sudo ALL=(root) NOPASSWD: /bin/sh'), sudoersRule(`procscope-via-nopw-${process.pid}`, 'psc-nopw ALL=(root) ALL')];
    });
    afterAll(() => cleanup.forEach((f) => f()));
    const mine = (snap: Snapshot) => snap.processes.find((p) => p.pid === process.pid)!;

    it('turns the command\'s shell into a root one: a plain user then sees root processes\' fds', async () => {
      const plain = await runCli(['snapshot', '--via', 'runuser -u psc-sudo -- /bin/sh', '-o', join(dir, 'plain.json')]);
      expect(plain.code, plain.stderr).toBe(0);
      const before = JSON.parse(readFileSync(join(dir, 'plain.json'), 'utf8')) as Snapshot;
      expect(before.node.viaSudo).toBe(false);
      expect(mine(before).fds).toBeNull();
      expect(mine(before).fdError).toMatch(/Permission denied/);

      const sudo = await runCli(['snapshot', '--via', 'runuser -u psc-sudo -- /bin/sh', '--sudo', '-o', join(dir, 'sudo.json')]);
      expect(sudo.code, sudo.stderr).toBe(0);
      const after = JSON.parse(readFileSync(join(dir, 'sudo.json'), 'utf8')) as Snapshot;
      expect(schemaErrors(after)).toEqual([]);
      expect(after.node.viaSudo).toBe(true);
      // The test runner's own fds, as the kernel lists them (those that are still open once the snapshot is taken).
      const fds = mine(after).fds!.map((f) => f.fd);
      for (const fd of [0, 1, 2]) expect(fds).toContain(fd);
      expect(fds.filter((fd) => readdirSync(`/proc/${process.pid}/fd`).includes(String(fd))).length).toBeGreaterThan(2);
    });

    it('says so when sudo wants a password', async () => {
      const r = await runCli(['snapshot', '--via', 'runuser -u psc-nopw -- /bin/sh', '--sudo']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/sudo on via runuser -u psc-nopw -- \/bin\/sh asks for a password.*NOPASSWD/s);
    });
  });

  describe.skipIf(noSsh !== null)('through the system ssh', () => {
    let sshd: Sshd;
    let key: KeyPair;
    let knownHosts: string;
    beforeAll(async () => {
      sshd = await startSshd();
      key = generateKey(dir, 'id_via');
      sshd.authorize('root', key.publicLine);
      knownHosts = join(dir, 'known_hosts');
      writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.knownHostsLine().split(' ').slice(1).join(' ')}\n`);
    });
    afterAll(() => sshd?.stop());

    it('collects through `ssh -T HOST sh`, with the host key checked by ssh itself', async () => {
      const ssh = `ssh -T -p ${sshd.port} -i ${key.privatePath} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${knownHosts} -F /dev/null root@127.0.0.1`;
      const out = join(dir, 'ssh.json');
      const r = await runCli(['snapshot', '--via', `${ssh} sh`, '-o', out]);
      expect(r.stderr).toMatch(/processes/);
      expect(r.code).toBe(0);
      const snap = JSON.parse(readFileSync(out, 'utf8')) as Snapshot;
      expect(schemaErrors(snap)).toEqual([]);
      // The sshd's own session is among the processes: the collector ran under it.
      expect(snap.processes.some((p) => p.pid === sshd.pid)).toBe(true);
      // A host key that is not the one known: ssh refuses, and procscope says the command ended.
      writeFileSync(join(dir, 'wrong_hosts'), `[127.0.0.1]:${sshd.port} ${generateKey(dir, 'other').publicLine}\n`);
      const refused = await runCli(['snapshot', '--via', `${ssh.replace(knownHosts, join(dir, 'wrong_hosts'))} sh`]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/ended \(exit 255\) before it answered as a shell: .*(REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed)/);
    });
  });
});
