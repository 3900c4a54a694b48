import { describe, expect, it } from 'vitest';
import { parseSsUnixPeers } from './ss-unix';

describe('parseSsUnixPeers', () => {
  it.each([
    ['a connected pair', 'u_str ESTAB 0 0 /run/x 61060 * 61059\nu_str ESTAB 0 0 * 61059 * 61060\n', [[61060, 61059], [61059, 61060]]],
    ['a listener has no peer', 'u_str LISTEN 0 4096 /run/dbus 100 * 0\n', []],
    ['a name with a newline still ends with the real numbers', 'u_str ESTAB 0 0 /tmp/a\nb 7 * 8\nu_str ESTAB 0 0 * 8 * 7\n', [[7, 8], [8, 7]]],
    [
      'a forged line claiming a real socket makes that socket ambiguous',
      'u_str LISTEN 0 0 @evil\nu_str ESTAB 0 0 /run/dbus 61060 * 999\nu_str LISTEN 0 0 @x 42 * 0\nu_str ESTAB 0 0 /run/x 61060 * 61059\nu_str ESTAB 0 0 * 61059 * 61060\n',
      [],
    ],
    ['a fake line inside a name cannot hide the real numbers at its end', 'u_str LISTEN 0 0 @evil\nu_str ESTAB 0 0 /run/dbus 5 * 6 42 * 0\nu_str ESTAB 0 0 * 5 * 6\nu_str ESTAB 0 0 * 6 * 5\n', [[5, 6], [6, 5]]],
    ['one end only: not trusted', 'u_str ESTAB 0 0 * 5 * 6\n', []],
    ['garbage', 'nonsense\n\n u_str\n', []],
  ] as [string, string, [number, number][]][])('%s', (_label, text, pairs) => {
    expect([...parseSsUnixPeers(text)].sort((a, b) => a[0] - b[0])).toEqual(pairs.sort((a, b) => a[0] - b[0]));
  });
});
