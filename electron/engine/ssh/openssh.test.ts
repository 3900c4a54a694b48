/** OpenSSH's own resolution, asked of the real ssh client: Include, Match, -o and -F behave as in ssh. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProcscopeFailure } from '../../../shared/errors';
import { resolveWithOpenSsh } from './openssh';

const noSsh = spawnSync('ssh', ['-V']).status !== 0 ? 'no OpenSSH client (ssh) here' : null;
if (noSsh) console.warn(`SKIP ssh -G resolution: ${noSsh}`);

describe.skipIf(noSsh !== null)('resolveWithOpenSsh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'procscope-ssh-g-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'config');
  writeFileSync(join(dir, 'included'), 'Host web-*\n  User deploy\n  IdentityFile ~/.ssh/id_web\n  IdentitiesOnly yes\n');
  writeFileSync(
    config,
    [`Include ${join(dir, 'included')}`, 'Match host web-3', '  Port 2201', 'Host web-1', '  HostName 10.0.3.7', '  ProxyJump bastion', `  UserKnownHostsFile ${join(dir, 'known_hosts.prod')}`, '  StrictHostKeyChecking yes', '  HostKeyAlias web-one', 'Host web-2', '  ProxyCommand ssh -W %h:%p bastion', ''].join('\n'),
  );

  it('takes the Included file and the Host block as ssh does', async () => {
    const host = await resolveWithOpenSsh('web-1', { configPath: config, home: '/home/me' });
    expect(host).toMatchObject({ hostname: '10.0.3.7', port: 22, user: 'deploy', identityFiles: ['/home/me/.ssh/id_web'], identitiesOnly: true, proxyJump: 'bastion', userKnownHostsFiles: [join(dir, 'known_hosts.prod')], strictHostKeyChecking: 'yes', hostKeyAlias: 'web-one' });
  });

  it('takes a Match host block, a ProxyCommand, and -o over them', async () => {
    expect((await resolveWithOpenSsh('web-3', { configPath: config }))?.port).toBe(2201);
    expect((await resolveWithOpenSsh('web-3', { configPath: config, sshOptions: ['Port=2300'] }))?.port).toBe(2300);
    expect((await resolveWithOpenSsh('web-2', { configPath: config }))?.proxyCommand).toBe('ssh -W %h:%p bastion');
    expect(await resolveWithOpenSsh('other', { configPath: config, port: 2022, user: 'root' })).toMatchObject({ hostname: 'other', port: 2022, user: 'root' });
  });

  it('says what is wrong with a config ssh refuses, and refuses what is not a destination or an option', async () => {
    writeFileSync(join(dir, 'bad'), 'Host x\n  NoSuchKeyword yes\n');
    await expect(resolveWithOpenSsh('x', { configPath: join(dir, 'bad') })).rejects.toThrow(/ssh -G x failed: .*(Bad configuration option|nosuchkeyword)/i);
    await expect(resolveWithOpenSsh('-oProxyCommand=touch /tmp/x')).rejects.toThrow(/Not an SSH destination/);
    await expect(resolveWithOpenSsh('x', { sshOptions: ['-F/etc/passwd'] })).rejects.toThrow(/Not an ssh option/);
  });

  it('answers null where there is no ssh client, for the built-in reader to be used', async () => {
    expect(await resolveWithOpenSsh('web-1', { sshBinary: join(dir, 'no-such-ssh') })).toBeNull();
  });

  it('says an ssh -G that does not answer in time timed out, not that the config is wrong', async () => {
    const slow = join(dir, 'slow-ssh');
    writeFileSync(slow, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const err = await resolveWithOpenSsh('web-1', { sshBinary: slow, timeoutMs: 300 }).then(
      () => null,
      (e: ProcscopeFailure) => e.error,
    );
    expect(err).toMatchObject({ kind: 'connection', message: 'ssh -G web-1 did not answer within 300 ms; it was stopped.' });
    expect(err?.hint).toMatch(/overloaded/);
  });
});
