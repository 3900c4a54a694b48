import { describe, expect, it } from 'vitest';
import { formatSshTarget, parseTarget } from './target';

describe('parseTarget', () => {
  it.each([
    [undefined, { kind: 'local' }],
    ['local', { kind: 'local' }],
    ['node1', { kind: 'ssh', host: 'node1' }],
    ['root@node1', { kind: 'ssh', host: 'node1', user: 'root' }],
    ['root@10.0.0.1:2222', { kind: 'ssh', host: '10.0.0.1', user: 'root', port: 2222 }],
    ['[::1]:22', { kind: 'ssh', host: '::1', port: 22 }],
    ['admin@[fe80::1]', { kind: 'ssh', host: 'fe80::1', user: 'admin' }],
    ['a@b@host', { kind: 'ssh', host: 'host', user: 'a@b' }],
  ])('%s', (text, target) => expect(parseTarget(text)).toEqual(target));

  it.each([['root@'], ['-oProxyCommand=x'], ['host:0'], ['host:99999'], ['a b'], ['@host']])('rejects %j', (text) => {
    expect(() => parseTarget(text)).toThrow();
  });

  it('formats user@host:port with IPv6 in brackets', () => {
    expect(formatSshTarget('root', '::1', 22)).toBe('root@[::1]:22');
    expect(formatSshTarget('root', 'node', 2222)).toBe('root@node:2222');
  });
});
