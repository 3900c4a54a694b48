import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandPathTokens, expandProxyTokens, parseSshG } from './ssh-g';

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
      hashKnownHosts: false,
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
    ['HashKnownHosts', 'hostname h\nhashknownhosts yes\n', { hashKnownHosts: true }],
    ['"none" for unset', 'hostname h\nproxyjump none\nproxycommand none\nhostkeyalias none\n', { proxyJump: null, proxyCommand: null, hostKeyAlias: null }],
    ['several identity files, in order', 'hostname h\nidentityfile ~/a\nidentityfile /b\n', { identityFiles: ['/home/me/a', '/b'] }],
    ['no hostname', 'port 22\n', /no hostname/],
    ['a bad port', 'hostname h\nport 70000\n', /bad port/],
  ])('%s', (_name, text, want) => {
    if (want instanceof RegExp) expect(() => parseSshG(text, '/home/me')).toThrow(want);
    else expect(parseSshG(text, '/home/me')).toMatchObject(want);
  });

  const values = { host: 'h.example', port: 1, user: 'u', alias: 'a', localHome: '/home/me', localUser: 'me', localUid: 1000, localHostname: 'laptop.lan' };
  it.each<[string, string, string | RegExp]>([
    ['every ProxyCommand token', 'x %% %h:%p %r %n', 'x % h.example:1 u a'],
    ['a token OpenSSH would not expand there', 'nc %d %h', /token %d is not supported/],
    ['an unknown token, which ssh refuses too', 'nc %z', /token %z/],
  ])('expandProxyTokens: %s', (_name, command, expected) => {
    if (expected instanceof RegExp) expect(() => expandProxyTokens(command, values)).toThrow(expected);
    else expect(expandProxyTokens(command, values)).toBe(expected);
  });

  it.each(['h;reboot', 'h$(id)', "h'x", 'h x', '-oProxyCommand=x', 'h`id`', 'h|x'])('expandProxyTokens refuses the host %j, which could leave the command', (host) => {
    expect(() => expandProxyTokens('ssh -W %h:%p bastion', { ...values, host })).toThrow(/refusing/);
    expect(expandProxyTokens('ssh -W 10.0.0.1:%p bastion', { ...values, host })).toBe('ssh -W 10.0.0.1:1 bastion');
  });

  it('expandPathTokens: %d %u %i %l %L %h %r %p %n', () => {
    expect(expandPathTokens('%d/.ssh/kh-%u-%i-%l-%L-%h-%r-%p-%n', values)).toBe('/home/me/.ssh/kh-me-1000-laptop.lan-laptop-h.example-u-1-a');
    expect(() => expandPathTokens('%d/%C', values)).toThrow(/%C/);
  });
});
