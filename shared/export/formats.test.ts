import { describe, expect, it } from 'vitest';
import { csvCell, splitEndpoint } from './formats';

describe('csvCell', () => {
  it.each<[string, string | number | null | string[], string]>([
    ['a plain word', 'nginx', 'nginx'],
    ['a number', 42, '42'],
    ['nothing', null, ''],
    ['a comma', 'a,b', '"a,b"'],
    ['quotes doubled', 'say "hi"', '"say ""hi"""'],
    ['a line break kept inside quotes', 'od\nd', '"od\nd"'],
    ['a formula made text', '=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['a login shell', '-bash', "'-bash"],
    ['@ and +', '@SUM(1)', "'@SUM(1)"],
    ['a list joined', ['a', 'b'], 'a b'],
  ])('%s', (_name, value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });
});

describe('splitEndpoint', () => {
  it.each<[string, { address: string; port: number }]>([
    ['127.0.0.1:80', { address: '127.0.0.1', port: 80 }],
    ['[::1]:22', { address: '::1', port: 22 }],
    ['[::]:443', { address: '::', port: 443 }],
    ['*:53', { address: '0.0.0.0', port: 53 }],
    ['0.0.0.0:*', { address: '0.0.0.0', port: 0 }],
    ['/run/x.sock', { address: '/run/x.sock', port: 0 }],
    ['@abstract:name', { address: '@abstract:name', port: 0 }],
  ])('%s', (endpoint, expected) => {
    expect(splitEndpoint(endpoint)).toEqual(expected);
  });
});
