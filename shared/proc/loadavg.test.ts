import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures';
import { parseLoadavg } from './loadavg';

describe('parseLoadavg', () => {
  it('reads a real loadavg', () => {
    const load = parseLoadavg(fixture('loadavg.txt'));
    expect(load).not.toBeNull();
    expect(load!.tasks).toBeGreaterThan(0);
    expect(load!.running).toBeLessThanOrEqual(load!.tasks);
  });
  it.each([
    ['0.52 0.58 0.59 3/1234 56789\n', { one: 0.52, five: 0.58, fifteen: 0.59, running: 3, tasks: 1234 }],
    ['12.00 8.5 7 1/99', { one: 12, five: 8.5, fifteen: 7, running: 1, tasks: 99 }],
    ['', null],
    ['0.52 0.58 3/1234 56789', null],
    ['a b c 1/2 3', null],
  ])('%j', (text, load) => expect(parseLoadavg(text)).toEqual(load));
});
