import { describe, expect, it } from 'vitest';
import { LinkPairReader } from '../collect/frame';
import { FdTables, collectFdsOf } from './fd-tables';

/** The tables built as the pairs stream in (a piece per pair), and those of the final map. */
function both(pairs: [string, string][]) {
  const fds = new FdTables();
  const reader = new LinkPairReader((path, target, again) => fds.add(path, target, again));
  for (const [path, target] of pairs) reader.push(Buffer.from(`${path}\0${target}\0`, 'latin1'));
  return { streamed: fds.tables(reader.links), whole: collectFdsOf(reader.links) };
}

describe('FdTables', () => {
  it.each<[string, [string, string][], Record<number, [number, string][]>]>([
    ['fds by number, sockets with their inode', [['/proc/7/fd/3', 'socket:[99]'], ['/proc/7/fd/0', '/dev/null'], ['/proc/8/fd/1', 'pipe:[5]']], { 7: [[0, '/dev/null'], [3, 'socket:[99]']], 8: [[1, 'pipe:[5]']] }],
    ['exe, cwd and links it could not read are no fds', [['/proc/7/exe', '/bin/x'], ['/proc/7/cwd', '/'], ['/proc/7/fd/4', ''], ['/proc/7/fd/x', 'y']], {}],
    ['a path read again takes its last target', [['/proc/7/fd/3', 'socket:[1]'], ['/proc/7/fd/4', '/a'], ['/proc/7/fd/3', 'socket:[2]']], { 7: [[3, 'socket:[2]'], [4, '/a']] }],
    ['a path read again that could not be read the second time is gone', [['/proc/7/fd/3', '/a'], ['/proc/7/fd/3', '']], {}],
  ])('%s, streamed or whole', (_what, pairs, want) => {
    const { streamed, whole } = both(pairs);
    expect(streamed).toEqual(whole);
    expect(Object.fromEntries([...streamed].map(([pid, list]) => [pid, list.map((f) => [f.fd, f.target])]))).toEqual(want);
    expect(streamed.get(7)?.find((f) => f.target.startsWith('socket:'))?.socketInode).toBe(want[7]?.find(([, t]) => t.startsWith('socket:')) ? Number(/\d+/.exec(want[7].find(([, t]) => t.startsWith('socket:'))![1])![0]) : undefined);
  });
});
