import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures';
import { parseStatus, unescapeStatusName } from './status';

describe('parseStatus', () => {
  it.each([
    ['status-sleep.txt', { name: 'sleep', state: 'S' }, true],
    ['status-kthread.txt', { state: expect.stringMatching(/^[SIRD]$/), ppid: 2 }, false],
    ['status-zombie.txt', { name: 'sleep', state: 'Z' }, false],
    ['status-renamed.txt', { name: 'a\nb) c:d\\e', state: 'S' }, true],
  ])('%s', (file, expected, hasRss) => {
    const s = parseStatus(fixture(file));
    expect(s).toMatchObject(expected);
    expect(s.uids).toHaveLength(4);
    expect(s.gids).toHaveLength(4);
    expect(s.nspid).toEqual([s.pid]);
    expect(s.vmRssKb !== null).toBe(hasRss);
  });

  it('reports a missing NSpid (kernels before 4.1) as null', () => {
    const s = parseStatus('Name:\tbash\nState:\tS (sleeping)\nPid:\t5\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nThreads:\t1\n');
    expect(s.nspid).toBeNull();
    expect(s.pid).toBe(5);
  });

  it('reads nested NSpid outermost first', () => {
    const s = parseStatus('Name:\tsh\nPid:\t900\nNSpid:\t900\t12\t1\n');
    expect(s.nspid).toEqual([900, 12, 1]);
  });

  it.each([
    ['plain', 'plain'],
    ['a\\nb', 'a\nb'],
    ['back\\\\slash', 'back\\slash'],
    ['\\\\n', '\\n'],
  ])('unescapes Name %j', (raw, name) => {
    expect(unescapeStatusName(raw)).toBe(name);
  });

  it('rejects text without Name and Pid', () => {
    expect(() => parseStatus('garbage\n')).toThrow();
  });
});
