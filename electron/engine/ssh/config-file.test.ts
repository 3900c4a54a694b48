import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listConfigHosts, listConfigHostsIn, resolveHost } from './config-file';

const config = `
Host web
  HostName 10.1.2.3
  User deploy
  Port 2200
  IdentityFile /keys/web
  ProxyJump bastion

Host bastion
  HostName bastion.example.com
  User jump

Host *.internal
  User ops

Host *
  Port 22
`;

describe('resolveHost', () => {
  it('takes HostName, User, Port, IdentityFile and ProxyJump from the config', () => {
    const h = resolveHost('web', {}, config);
    expect(h).toMatchObject({ alias: 'web', host: '10.1.2.3', user: 'deploy', port: 2200, identityFiles: ['/keys/web'] });
    expect(h.jumps).toHaveLength(1);
    expect(h.jumps[0]).toMatchObject({ host: 'bastion.example.com', user: 'jump', port: 22 });
  });

  it('lets the command line win over the config, as OpenSSH does', () => {
    const h = resolveHost('web', { user: 'root', port: 2222, identityFiles: ['/k'], jump: 'none' }, config);
    expect(h).toMatchObject({ user: 'root', port: 2222, identityFiles: ['/k', '/keys/web'], jumps: [] });
  });

  it('uses the user and port written in the destination', () => {
    expect(resolveHost('me@db.internal:2022', {}, config)).toMatchObject({ host: 'db.internal', user: 'me', port: 2022 });
    expect(resolveHost('db.internal', {}, config)).toMatchObject({ user: 'ops', port: 22 });
  });

  it('offers -i keys to jump hosts after their own', () => {
    const h = resolveHost('target', { jump: 'a@j1:2201,j2', identityFiles: ['/k'] }, '');
    expect(h.jumps.map((j) => [j.user, j.host, j.port, j.identityFiles])).toEqual([
      ['a', 'j1', 2201, ['/k']],
      [expect.any(String), 'j2', 22, ['/k']],
    ]);
  });

  it('stops a ProxyJump loop', () => {
    expect(() => resolveHost('a', {}, 'Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n')).toThrow(/loop/);
  });

  it('lists the aliases a user can import, without patterns', () => {
    expect(listConfigHosts(config)).toEqual(['web', 'bastion']);
  });
});

describe('listConfigHostsIn', () => {
  it('follows Include: absolute, ~/.ssh-relative, globbed and nested, each file once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procscope-include-'));
    const sshDir = join(dir, 'home', '.ssh');
    const relative = `procscope-test-${process.pid}.conf`;
    mkdirSync(join(dir, 'conf.d'));
    mkdirSync(sshDir, { recursive: true });
    try {
      writeFileSync(join(dir, 'config'), `Include ${dir}/conf.d/*.conf ${relative}\nHost top\nHost *.glob\n  Include ${dir}/not-for-every-host\n`);
      writeFileSync(join(dir, 'not-for-every-host'), 'Host only-for-glob\n');
      writeFileSync(join(dir, 'conf.d', 'b.conf'), 'Host from-b\n');
      writeFileSync(join(dir, 'conf.d', 'a.conf'), `Include ${dir}/nested\nHost from-a\n`);
      writeFileSync(join(dir, 'conf.d', 'skip.txt'), 'Host not-a-conf\n');
      writeFileSync(join(dir, 'nested'), `Include ${dir}/config\nHost from-nested\n`);
      writeFileSync(join(sshDir, relative), 'Host from-home-relative\n');
      expect(listConfigHostsIn(join(dir, 'config'), join(dir, 'home'))).toEqual(['top', 'from-a', 'from-nested', 'from-b', 'from-home-relative']);
      expect(listConfigHosts(readFileSync(join(dir, 'config'), 'utf8'))).toEqual(['top']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
