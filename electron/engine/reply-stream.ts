/**
 * A collector's reply parsed while it arrives: the raw bytes as they come off the connection, each gzip member
 * inflated as its bytes come (script.ts, `part`), split into sections and prepared (early-parse.ts). What it
 * prepares is only ever used for a section whose bytes equal the final reply's (frame.ts), so a member that does
 * not inflate, or a reply cut short, costs the speed-up and nothing else.
 */
import { type Gunzip, createGunzip } from 'node:zlib';
import { SECTION, sectionMark } from '../../shared/collect/protocol';
import { SectionSplitter } from '../../shared/collect/section-stream';
import { ParseCache, SectionPreparer } from '../../shared/snapshot/early-parse';
import { INFLATED_LIMIT } from './run-limits';

/**
 * One gzip member's inflation, or plain bytes that came after a member (gunzip null): either's output is held until
 * every member before it has given all of its own.
 */
interface Member {
  gunzip: Gunzip | null;
  held: Buffer[];
  ended: boolean;
}

export class ReplyStream {
  readonly preparer: SectionPreparer;
  private readonly plain: SectionSplitter;
  private readonly raw: SectionSplitter;
  private readonly members: Member[] = [];
  private inflated = 0;
  private broken = false;
  private allEnded: (() => void) | null = null;

  constructor(
    nonce: string,
    cache = new ParseCache(),
    private readonly inflatedLimit = INFLATED_LIMIT,
  ) {
    const mark = sectionMark(nonce);
    this.preparer = new SectionPreparer(cache);
    this.plain = new SectionSplitter(mark, this.preparer);
    // The raw reply's sections: plain ones are passed on as they stood (mark and body); a "gzip" section's body is a
    // member, whose inflated bytes are passed on instead.
    this.raw = new SectionSplitter(mark, {
      keeps: () => false,
      open: (name) => {
        if (name === SECTION.gzip) this.startMember();
        else this.passPlain(Buffer.from(`\n${mark} ${name}\n`, 'latin1'));
      },
      data: (name, piece) => {
        if (name !== SECTION.gzip) this.passPlain(piece);
        else if (!this.broken) this.members[this.members.length - 1]!.gunzip!.write(piece);
      },
      close: (name) => {
        if (name === SECTION.gzip) this.members[this.members.length - 1]!.gunzip!.end();
      },
    });
  }

  get cache(): ParseCache {
    return this.preparer.cache;
  }

  /** gzip members whose output is not all in yet */
  get inflating(): number {
    return this.members.filter((m) => !m.ended).length;
  }

  push(chunk: Buffer): void {
    if (!this.broken) this.raw.push(chunk);
  }

  /** The reply is all in: resolves once every member has inflated and the last section is closed. */
  async finish(): Promise<SectionPreparer> {
    this.raw.end();
    // Members inflate side by side: a small last one (the errors) may end before a large one before it.
    if (!this.broken && this.members.some((m) => !m.ended)) await new Promise<void>((resolve) => (this.allEnded = resolve));
    if (!this.broken) this.plain.end();
    return this.preparer;
  }

  /** Plain bytes of the raw reply: passed on now, or after the members still inflating before them. */
  private passPlain(bytes: Buffer): void {
    if (this.broken) return;
    if (this.members.every((m) => m.ended)) return this.plain.push(bytes);
    const last = this.members[this.members.length - 1]!;
    if (last.gunzip === null) last.held.push(bytes);
    else this.members.push({ gunzip: null, held: [bytes], ended: true });
  }

  private startMember(): void {
    const gunzip = createGunzip();
    const member: Member = { gunzip, held: [], ended: false };
    this.members.push(member);
    const settle = () => {
      if (member.ended) return;
      member.ended = true;
      this.release();
    };
    gunzip.on('data', (b: Buffer) => {
      this.inflated += b.length;
      if (this.inflated > this.inflatedLimit) return this.break();
      if (this.isCurrent(member)) this.plain.push(b);
      else member.held.push(b);
    });
    gunzip.on('end', settle);
    gunzip.on('error', () => {
      this.break();
      settle();
    });
  }

  /** Whether every member before `member` has given all its output. */
  private isCurrent(member: Member): boolean {
    for (const m of this.members) {
      if (m === member) return true;
      if (!m.ended) return false;
    }
    return false;
  }

  /** Passes on, in order, the output of the members whose turn has come. */
  private release(): void {
    for (const m of this.members) {
      if (!this.broken) for (const b of m.held.splice(0)) this.plain.push(b);
      if (!m.ended) return;
    }
    this.allEnded?.();
  }

  /** A member that does not inflate, or inflates past the limit: nothing more is split (the final read says why). */
  private break(): void {
    if (this.broken) return;
    this.broken = true;
    for (const m of this.members) m.gunzip?.destroy();
    this.allEnded?.();
  }
}
