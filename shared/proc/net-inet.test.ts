import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures';
import { decodeInetAddress, endpointKey, parseNetInet } from './net-inet';

describe('parseNetInet', () => {
  it('reads tcp: a listener on 127.0.0.1 and both ends of its connection', () => {
    const rows = parseNetInet(fixture('net-tcp.txt'));
    const listener = rows.find((r) => r.state === 'LISTEN' && r.localAddress === '127.0.0.1');
    expect(listener).toBeDefined();
    expect(listener!.remote).toBe('0.0.0.0:*');
    const ends = rows.filter((r) => r.state === 'ESTAB' && (r.localPort === listener!.localPort || r.remotePort === listener!.localPort));
    expect(ends).toHaveLength(2);
    for (const r of rows) expect(r.inode).toBeGreaterThanOrEqual(0);
  });

  it('reads tcp6 with [::1], [::] and IPv4-mapped addresses', () => {
    const rows = parseNetInet(fixture('net-tcp6.txt'));
    expect(rows.some((r) => r.local.startsWith('[::1]:') && r.state === 'LISTEN')).toBe(true);
    expect(rows.some((r) => r.local.startsWith('[::]:') && r.state === 'LISTEN')).toBe(true);
    expect(rows.some((r) => r.localAddress === '::ffff:127.0.0.1' && r.state === 'ESTAB')).toBe(true);
  });

  it('reads udp and udp6: unconnected and connected', () => {
    const v4 = parseNetInet(fixture('net-udp.txt'));
    expect(v4.some((r) => r.localAddress === '127.0.0.1' && r.state === 'UNCONN')).toBe(true);
    const v6 = parseNetInet(fixture('net-udp6.txt'));
    expect(v6.some((r) => r.localAddress === '::1' && r.state === 'ESTAB')).toBe(true);
  });

  it.each([
    ['0100007F:0016', '127.0.0.1', 22],
    ['00000000:0000', '0.0.0.0', 0],
    ['00000000000000000000000001000000:0050', '::1', 80],
    ['0000000000000000FFFF00000100007F:1F90', '::ffff:127.0.0.1', 8080],
    ['B80D0120000000000000000001000000:01BB', '2001:db8::1', 443],
    ['000080FE00000000FF005452120034FE:0000', 'fe80::5254:ff:fe34:12', 0],
  ])('decodes %s', (field, address, port) => {
    expect(decodeInetAddress(field)).toMatchObject({ address, port });
  });

  it('skips lines that are not rows and rejects bad addresses', () => {
    expect(parseNetInet('  sl  local_address\n\ngarbage\n')).toEqual([]);
    expect(() => decodeInetAddress('XYZ:0016')).toThrow();
  });
});

describe('endpointKey', () => {
  it.each([
    ['[::ffff:127.0.0.1]:8080', '127.0.0.1:8080'],
    ['[::FFFF:10.1.2.3]:1', '10.1.2.3:1'],
    ['127.0.0.1:8080', '127.0.0.1:8080'],
    ['[::1]:22', '[::1]:22'],
    ['[::ffff:1:2]:3', '[::ffff:1:2]:3'],
  ])('%s is %s', (endpoint, key) => expect(endpointKey(endpoint)).toBe(key));
});
