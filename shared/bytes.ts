/**
 * Text read from a node is bytes that someone else chose. We decode it as
 * UTF-8 where it is valid and keep every invalid byte as a lone surrogate
 * U+DC80..U+DCFF ("surrogateescape", PEP 383), so that JSON can carry it and
 * `encodeBytes(decodeBytes(b))` gives back exactly `b`.
 */

const decoder = new TextDecoder('utf-8', { fatal: true });

export function decodeBytes(buf: Uint8Array): string {
  if (isAscii(buf)) return typeof Buffer !== 'undefined' && Buffer.isBuffer(buf) ? buf.toString('latin1') : asciiString(buf);
  try {
    return decoder.decode(buf);
  } catch {
    return decodeSlow(buf);
  }
}

export function isAscii(buf: Uint8Array): boolean {
  for (let i = 0; i < buf.length; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

function asciiString(buf: Uint8Array): string {
  let out = '';
  for (let i = 0; i < buf.length; i += 8192) {
    out += String.fromCharCode.apply(null, Array.from(buf.subarray(i, i + 8192)));
  }
  return out;
}

/** Length of the valid UTF-8 sequence starting at i, or 0 if none. */
function validSequenceLength(buf: Uint8Array, i: number): number {
  const b0 = buf[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const b = buf[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 >= 0xe1 && b0 <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

function decodeSlow(buf: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const n = validSequenceLength(buf, i);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + buf[i]!);
      i += 1;
    } else {
      out += decoder.decode(buf.subarray(i, i + n));
      i += n;
    }
  }
  return out;
}

/** The inverse of decodeBytes. */
export function encodeBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xdc80 && cp <= 0xdcff) {
      out.push(cp - 0xdc00);
    } else {
      for (const b of new TextEncoder().encode(ch)) out.push(b);
    }
  }
  return Uint8Array.from(out);
}

/** True when the string carries bytes that were not valid UTF-8. */
export function hasEscapedBytes(text: string): boolean {
  return /[\udc80-\udcff]/.test(text);
}
