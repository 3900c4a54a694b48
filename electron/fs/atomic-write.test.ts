import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPrivateEnough, writeFileAtomically } from './atomic-write';

describe('writeFileAtomically', () => {
  const dir = mkdtempSync(join(tmpdir(), 'procscope-atomic-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a new file 0600, and a replaced one keeps its mode', () => {
    const file = join(dir, 'new');
    expect(writeFileAtomically(file, ['ab', Buffer.from('cd')])).toBe(4);
    expect(readFileSync(file, 'utf8')).toBe('abcd');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    chmodSync(file, 0o644);
    writeFileAtomically(file, 'again');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    writeFileAtomically(file, 'forced', { mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('leaves the old file whole and no temporary file when the content fails half way', () => {
    const file = join(dir, 'kept');
    writeFileSync(file, 'old');
    function* failing() {
      yield 'half';
      throw new Error('the producer failed');
    }
    expect(() => writeFileAtomically(file, failing())).toThrow('the producer failed');
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('writes a device in place instead of replacing it', () => {
    writeFileAtomically('/dev/null', 'nothing');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});

describe('checkPrivateEnough', () => {
  const dir = mkdtempSync(join(tmpdir(), 'procscope-private-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.each([
    [0o700, null],
    [0o1777, null],
    [0o777, /anyone may write it and it has no sticky bit/],
  ])('mode %o', (mode, refusal) => {
    chmodSync(dir, mode);
    if (refusal) expect(() => checkPrivateEnough(dir)).toThrow(refusal);
    else expect(() => checkPrivateEnough(dir)).not.toThrow();
  });
});
