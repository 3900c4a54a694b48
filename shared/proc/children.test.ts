import { describe, expect, it } from 'vitest';
import { parseChildren } from './children';
import { fixture } from './fixtures';

describe('parseChildren', () => {
  it('reads a real children file', () => {
    const pids = parseChildren(fixture('children-init.txt'));
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) expect(Number.isInteger(pid) && pid > 0).toBe(true);
  });
  it.each([
    ['12 34 ', [12, 34]],
    ['', []],
    ['5\n', [5]],
  ])('%j', (text, pids) => expect(parseChildren(text)).toEqual(pids));
});
