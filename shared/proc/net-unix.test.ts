import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures';
import { parseNetUnix } from './net-unix';

describe('parseNetUnix', () => {
  const rows = parseNetUnix(fixture('net-unix.txt'));

  it.each([
    ['a listening stream socket with a path', '/tmp/procscope-fixture.sock', 'stream', 'LISTEN'],
    ['an abstract datagram socket', '@procscope-abstract', 'dgram', 'UNCONN'],
    ['a seqpacket socket whose path holds a space and a newline', '/tmp/procscope fixture\nnewline.sock', 'seqpacket', 'LISTEN'],
  ])('%s', (_name, path, type, state) => {
    expect(rows.find((r) => r.path === path)).toMatchObject({ type, state });
  });

  it('reads unnamed connected sockets (socketpair) with an empty path', () => {
    const unnamed = rows.filter((r) => r.path === '' && r.state === 'ESTAB');
    expect(unnamed.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) expect(r.inode).toBeGreaterThan(0);
  });
});
