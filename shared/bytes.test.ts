import { describe, expect, it } from 'vitest';
import { decodeBytes, encodeBytes, hasEscapedBytes } from './bytes';

describe('decodeBytes / encodeBytes', () => {
  it.each([
    ['ASCII', [0x61, 0x0a, 0x29, 0x3a], 'a\n):', false],
    ['valid UTF-8', [...Buffer.from('ünï ✓ 😀')], 'ünï ✓ 😀', false],
    ['a lone high byte', [0x61, 0xff, 0x62], 'a\udcffb', true],
    ['a truncated sequence', [0xe2, 0x9c], '\udce2\udc9c', true],
    ['an overlong encoding', [0xc0, 0xaf], '\udcc0\udcaf', true],
    ['an encoded surrogate', [0xed, 0xa0, 0x80], '\udced\udca0\udc80', true],
    ['empty', [], '', false],
  ])('%s round-trips byte for byte', (_name, bytes, text, escaped) => {
    const buf = Uint8Array.from(bytes);
    expect(decodeBytes(buf)).toBe(text);
    expect(hasEscapedBytes(text)).toBe(escaped);
    expect([...encodeBytes(decodeBytes(buf))]).toEqual(bytes);
  });

  it('round-trips every single byte and JSON keeps the escapes', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = decodeBytes(all);
    expect([...encodeBytes(JSON.parse(JSON.stringify(text)) as string)]).toEqual([...all]);
  });
});
