import { describe, expect, it } from 'vitest';
import { VERBS } from './verbs';

describe('each verb of the command line', () => {
  it.each(VERBS.map((v) => [v.name, v] as const))('%s: says every option it takes in its own usage, and no short letter twice', (name, verb) => {
    expect(verb.usage.startsWith(`Usage: procscope ${name} `)).toBe(true);
    const said = (o: string, short: string | undefined) => verb.usage.includes(`--${o}`) || (short !== undefined && new RegExp(`(^|[\\s\\[])-${short}\\b`).test(verb.usage));
    const missing = Object.entries(verb.options).filter(([o, d]) => o !== 'help' && !said(o, d.short)).map(([o]) => o);
    expect(missing).toEqual([]);
    const shorts = Object.values(verb.options).flatMap((o) => (o.short ? [o.short] : []));
    expect(new Set(shorts).size).toBe(shorts.length);
  });

  it('has a name of its own', () => {
    const names = VERBS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
