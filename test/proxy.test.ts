/**
 * Reaching a node only a bastion can reach, as ssh would: two real sshd, the target in its own network namespace
 * (nothing here can connect to it) and a bastion whose sessions run in that namespace. ProxyJump and
 * `ProxyCommand ssh -W %h:%p bastion` from an ssh config with Include and Match, resolved by ssh -G; both hosts'
 * keys checked against the known-hosts files the config names.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../shared/snapshot/types';
import { runCli } from './helpers/cli';
import { type KeyPair, type Sshd, generateKey, makeTempDir, sshdUnavailable, startSshd } from './helpers/sshd';

const NETNS = `procscope-proxy-${process.pid}`;
const skip =
  sshdUnavailable() ??
  (spawnSync('ssh', ['-V']).status !== 0 ? 'no OpenSSH client (ssh)' : null) ??
  (spawnSync('ip', ['netns', 'list']).status !== 0 ? 'no ip netns (iproute2), which the unreachable target needs' : null);
if (skip) console.warn(`SKIP bastion tests: ${skip}`);

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', () => resolve(true));
  });
}

describe.skipIf(skip !== null)('through a bastion', () => {
  let dir: string;
  let key: KeyPair;
  let bastion: Sshd;
  let target: Sshd;
  let config: string;
  const kh = (name: string) => join(dir, name);

  beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', NETNS]);
    execFileSync('ip', ['netns', 'exec', NETNS, 'ip', 'link', 'set', 'lo', 'up']);
    dir = makeTempDir('proxy');
    key = generateKey(dir, 'id_client');
    target = await startSshd({ wrap: ['ip', 'netns', 'exec', NETNS], unreachable: true });
    bastion = await startSshd({ wrap: ['ip', 'netns', 'exec', NETNS], inetd: true, logLevel: 'DEBUG1' });
    target.authorize('root', key.publicLine);
    bastion.authorize('root', key.publicLine);
    config = join(dir, 'ssh_config');
    writeFileSync(
      join(dir, 'prod.conf'),
      ['Host behind-alias', '  HostName 127.0.0.1', `  Port ${target.port}`, '  ProxyJump bastion', '  HostKeyAlias prod-target', ''].join('\n'),
    );
    writeFileSync(
      config,
      [
        `Include ${join(dir, 'prod.conf')}`,
        'Host bastion',
        '  HostName 127.0.0.1',
        `  Port ${bastion.port}`,
        `  UserKnownHostsFile ${kh('kh_bastion')}`,
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        'Host behind-jump',
        '  HostName 127.0.0.1',
        `  Port ${target.port}`,
        '  ProxyJump bastion',
        'Host behind-cmd',
        '  HostName 127.0.0.1',
        `  Port ${target.port}`,
        `  ProxyCommand ssh -F ${config} -W %h:%p bastion`,
        'Host broken-cmd',
        '  HostName 127.0.0.1',
        `  ProxyCommand sh -c 'echo cannot reach %h port %p >&2; exit 7'`,
        // Everything on 127.0.0.1 logs in as root with the test key, and checks keys in kh_prod (the bastion took its
        // own file first: the first value obtained wins, as in ssh).
        'Match host 127.0.0.1',
        '  User root',
        `  IdentityFile ${key.privatePath}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${kh('kh_prod')}`,
        '  HashKnownHosts no',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await target?.stop();
    await bastion?.stop();
    spawnSync('ip', ['netns', 'del', NETNS]);
  });

  const trust = (file: string, lines: string[]) => writeFileSync(kh(file), lines.map((l) => l + '\n').join(''));
  const trustBoth = () => {
    trust('kh_bastion', [bastion.knownHostsLine()]);
    trust('kh_prod', [target.knownHostsLine()]);
  };
  const snapshot = async (alias: string, extra: string[] = []) => {
    const out = join(dir, `${alias}.json`);
    const r = await runCli(['snapshot', alias, '-F', config, '-o', out, ...extra]);
    return { ...r, snap: r.code === 0 ? (JSON.parse(readFileSync(out, 'utf8')) as Snapshot) : null };
  };
  const sessionsOnTarget = () => (target.log().match(/Accepted publickey for root/g) ?? []).length;

  it('the target cannot be reached from here at all', async () => {
    expect(await refused(target.port)).toBe(true);
    const r = await runCli(['snapshot', `root@127.0.0.1:${target.port}`, '-i', key.privatePath, '--known-hosts', kh('kh_prod'), '--accept-new']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused the connection/);
  });

  it.each(['behind-jump', 'behind-cmd'])('%s: reaches the target through the bastion, both keys known', async (alias) => {
    trustBoth();
    const before = sessionsOnTarget();
    const { code, stderr, snap } = await snapshot(alias);
    expect(code, stderr).toBe(0);
    expect(snap!.node.target).toBe(`root@127.0.0.1:${target.port}`);
    expect(sessionsOnTarget()).toBe(before + 1);
    expect(bastion.log()).toMatch(new RegExp(`(direct-tcpip|direct_tcpip).*127\\.0\\.0\\.1.*${target.port}`));
  });

  it.each([
    ['behind-jump', 'the bastion', /HAS CHANGED for \[127\.0\.0\.1\]:(\d+)/, 'bastion'],
    ['behind-jump', 'the target', /HAS CHANGED for \[127\.0\.0\.1\]:(\d+)/, 'target'],
    ['behind-cmd', 'the bastion', /ProxyCommand of behind-cmd exited with status 255.*Host key verification failed/s, 'bastion'],
    ['behind-cmd', 'the target', /HAS CHANGED for \[127\.0\.0\.1\]:(\d+)/, 'target'],
  ] as const)('%s: refuses when %s sends a key its known-hosts file does not have', async (alias, _who, message, wrong) => {
    const other = generateKey(dir, `wrong-${alias}-${wrong}`).publicLine.split(' ').slice(0, 2).join(' ');
    trustBoth();
    if (wrong === 'bastion') trust('kh_bastion', [`[127.0.0.1]:${bastion.port} ${other}`]);
    else trust('kh_prod', [`[127.0.0.1]:${target.port} ${other}`]);
    const before = sessionsOnTarget();
    const { code, stderr } = await snapshot(alias);
    expect(code).toBe(1);
    const m = message.exec(stderr);
    expect(m, stderr).not.toBeNull();
    if (m![1]) expect(Number(m![1])).toBe(wrong === 'bastion' ? bastion.port : target.port);
    expect(sessionsOnTarget()).toBe(before);
  });

  it('records an accepted key in the UserKnownHostsFile the config names, and nowhere else', async () => {
    trust('kh_bastion', [bastion.knownHostsLine()]);
    trust('kh_prod', []);
    const home = readFileSync('/etc/passwd', 'utf8').includes('root:') ? '/root/.ssh/known_hosts' : '';
    const homeBefore = existsSync(home) ? readFileSync(home, 'utf8') : null;
    const refusedRun = await snapshot('behind-jump');
    expect(refusedRun.code).toBe(1);
    expect(refusedRun.stderr).toMatch(new RegExp(`can't be established.*${kh('kh_prod').replace(/[.]/g, '\\.')}`, 's'));
    const { code, stderr } = await snapshot('behind-jump', ['--accept-new']);
    expect(code, stderr).toBe(0);
    expect(readFileSync(kh('kh_prod'), 'utf8')).toBe(target.knownHostsLine() + '\n');
    expect(stderr).toContain(`Permanently added [127.0.0.1]:${target.port}`);
    expect(existsSync(home) ? readFileSync(home, 'utf8') : null).toBe(homeBefore);
  });

  it('looks the target up under its HostKeyAlias (from the Included file)', async () => {
    trust('kh_bastion', [bastion.knownHostsLine()]);
    trust('kh_prod', [`prod-target ${target.hostKeyLine}`]);
    const { code, stderr } = await snapshot('behind-alias');
    expect(code, stderr).toBe(0);
    trust('kh_prod', [target.knownHostsLine()]);
    const r = await snapshot('behind-alias');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/authenticity of host prod-target can't be established/);
  });

  it('StrictHostKeyChecking yes refuses an unknown bastion without asking', async () => {
    trust('kh_bastion', []);
    trust('kh_prod', [target.knownHostsLine()]);
    const { code, stderr } = await snapshot('behind-jump');
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`\\[127\\.0\\.0\\.1\\]:${bastion.port} can't be established.*StrictHostKeyChecking is yes`, 's'));
    expect(readFileSync(kh('kh_bastion'), 'utf8')).toBe('');
  });

  it('says when a ProxyCommand fails, with what it printed', async () => {
    const { code, stderr } = await snapshot('broken-cmd');
    expect(code).toBe(1);
    expect(stderr).toMatch(/The ProxyCommand of broken-cmd exited with status 7 before the SSH connection was made: cannot reach 127\.0\.0\.1 port 22/);
  });

  it('resolve shows the route ssh -G gives, and the built-in reader (no ssh on PATH) misses the Included host', async () => {
    const r = await runCli(['resolve', 'behind-alias', '-F', config]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(
      `behind-alias → 127.0.0.1:${target.port} as root via bastion (root@127.0.0.1:${bastion.port}), key ${key.privatePath}, known hosts ${kh('kh_prod')} (as prod-target) (resolved by ssh -G)`,
    );
    const g = execFileSync('ssh', ['-G', '-F', config, 'behind-alias'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(g).toContain(`port ${target.port}\n`);
    const builtin = await runCli(['resolve', 'behind-alias', '-F', config, '--json'], { PATH: '/nonexistent' });
    expect(builtin.code, builtin.stderr).toBe(0);
    expect(JSON.parse(builtin.stdout)).toMatchObject({ resolvedBy: 'built-in', host: 'behind-alias', port: 22 });
  });
});
