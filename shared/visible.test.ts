import { describe, expect, it } from 'vitest';
import { visibleParts, visibleText } from './visible';

describe('visibleText: what a screen would hide is shown as an escape', () => {
  it.each([
    ['control characters', 'a\nb\tc\x1b[31m', 'a\\nb\\tc\\e[31m'],
    ['a byte that is not UTF-8 (surrogateescape)', 'x\udcff)', 'x\\xff)'],
    ['right-to-left override', '\u202eevil', '\\u{202e}evil'],
    ['word joiner after a name', 'sshd\u2060', 'sshd\\u{2060}'],
    ['zero-width space', 'ss\u200bhd', 'ss\\u{200b}hd'],
    ['zero-width joiner and non-joiner', 'a\u200c\u200db', 'a\\u{200c}\\u{200d}b'],
    ['left-to-right and right-to-left marks', '\u200e\u200f', '\\u{200e}\\u{200f}'],
    ['soft hyphen', 'ad\u00admin', 'ad\\u{ad}min'],
    ['bidi embeddings and isolates', '\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069', '\\u{202a}\\u{202b}\\u{202c}\\u{202d}\\u{2066}\\u{2067}\\u{2068}\\u{2069}'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u{2028}b\\u{2029}c'],
    ['byte order mark', '\ufeffroot', '\\u{feff}root'],
    ['Hangul filler that draws as a blank', 'x\u3164y', 'x\\u{3164}y'],
    ['a lone surrogate outside the escaped bytes', 'a\ud800b', 'a\\u{d800}b'],
    ['plain text and letters of other scripts', 'nginx: wörker Ωμέγα 日本', 'nginx: wörker Ωμέγα 日本'],
  ])('%s', (_name, text, shown) => {
    expect(visibleText(text)).toBe(shown);
  });

  it('marks which parts are escapes', () => {
    expect(visibleParts('ok\n').map((p) => p.escaped)).toEqual([false, true]);
    expect(visibleParts('sshd\u2060').map((p) => [p.text, p.escaped])).toEqual([
      ['sshd', false],
      ['\\u{2060}', true],
    ]);
  });
});
