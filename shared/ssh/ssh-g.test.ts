import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandProxyTokens, parseSshG } from './ssh-g';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('parseSshG', () => {
  it('reads the options procscope uses from real ssh -G output (Include, ProxyJump, known-hosts files, HostKeyAlias)', () => {
    expect(parseSshG(fixture('ssh-g-web-1.txt'), '/home/me')).toEqual({
      hostname: '10.0.3.7',
      port: 22,
      user: 'deploy',
      identityFiles: ['/home/me/.ssh/id_web'],
      identitiesOnly: true,
      proxyJump: 'bastion',
      proxyCommand: null,
      // "/etc/ssh/other hosts" was one quoted path: ssh -G prints it unquoted, and it reads as two
      userKnownHostsFiles: ['/root/.ssh/known_hosts.d/prod', '/etc/ssh/other', 'hosts'],
      globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      strictHostKeyChecking: 'yes',
      hostKeyAlias: 'web-one',
      connectTimeoutSec: 7,
      serverAliveIntervalSec: 15,
      serverAliveCountMax: 3,
      compression: false,
    });
  });

  it('keeps a ProxyCommand as configured, for its tokens to be expanded when it runs', () => {
    const host = parseSshG(fixture('ssh-g-web-2.txt'), '/home/me');
    expect(host.proxyCommand).toBe('nc -X connect -x proxy:3128 %h %p');
    expect(host.proxyJump).toBeNull();
    expect(host.strictHostKeyChecking).toBe('ask');
    expect(expandProxyTokens(host.proxyCommand!, { host: host.hostname, port: host.port, user: host.user, alias: 'web-2' })).toBe('nc -X connect -x proxy:3128 web-2 22');
  });

  it.each<[string, string, Partial<ReturnType<typeof parseSshG>> | RegExp]>([
    ['the fewest lines', 'hostname h\nport 2222\nuser u\n', { hostname: 'h', port: 2222, user: 'u', identityFiles: [], strictHostKeyChecking: 'ask', connectTimeoutSec: null }],
    ['accept-new and no', 'hostname h\nstricthostkeychecking accept-new\n', { strictHostKeyChecking: 'accept-new' }],
    ['false is no', 'hostname h\nstricthostkeychecking false\ncompression yes\n', { strictHostKeyChecking: 'no', compression: true }],
    ['"none" for unset', 'hostname h\nproxyjump none\nproxycommand none\nhostkeyalias none\n', { proxyJump: null, proxyCommand: null, hostKeyAlias: null }],
    ['several identity files, in order', 'hostname h\nidentityfile ~/a\nidentityfile /b\n', { identityFiles: ['/home/me/a', '/b'] }],
    ['no hostname', 'port 22\n', /no hostname/],
    ['a bad port', 'hostname h\nport 70000\n', /bad port/],
  ])('%s', (_name, text, want) => {
    if (want instanceof RegExp) expect(() => parseSshG(text, '/home/me')).toThrow(want);
    else expect(parseSshG(text, '/home/me')).toMatchObject(want);
  });

  it('expands %% and leaves other percent signs', () => {
    expect(expandProxyTokens('x %% %h:%p %r %n %z', { host: 'h', port: 1, user: 'u', alias: 'a' })).toBe('x % h:1 u a %z');
  });
});
