import { describe, expect, it } from 'vitest';
import { ProcscopeFailure, toProcscopeError } from '../errors';
import { kindOfMessage, nodeError, processError, withErrorFields } from './errors';

describe('the error taxonomy', () => {
  const coded = (code: string) => Object.assign(new Error(code), { code });
  it.each<[string, unknown, string]>([
    ['a missing file', coded('ENOENT'), 'not-found'],
    ['a denial', coded('EACCES'), 'permission-denied'],
    ['a reset connection', coded('ECONNRESET'), 'connection'],
    ['a procscope failure, as it is', new ProcscopeFailure({ kind: 'auth', message: 'no' }), 'auth'],
    ['an exception nothing expected', new TypeError("Cannot read properties of undefined (reading 'x')"), 'internal'],
    ['a thrown string', 'what', 'internal'],
  ])('%s', (_name, thrown, kind) => {
    expect(toProcscopeError(thrown).kind).toBe(kind);
  });

  it('says that an internal error is procscope\'s fault', () => {
    expect(toProcscopeError(new RangeError('x')).hint).toMatch(/fault in procscope/);
  });
});

describe('snapshot errors', () => {
  it.each<[string, string | undefined]>([
    ['No such file or directory', 'not-found'],
    ['No such process', 'not-found'],
    ['Permission denied', 'permission-denied'],
    ['cannot read link', 'permission-denied'],
    ['something else', undefined],
  ])('%j is %s', (message, kind) => {
    expect(kindOfMessage(message)).toBe(kind);
  });

  it('carries the pid, part, kind and path as fields, with the scope in words', () => {
    expect(processError(42, 'fd', 'Permission denied', { path: '/proc/42/fd' })).toEqual({ scope: 'pid 42 fd', message: 'Permission denied', pid: 42, part: 'fd', kind: 'permission-denied', path: '/proc/42/fd' });
    expect(processError(42, null, 'gone', { kind: 'not-found' })).toEqual({ scope: 'pid 42', message: 'gone', pid: 42, kind: 'not-found' });
    expect(nodeError('net/tcp6 of netns 1', 'bad line', { kind: 'parse' })).toEqual({ scope: 'net/tcp6 of netns 1', message: 'bad line', kind: 'parse' });
  });

  it('fills the fields of an error from a file written before they existed, from its scope', () => {
    expect(withErrorFields({ scope: 'pid 7 exe', message: 'x' })).toEqual({ scope: 'pid 7 exe', message: 'x', pid: 7, part: 'exe' });
    expect(withErrorFields({ scope: 'pid 7', message: 'x' })).toEqual({ scope: 'pid 7', message: 'x', pid: 7 });
    expect(withErrorFields({ scope: 'net/tcp', message: 'x' })).toEqual({ scope: 'net/tcp', message: 'x' });
  });
});
