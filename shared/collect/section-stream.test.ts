import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkPairReader, parseLinkPairs, splitSections } from './frame';
import { SectionSplitter } from './section-stream';

const M = '@@PSCabab';
const mark = (name: string) => `\n${M} ${name}\n`;

/** What the splitter gives for `reply` pushed in chunks cut at `cuts`: sections (last of a name wins) and pieces. */
function streamed(reply: Buffer, cuts: number[]): { sections: Map<string, Buffer>; pieces: Map<string, Buffer>; opened: string[] } {
  const sections = new Map<string, Buffer>();
  const pieces = new Map<string, Buffer>();
  const opened: string[] = [];
  const splitter = new SectionSplitter(M, {
    open: (name) => {
      opened.push(name);
      pieces.set(name, Buffer.alloc(0));
    },
    data: (name, piece) => pieces.set(name, Buffer.concat([pieces.get(name)!, piece])),
    close: (name, body) => sections.set(name, body!),
  });
  let from = 0;
  for (const to of [...cuts.filter((c) => c > 0 && c < reply.length).sort((a, b) => a - b), reply.length]) {
    // A copy: the splitter must not depend on the chunks being views of one buffer.
    splitter.push(Buffer.from(reply.subarray(from, to)));
    from = to;
  }
  splitter.end();
  return { sections, pieces, opened };
}

const cases: [string, string][] = [
  ['nothing', ''],
  ['a banner and no mark', 'Welcome\nto the node\n'],
  ['sections with bodies', `banner${mark('begin')}procscope-collect 8${mark('pids')}/proc/1\n/proc/2\n${mark('end')}`],
  ['marks back to back (empty bodies)', `${mark('a')}${mark('b')}${mark('c')}x`],
  ['a body that ends in a newline before the next mark', `${mark('a')}x\n\n${mark('b')}y\n`],
  ['a mark whose name never ends', `${mark('a')}body\n${M} unterminated`],
  ['a name repeated (the last wins)', `${mark('a')}one${mark('a')}two`],
  ['a mark without its space is body', `${mark('a')}\n${M}x\n${M}`],
  ['a partial mark at the end', `${mark('a')}body\n${M.slice(0, 4)}`],
  ['a body of bytes that are not UTF-8', `${mark('a')}\u00ff\u00fe\n\u0000${mark('b')}`],
  ['the reply ends right after a name', `${mark('a')}x${mark('b').slice(0, -1)}\n`],
];

describe('SectionSplitter', () => {
  it.each(cases)('gives the sections splitSections gives, cut at every byte: %s', (_what, text) => {
    const reply = Buffer.from(text, 'latin1');
    const whole = splitSections(reply, M);
    for (let cut = 0; cut <= reply.length; cut++) {
      const { sections, pieces } = streamed(reply, [cut]);
      expect(sections).toEqual(whole);
      // The pieces of a section, joined, are its body.
      for (const [name, body] of sections) if (name !== 'a' || !text.includes(`${mark('a')}one`)) expect(pieces.get(name)).toEqual(body);
    }
    expect(streamed(reply, [...Array(reply.length).keys()]).sections).toEqual(whole);
  });

  it('gives the sections splitSections gives for any reply cut anywhere', () => {
    const part = fc.oneof(fc.constantFrom(mark('a'), mark('links'), mark('h stat'), `\n${M}`, '\n', M, ' ', '\0'), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(fc.array(part, { maxLength: 30 }), fc.array(fc.nat({ max: 400 }), { maxLength: 10 }), (parts, cuts) => {
        const reply = Buffer.from(parts.join(''), 'latin1');
        expect(streamed(reply, cuts).sections).toEqual(splitSections(reply, M));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps only the bodies its sink keeps', () => {
    const closed: [string, Buffer | null][] = [];
    const splitter = new SectionSplitter(M, { keeps: (n) => n === 'kept', close: (n, body) => closed.push([n, body]) });
    splitter.push(Buffer.from(`${mark('dropped')}abc${mark('kept')}def${mark('dropped')}ghi`));
    splitter.end();
    expect(closed).toEqual([['dropped', null], ['kept', Buffer.from('def')], ['dropped', null]]);
  });

  it('opens a section when its name is in, before its body ends', () => {
    const seen: string[] = [];
    const splitter = new SectionSplitter(M, { open: (n) => seen.push(`open ${n}`), data: (n, p) => seen.push(`data ${n} ${p.toString()}`), close: (n) => seen.push(`close ${n}`) });
    splitter.push(Buffer.from(`${mark('links')}first part that is long enough`));
    expect(seen).toEqual(['open links', expect.stringMatching(/^data links first part/)]);
    splitter.push(Buffer.from(`${mark('end')}`));
    expect(seen.slice(-2)).toEqual(['close links', 'open end']);
  });
});

describe('LinkPairReader', () => {
  it('reads the pairs parseLinkPairs reads, however the section is cut', () => {
    const pair = fc.tuple(fc.constantFrom('/proc/1/fd/0', '/proc/22/cwd', '/etc/x', ''), fc.oneof(fc.constantFrom('socket:[12]', '/tmp/a b', 'pipe:[3]', '\u00ff\u00fe'), fc.string({ maxLength: 6 })));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 20 }), fc.boolean(), fc.array(fc.nat({ max: 300 }), { maxLength: 8 }), (pairs, cutShort, cuts) => {
        let text = pairs.map(([p, t]) => `${p}\0${t.replace(/\0/g, '')}\0`).join('');
        if (cutShort) text += '/proc/9/fd/1\0half';
        const section = Buffer.from(text, 'latin1');
        const reader = new LinkPairReader();
        let from = 0;
        for (const to of [...cuts.filter((c) => c < section.length).sort((a, b) => a - b), section.length]) {
          reader.push(Buffer.from(section.subarray(from, Math.max(from, to))));
          from = Math.max(from, to);
        }
        expect(reader.links).toEqual(parseLinkPairs(section));
      }),
      { numRuns: 1000 },
    );
  });
});
