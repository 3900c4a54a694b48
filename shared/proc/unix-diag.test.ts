import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures';
import { parseUnixDiag } from './unix-diag';

describe('parseUnixDiag', () => {
  it('reads the netlink reader\'s real answer: a path listener, an abstract name holding a newline and a byte that is not UTF-8, a connected pair, a datagram socket', () => {
    expect(parseUnixDiag(fixture('unix-diag.txt'))).toEqual({
      netns: 4026531833,
      rows: [
        { inode: 9706366, type: 'stream', state: 'LISTEN', peer: 0, name: '/tmp/ud/listen.sock' },
        { inode: 9706369, type: 'stream', state: 'ESTAB', peer: 9706368, name: '' },
        { inode: 9706370, type: 'dgram', state: 'UNCONN', peer: 0, name: '' },
        { inode: 9706368, type: 'stream', state: 'ESTAB', peer: 9706369, name: '' },
        { inode: 9706367, type: 'stream', state: 'LISTEN', peer: 0, name: '@odd\nname\udcff' },
      ],
    });
  });

  it.each([
    ['nothing', ''],
    ['cut short: no "end"', 'netns 1\n5 1 10 0 -\n'],
    ['no namespace line', '5 1 10 0 -\nend\n'],
    ['a row that is not the reader\'s', 'netns 1\n5 1 10 0 /run/x\nend\n'],
    ['an error instead', 'netns 1\nTraceback (most recent call last):\nend\n'],
  ])('gives nothing for %s', (_what, text) => {
    expect(parseUnixDiag(text)).toBeNull();
  });

  it.each([
    ['a seqpacket socket in an unknown state', 'netns 7\n9 5 3 0 -\nend\n', { inode: 9, type: 'seqpacket', state: 'UNKNOWN-3', peer: 0, name: '' }],
    ['an abstract name with a NUL inside', 'netns 7\n9 2 7 0 00610062\nend\n', { inode: 9, type: 'dgram', state: 'UNCONN', peer: 0, name: '@a@b' }],
  ])('%s', (_what, text, row) => {
    expect(parseUnixDiag(text)?.rows).toEqual([row]);
  });
});
