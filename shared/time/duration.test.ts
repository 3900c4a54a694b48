import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, parseDuration, parseSize } from './duration';

describe('parseDuration', () => {
  it.each<[string, number | null]>([
    ['30s', 30],
    ['5m', 300],
    ['2h', 7200],
    ['1h30m', 5400],
    ['90', 90],
    ['0.5s', 0.5],
    ['1d', 86400],
    ['0s', null],
    ['', null],
    ['5 minutes', null],
    ['-5s', null],
    ['m5', null],
  ])('%j', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
});

describe('parseSize', () => {
  it.each<[string, number | null]>([
    ['500M', 500 * 1024 * 1024],
    ['2G', 2 * 1024 ** 3],
    ['64K', 65536],
    ['64KiB', 65536],
    ['1000', 1000],
    ['1.5M', 1572864],
    ['0', null],
    ['lots', null],
  ])('%j', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
});

it('formats sizes and durations for people', () => {
  expect([formatBytes(512), formatBytes(2048), formatBytes(3 * 1024 ** 2), formatBytes(5 * 1024 ** 3)]).toEqual(['512 B', '2.0 KiB', '3.0 MiB', '5.00 GiB']);
  expect([formatDuration(45), formatDuration(90), formatDuration(7200), formatDuration(5430)]).toEqual(['45s', '1m30s', '2h', '1h30m30s']);
});
