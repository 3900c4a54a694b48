import { describe, expect, it } from 'vitest';
import { fakeSnapshot } from '../../renderer/test/fake-snapshot';
import { jsonChunks } from './json';

describe('jsonChunks', () => {
  const proc = (pid: number) => ({ pid, ppid: 1, name: `p\n${pid}`, state: 'S', uid: 0, euid: 0, gid: 0, user: 'root', threads: 1, tids: [pid], cmdline: ['a b', ''], exe: null, cwd: '/', nspid: [pid], namespaces: { net: 1 }, cgroups: [{ hierarchy: 0, controllers: [], path: '/' }], children: [], rssKb: null, fds: [{ fd: 0, target: '/dev/null' }], containerId: null });
  const snapshot = fakeSnapshot([proc(1), proc(2), proc(3)]);
  it.each<[string, object]>([
    ['a snapshot', snapshot],
    ['empty arrays and objects, and undefined fields', { a: [], b: {}, c: undefined, d: [1, undefined, 'x'], e: null }],
    ['an empty object', {}],
    ['strings that need escaping', { 'k\n"': ['\u0000\udcff\n', { x: '\t' }] }],
  ])('joins to exactly what JSON.stringify gives: %s', (_name, value) => {
    for (const indent of [0, 2] as const) {
      expect([...jsonChunks(value, indent, 2)].join('')).toBe(JSON.stringify(value, null, indent || undefined));
    }
  });

  it('gives a long array in many pieces', () => {
    expect([...jsonChunks({ processes: Array.from({ length: 1000 }, (_, pid) => ({ pid })) }, 0, 100)].length).toBeGreaterThan(10);
  });
});
