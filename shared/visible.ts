/** Shows text from a node exactly, with what a screen would hide made visible: control characters, non-UTF-8 bytes, edges. */
export interface VisiblePart {
  text: string;
  /** an escape shown for a character that is not printable as itself */
  escaped: boolean;
}

const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\0': '\\0', '\x1b': '\\e' };

/**
 * Characters a screen does not show as themselves: format characters (zero-width, bidi overrides and isolates,
 * word joiner, soft hyphen, BOM), line and paragraph separators, other lone surrogates, and the Hangul fillers
 * that draw as blanks. `sshd\u2060` must not look like `sshd`.
 */
const INVISIBLE = /^[\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u115f\u1160\u3164\uffa0]$/u;

export function visibleParts(text: string): VisiblePart[] {
  const parts: VisiblePart[] = [];
  let plain = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    let escape: string | null = null;
    if (NAMED[ch]) escape = NAMED[ch]!;
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) escape = `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0xdc80 && code <= 0xdcff) escape = `\\x${(code - 0xdc00).toString(16)}`;
    else if (INVISIBLE.test(ch)) escape = `\\u{${code.toString(16)}}`;
    if (escape === null) {
      plain += ch;
      continue;
    }
    if (plain) parts.push({ text: plain, escaped: false });
    plain = '';
    parts.push({ text: escape, escaped: true });
  }
  if (plain) parts.push({ text: plain, escaped: false });
  return parts;
}

/** A one-line form for table cells. */
export function visibleText(text: string): string {
  return visibleParts(text).map((p) => p.text).join('');
}
