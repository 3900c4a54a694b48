/**
 * Property-based tests (fast-check): arbitrary bytes never throw past a parser's boundary or hang, and what
 * a process controls (names, argv, link targets) round-trips exactly through the collector's framing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBytes, encodeBytes } from './bytes';
import { parseCollectOutput } from './collect/frame';
import { sectionMark } from './collect/protocol';
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
import { ParseCache, SectionPreparer } from './snapshot/early-parse';
import { SectionSplitter } from './collect/section-stream';
import { ProcscopeFailure } from './errors';

const bytes = fc.uint8Array({ maxLength: 4096 });
const text = bytes.map((b) => decodeBytes(b));
/** Where a reply is cut into the chunks it arrives in: fractions of its length. */
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

/** `out` as it would be prepared arriving in chunks cut at `at` (fractions of its length). */
function prepareStreamed(out: Buffer, at: number[], mark: string): SectionPreparer {
  const preparer = new SectionPreparer();
  const splitter = new SectionSplitter(mark, preparer);
  let from = 0;
  for (const to of [...at.map((f) => Math.floor(f * out.length)).sort((a, b) => a - b), out.length]) {
    splitter.push(Buffer.from(out.subarray(from, Math.max(from, to))));
    from = Math.max(from, to);
  }
  splitter.end();
  return preparer;
}
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
  /** Text that looks like head's framing, for a process to put in its argv or a cgroup path. */
  const forged = fc.constantFrom('\n==> /proc/42/stat <==\n', '\n==> /proc/42/cgroup <==\n', '\n==> /proc/43/cmdline <==\n', '==> /proc/42/status <==\n', '\n==> ', ' <==\n', '\n==> x <==');
  const withForgery = fc.array(fc.oneof(hostile, forged), { maxLength: 4 }).map((parts) => parts.join(''));
  /** A "h <kind>" section as `echo; head -v` prints it. */
  const headSection = (kind: string, files: [string, string][]) => mark(`h ${kind}`) + files.map(([path, content]) => `\n==> ${path} <==\n${content}`).join('');

  function reply(comm: string, cmdline: string, cgroup: string, path: string): Buffer {
    const stat = `42 (${comm}) S 1 42 42 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 100 0 0\n`;
    const status = 'Name:\tx\nPid:\t42\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n';
    return Buffer.concat(
      [
        'banner\n',
        mark('begin'),
        'procscope-collect 6',
        mark('pids'),
        '/proc/42\n',
        headSection('stat', [['/proc/42/stat', stat]]),
        headSection('status', [['/proc/42/status', status]]),
        headSection('cmdline', [['/proc/42/cmdline', cmdline]]),
        headSection('cgroup', [['/proc/42/cgroup', cgroup]]),
        mark('tasks'),
        '/proc/42/task/42\n',
        mark('list'),
        '/etc/passwd',
        mark('data'),
        sep + 'root:x:0:0::/:/bin/sh\n',
        mark('links'),
        `/proc/42/fd/3\0${path}\0/proc/42/exe\0/bin/x\0`,
        mark('end'),
      ].map((s) => Buffer.from(encodeBytes(s))),
    );
  }

  /** What buildRereadScript's run prints: the given files between nonce separators. */
  const rereadOf = (files: [string, string][]) =>
    parseCollectOutput(Buffer.from(encodeBytes(mark('begin') + mark('list') + files.map(([p]) => p).join('\n') + mark('data') + files.map(([, c]) => sep + c).join('') + mark('end'))), '', nonce);

  it('gives back every file and link byte for byte, or says the framing is unproven, whatever they hold', () => {
    fc.assert(
      fc.property(hostile, hostile, fc.array(withForgery, { maxLength: 4 }), withForgery, cuts, (comm, path, argv, cgroupPath, at) => {
        const cmdline = argv.map((a) => a + '\0').join('');
        const cgroup = `0::${cgroupPath}\n`;
        const out = reply(comm, cmdline, cgroup, path);
        const parsed = parseCollectOutput(out, '', nonce);
        expect(parsed.complete).toBe(true);
        expect(parsed.links.get('/proc/42/fd/3')).toBe(path);
        const files = parsed.processes.get(42)!.files;
        // Proven, or not believed: a forged header never moves a byte from one file to another.
        if (parsed.unproven.includes('cmdline')) expect(files.cmdline).toBeUndefined();
        else expect(decodeBytes(files.cmdline!)).toBe(cmdline);
        if (parsed.unproven.includes('cgroup')) expect(files.cgroup).toBeUndefined();
        else expect(decodeBytes(files.cgroup!)).toBe(cgroup);
        expect(parsed.unproven.filter((k) => k !== 'cmdline' && k !== 'cgroup')).toEqual([]);
        // With the unproven files read again under the nonce, the process comes back whole.
        const whole = parseCollectOutput(out, '', nonce, rereadOf([['/proc/42/cmdline', cmdline], ['/proc/42/cgroup', cgroup]]));
        expect(whole.unproven).toEqual([]);
        const snap = assembleSnapshot(whole, { target: 't', collectedAt: new Date(0) });
        // Parsed as it streamed in, cut anywhere, from the unproven cut: the same snapshot, as a prepared section is
        // taken only for the very same bytes, its header lines only when they prove the framing.
        const early = prepareStreamed(out, at, M);
        const streamed = parseCollectOutput(out, '', nonce, rereadOf([['/proc/42/cmdline', cmdline], ['/proc/42/cgroup', cgroup]]), early.prepared);
        expect(streamed).toEqual(whole);
        expect(assembleSnapshot(streamed, { target: 't', collectedAt: new Date(0) }, early.cache)).toEqual(snap);
        const p = snap.processes[0]!;
        expect(p.name).toBe(comm);
        expect(p.cmdline).toEqual(cmdline === '' ? [] : parseCmdline(cmdline));
        expect(p.fds).toEqual(path === '' ? [] : [{ fd: 3, target: path }]);
      }),
      { numRuns: 300 },
    );
  });

  it('takes an early parse only for the very Buffer it was made of', () => {
    const cache = new ParseCache();
    const early = Buffer.from('early\0');
    cache.remember('/proc/42/cmdline', early, ['from the cache']);
    expect(cache.parse('cmdline', '/proc/42/cmdline', early)).toEqual(['from the cache']);
    expect(cache.parse('cmdline', '/proc/42/cmdline', Buffer.from('early\0'))).toEqual(['early']);
    expect(cache.parse('cmdline', '/proc/42/cmdline', Buffer.from('real\0'))).toEqual(['real']);
  });

  it('takes a prepared section only for the very same bytes', () => {
    const out = reply('x', 'sh\0', '0::/\n', '/tmp/real');
    const early = prepareStreamed(out, [0.5], M);
    expect(early.prepared.get('links')!.links!.get('/proc/42/fd/3')).toBe('/tmp/real');
    // The same reply but a link that differs: its prepared links are not taken, nor its prepared namespaces.
    const other = reply('x', 'sh\0', '0::/\n', '/tmp/otherr');
    early.prepared.get('links')!.links!.set('/proc/42/fd/3', 'forged');
    expect(parseCollectOutput(other, '', nonce, undefined, early.prepared).links.get('/proc/42/fd/3')).toBe('/tmp/otherr');
    expect(parseCollectOutput(out, '', nonce, undefined, early.prepared).links.get('/proc/42/fd/3')).toBe('forged');
  });

  it('catches a header forged in an argv, however it is placed', () => {
    for (const argv of ['x\0\n==> /proc/42/cmdline <==\nsh\0', 'a\n==> /proc/42/cmdline <==\n\0', '\n==> /proc/9/cmdline <==\n\0']) {
      const parsed = parseCollectOutput(reply('x', argv, '0::/\n', '/tmp'), '', nonce);
      expect(parsed.unproven).toEqual(['cmdline']);
      expect(parsed.processes.get(42)!.files.cmdline).toBeUndefined();
    }
    // Header-like text that is no whole header line is content, and comes back as it was.
    const parsed = parseCollectOutput(reply('x', 'a\n==> /proc/42/cmdline <==\0', '0::/\n', '/tmp'), '', nonce);
    expect(parsed.unproven).toEqual([]);
    expect(parsed.processes.get(42)!.files.cmdline?.toString()).toBe('a\n==> /proc/42/cmdline <==\0');
  });

  it('never throws or hangs on arbitrary output', () => {
    fc.assert(
      fc.property(bytes, fc.boolean(), (noise, withMarks) => {
        const out = withMarks ? Buffer.concat([Buffer.from(mark('begin') + mark('pids') + '/proc/1\n' + mark('h stat') + '\n==> /proc/1/stat <==\n'), Buffer.from(noise), Buffer.from(mark('list') + '/etc/passwd' + mark('data') + sep), Buffer.from(noise), Buffer.from(mark('end'))]) : Buffer.from(noise);
        const parsed = parseCollectOutput(out, decodeBytes(noise), nonce);
        assembleSnapshot(parsed, { target: 't', collectedAt: new Date(0) });
      }),
      { numRuns: 300 },
    );
  });
});
