/**
 * Property-based tests (fast-check): arbitrary bytes never throw past a parser's boundary or hang, and what
 * a process controls (names, argv, link targets) round-trips exactly through the collector's framing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBytes, encodeBytes } from './bytes';
import { parseCollectOutput } from './collect/frame';
import { sectionMark } from './collect/script';
import { parseCgroup } from './proc/cgroup';
import { parseChildren } from './proc/children';
import { parseCmdline } from './proc/cmdline';
import { parseFdTarget, parseNamespaceLink } from './proc/links';
import { parseMountinfo } from './proc/mountinfo';
import { parseNetInet } from './proc/net-inet';
import { parseNetUnix } from './proc/net-unix';
import { parsePasswd } from './proc/passwd';
import { parseStat } from './proc/stat';
import { parseStatus } from './proc/status';
import { matchContainer } from './containers/match';
import { assembleSnapshot } from './snapshot/assemble';
import { ProcscopeFailure } from './errors';

const bytes = fc.uint8Array({ maxLength: 4096 });
const text = bytes.map((b) => decodeBytes(b));
/** What a process may put in argv or a path: anything but NUL, often the framing's own characters. */
const hostile = fc
  .array(fc.oneof(fc.constantFrom('\n', ')', '(', ':', '@@PSC', '\\', ' ', '\t', '\u00e9', '\udcff', '@'), fc.string({ maxLength: 8 })), { maxLength: 24 })
  .map((parts) => parts.join('').replace(/\0/g, ''));

/**
 * A parser may reject input on purpose (a plain Error or a ProcscopeFailure naming what is wrong), but a
 * TypeError, RangeError or anything else thrown is a bug that input reached; and it never hangs.
 */
function total(parse: (t: string) => unknown) {
  return (t: string) => {
    try {
      parse(t);
    } catch (err) {
      expect(err instanceof ProcscopeFailure || (err as Error)?.constructor === Error, `unexpected ${String(err)}`).toBe(true);
      expect((err as Error).message).not.toBe('');
    }
  };
}

describe('parsers on arbitrary bytes', () => {
  it('counts a TypeError as a bug, not a rejection', () => {
    expect(() =>
      total(() => {
        throw new TypeError("Cannot read properties of undefined (reading 'split')");
      })('x'),
    ).toThrow(/unexpected TypeError/);
    expect(() =>
      total(() => {
        throw new Error('bad address "x"');
      })('x'),
    ).not.toThrow();
  });

  it.each([
    ['stat', parseStat],
    ['status', parseStatus],
    ['cmdline', parseCmdline],
    ['cgroup', parseCgroup],
    ['children', parseChildren],
    ['net/tcp', parseNetInet],
    ['net/unix', parseNetUnix],
    ['mountinfo', parseMountinfo],
    ['passwd', parsePasswd],
    ['ns link', parseNamespaceLink],
    ['fd link', parseFdTarget],
    ['container match', matchContainer],
  ] as [string, (t: string) => unknown][])('%s', (_name, parse) => {
    fc.assert(fc.property(text, total(parse)), { numRuns: 300 });
  });

  it('decodeBytes and encodeBytes round-trip any bytes', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        expect([...encodeBytes(decodeBytes(b))]).toEqual([...b]);
      }),
      { numRuns: 500 },
    );
  });

  it('argv round-trips exactly, including 4,096-byte strings', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(hostile, fc.string({ minLength: 4096, maxLength: 4096 })), { minLength: 1, maxLength: 6 }), (argv) => {
        expect(parseCmdline(argv.join('\0') + '\0')).toEqual(argv);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the framing, with contents a process controls', () => {
  const nonce = 'cd'.repeat(16);
  const M = sectionMark(nonce);
  const mark = (name: string) => `\n${M} ${name}\n`;
  const sep = `\n${M}:f\n`;

  it('gives back every file and link byte for byte, whatever they hold', () => {
    fc.assert(
      fc.property(hostile, hostile, fc.array(hostile, { maxLength: 4 }), hostile, (comm, path, argv, cgroupPath) => {
        const cmdline = argv.map((a) => a + '\0').join('');
        const stat = `42 (${comm}) S 1 42 42 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 100 0 0\n`;
        const out = Buffer.concat(
          [
            'banner\n',
            mark('begin'),
            'procscope-collect 4',
            mark('list'),
            '/proc/42/stat\n/proc/42/cmdline\n/proc/42/cgroup\n/proc/42/status',
            mark('data'),
            sep + stat,
            sep + cmdline,
            sep + `0::${cgroupPath}\n`,
            sep + 'Name:\tx\nPid:\t42\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n',
            mark('links'),
            `/proc/42/fd/3\0${path}\0/proc/42/exe\0/bin/x\0`,
            mark('end'),
          ].map((s) => Buffer.from(encodeBytes(s))),
        );
        const parsed = parseCollectOutput(out, '', nonce);
        expect(parsed.complete).toBe(true);
        expect(decodeBytes(parsed.files.get('/proc/42/cmdline')!)).toBe(cmdline);
        expect(parsed.links.get('/proc/42/fd/3')).toBe(path);
        const snap = assembleSnapshot(parsed, { target: 't', collectedAt: new Date(0) });
        const p = snap.processes[0]!;
        expect(p.name).toBe(comm);
        expect(p.cmdline).toEqual(cmdline === '' ? [] : parseCmdline(cmdline));
        expect(p.fds).toEqual(path === '' ? [] : [{ fd: 3, target: path }]);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws or hangs on arbitrary output', () => {
    fc.assert(
      fc.property(bytes, fc.boolean(), (noise, withMarks) => {
        const out = withMarks ? Buffer.concat([Buffer.from(mark('begin') + mark('list') + '/proc/1/stat' + mark('data') + sep), Buffer.from(noise), Buffer.from(mark('end'))]) : Buffer.from(noise);
        const parsed = parseCollectOutput(out, decodeBytes(noise), nonce);
        assembleSnapshot(parsed, { target: 't', collectedAt: new Date(0) });
      }),
      { numRuns: 300 },
    );
  });
});
