import { describe, expect, it } from 'vitest';
import { listConfigHosts, resolveHost } from './config-file';

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
