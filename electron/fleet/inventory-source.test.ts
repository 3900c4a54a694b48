import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_INVENTORY_BYTES } from '../../shared/api';
import { readInventoryFile } from './inventory-source';

describe('readInventoryFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'procscope-inventory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const big = join(dir, 'big');
  writeFileSync(big, 'x'.repeat(MAX_INVENTORY_BYTES + 1));
  writeFileSync(join(dir, 'hosts'), 'web-1\n');

  it.each([
    ['/dev/zero', /it is not a regular file/],
    [fifo, /it is not a regular file/],
    [dir, /it is a directory/],
    [big, /an inventory may have/],
    [join(dir, 'missing'), /no such file/],
  ])('refuses %s at once, without reading it', async (path, why) => {
    await expect(readInventoryFile(path)).rejects.toThrow(why);
  });

  it('reads a regular file', async () => {
    expect(await readInventoryFile(join(dir, 'hosts'))).toBe('web-1\n');
  });
});
