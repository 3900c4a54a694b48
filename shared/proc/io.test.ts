import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures';
import { parseIo } from './io';

describe('parseIo', () => {
  it('reads a real io file', () => {
    const io = parseIo(fixture('io.txt'))!;
    expect(io.rchar).toBeGreaterThan(0);
    expect(io.readBytes).toBeGreaterThanOrEqual(0);
  });
  it.each([
    ['rchar: 10\nwchar: 20\nsyscr: 1\nsyscw: 1\nread_bytes: 4096\nwrite_bytes: 0\ncancelled_write_bytes: 0\n', { rchar: 10, wchar: 20, readBytes: 4096, writeBytes: 0 }],
    ['rchar: 10\nwchar: 20\n', { rchar: 10, wchar: 20, readBytes: 0, writeBytes: 0 }],
    ['', null],
  ])('%j', (text, io) => expect(parseIo(text)).toEqual(io));
});
