import { describe, expect, it } from 'vitest';
import { pruneToSchema } from './prune';

const schema = { properties: { keep: { type: 'number' }, nested: { properties: { a: { type: 'number' } } }, map: { additionalProperties: { type: 'number' } }, list: { items: { properties: { x: { type: 'number' } } } } } };

describe('pruneToSchema', () => {
  it('drops what the schema does not describe, in place, and keeps maps and lists', () => {
    const value = JSON.parse('{"keep":1,"drop":{"deep":[1,2]},"nested":{"a":1,"b":2},"map":{"net":5,"pid":6},"list":[{"x":1,"y":2}]}');
    const out = pruneToSchema(schema, value);
    expect(out).toBe(value);
    expect(out).toEqual({ keep: 1, nested: { a: 1 }, map: { net: 5, pid: 6 }, list: [{ x: 1 }] });
  });

  it('treats a "__proto__" key as data: no object gains a prototype from a file', () => {
    const value = JSON.parse('{"map":{"__proto__":{"polluted":1}},"__proto__":{"polluted":2}}') as Record<string, Record<string, unknown>>;
    pruneToSchema(schema, value);
    expect(Object.getPrototypeOf(value.map)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
