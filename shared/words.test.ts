import { describe, expect, it } from 'vitest';
import { editDistance, nearest } from './words';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['snapshot', 'snapshot', 0],
    ['snapshto', 'snapshot', 1],
    ['snapsho', 'snapshot', 1],
    ['contaners', 'containers', 1],
    ['ps', 'diff', 4],
  ])('%s to %s: %i', (a, b, n) => {
    expect(editDistance(a, b)).toBe(n);
    expect(editDistance(b, a)).toBe(n);
  });
});

describe('nearest', () => {
  const verbs = ['snapshot', 'ps', 'containers', 'record', 'diff', 'nodes', 'find', 'signal', 'renice', 'resolve', 'serve'];
  it.each([
    ['snapshto', 'snapshot'],
    ['snap', 'snapshot'],
    ['contaienrs', 'containers'],
    ['sever', 'serve'],
    ['kill', null],
    ['x', null],
    ['pss', 'ps'],
  ])('%s: %s', (word, match) => {
    expect(nearest(word, verbs)).toBe(match);
  });

  it('finds an option by its name', () => {
    expect(nearest('every', ['output', 'every', 'for', 'max-size'])).toBe('every');
    expect(nearest('max-szie', ['output', 'every', 'for', 'max-size'])).toBe('max-size');
    expect(nearest('pretty', ['output', 'json'])).toBeNull();
  });
});
