import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures';
import { parseCmdline } from './cmdline';

describe('parseCmdline', () => {
  it.each([
    ['cmdline-sleep.bin', ['/bin/sleep', '300']],
    ['cmdline-kthread.bin', []],
    ['cmdline-zombie.bin', []],
  ])('%s', (file, argv) => {
    expect(parseCmdline(fixture(file))).toEqual(argv);
  });

  it.each([
    ['one arg', 'a\0', ['a']],
    ['empty args kept', 'a\0\0b\0', ['a', '', 'b']],
    ['newlines and non-ASCII', 'x\ny\0ünï ✓\0', ['x\ny', 'ünï ✓']],
    ['rewritten without a final NUL (setproctitle)', 'nginx: worker process', ['nginx: worker process']],
    ['invalid UTF-8 kept as escapes', 'a\udcff\0', ['a\udcff']],
  ])('%s', (_name, text, argv) => {
    expect(parseCmdline(text)).toEqual(argv);
  });
});
