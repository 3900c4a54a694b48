import { describe, expect, it } from 'vitest';
import { parseCgroup } from './cgroup';
import { fixture } from './fixtures';

describe('parseCgroup', () => {
  it('reads a hybrid v1 + v2 file, name=systemd included', () => {
    const entries = parseCgroup(fixture('cgroup-v1-hybrid.txt'));
    expect(entries.length).toBeGreaterThan(5);
    expect(entries).toContainEqual({ hierarchy: 9, controllers: ['name=systemd'], path: '/' });
    expect(entries).toContainEqual({ hierarchy: 0, controllers: [], path: '/' });
    expect(entries.find((e) => e.controllers.includes('memory'))?.path).toMatch(/^\//);
  });

  it.each([
    ['v2 only', '0::/system.slice/docker-abc.scope\n', [{ hierarchy: 0, controllers: [], path: '/system.slice/docker-abc.scope' }]],
    ['several controllers', '4:cpu,cpuacct:/docker/x\n', [{ hierarchy: 4, controllers: ['cpu', 'cpuacct'], path: '/docker/x' }]],
    ['colons in the path', '0::/a:b:c\n', [{ hierarchy: 0, controllers: [], path: '/a:b:c' }]],
    ['newline in the path', '0::/we\nird\n', [{ hierarchy: 0, controllers: [], path: '/we\nird' }]],
    ['empty file', '', []],
  ])('%s', (_name, text, expected) => {
    expect(parseCgroup(text)).toEqual(expected);
  });
});
