import { describe, expect, it } from 'vitest';
import { netnsLabel, netnsNames } from './netns-name';

describe('netnsNames', () => {
  it.each([
    [['/run/netns/blue'], ['blue']],
    [['/var/run/netns/blue'], ['blue']],
    [['/run/netns/blue', '/run/docker/netns/1f2e3d'], ['blue']],
    [['/run/docker/netns/1f2e3d'], []],
    [['/run/netns/a/b'], []],
    [undefined, []],
  ])('%j', (paths, names) => {
    expect(netnsNames(paths)).toEqual(names);
  });
  it('labels a named namespace with its name, another with its inode', () => {
    expect(netnsLabel(4026532291, ['/run/netns/blue'])).toBe('4026532291 (blue)');
    expect(netnsLabel(4026532291, [])).toBe('4026532291');
  });
});
