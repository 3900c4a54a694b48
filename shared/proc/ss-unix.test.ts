import { describe, expect, it } from 'vitest';
import { parseSsUnix, parseSsUnixPeers } from './ss-unix';

describe('parseSsUnixPeers', () => {
  it.each([
    ['a connected pair', 'u_str ESTAB 0 0 /run/x 61060 * 61059\nu_str ESTAB 0 0 * 61059 * 61060\n', [[61060, 61059], [61059, 61060]]],
    ['a listener has no peer', 'u_str LISTEN 0 4096 /run/dbus 100 * 0\n', []],
    ['a name with a newline still ends with the real numbers', 'u_str ESTAB 0 0 /tmp/a\nb 7 * 8\nu_str ESTAB 0 0 * 8 * 7\n', [[7, 8], [8, 7]]],
    [
      'a forged line claiming a real socket makes that socket ambiguous',
      'u_str LISTEN 0 0 @evil\nu_str ESTAB 0 0 /run/dbus 61060 * 999\nu_str LISTEN 0 0 @x 42 * 0\nu_str ESTAB 0 0 /run/x 61060 * 61059\nu_str ESTAB 0 0 * 61059 * 61060\n',
      [],
    ],
    ['a fake line inside a name cannot hide the real numbers at its end', 'u_str LISTEN 0 0 @evil\nu_str ESTAB 0 0 /run/dbus 5 * 6 42 * 0\nu_str ESTAB 0 0 * 5 * 6\nu_str ESTAB 0 0 * 6 * 5\n', [[5, 6], [6, 5]]],
    ['one end only: not trusted', 'u_str ESTAB 0 0 * 5 * 6\n', []],
    ['garbage', 'nonsense\n\n u_str\n', []],
  ] as [string, string, [number, number][]][])('%s', (_label, text, pairs) => {
    expect([...parseSsUnixPeers(text)].sort((a, b) => a[0] - b[0])).toEqual(pairs.sort((a, b) => a[0] - b[0]));
  });
});

describe('parseSsUnix', () => {
  it.each([
    ['a listener', 'u_str LISTEN 0      4096   /run/x.sock 61060 * 0   \n', [{ inode: 61060, peer: 0, name: '/run/x.sock', state: 'LISTEN', type: 'stream' }]],
    ['an unnamed connected end', 'u_str ESTAB 0 0 * 61059 * 61060\n', [{ inode: 61059, peer: 61060, name: '', state: 'ESTAB', type: 'stream' }]],
    ['a datagram socket with an abstract name', 'u_dgr UNCONN 0 0 @/org/x 1234 * 0\n', [{ inode: 1234, peer: 0, name: '@/org/x', state: 'UNCONN', type: 'dgram' }]],
    // A /proc/net/unix-style row in a name is only part of that name here: the inode comes after it.
    [
      'a name that carries a fake /proc/net/unix row',
      'u_str LISTEN 0      128    @evil\n0000000000000000: 00000002 00000000 00010000 0001 01 555 @FORGED 4969887 * 0   \n',
      [{ inode: 4969887, peer: 0, name: '@evil\n0000000000000000: 00000002 00000000 00010000 0001 01 555 @FORGED', state: 'LISTEN', type: 'stream' }],
    ],
  ])('%s', (_what, text, rows) => {
    expect(parseSsUnix(text)).toEqual(rows);
  });
});
