/**
 * The collector's reply split into sections while it arrives: the same sections as frame.ts's splitSections gives
 * for the whole reply, however the bytes are chunked (section-stream.test.ts checks that over random cuts).
 * A section's body is handed over in pieces as it comes (only bytes that cannot be the start of the next mark),
 * then whole when the next mark, or the end, closes it.
 */

export interface SectionSink {
  /** a section's mark and name are in */
  open?(name: string): void;
  /** the next bytes of the open section's body, in order */
  data?(name: string, piece: Buffer): void;
  /** whether close() is given the section's whole body (a copy, when it came in more than one piece); by default, yes */
  keeps?(name: string): boolean;
  /** the open section has ended: its whole body when kept (the one piece itself when there was one), else null */
  close(name: string, body: Buffer | null): void;
}

const EMPTY = Buffer.alloc(0);

export class SectionSplitter {
  private readonly needle: Buffer;
  /** the name being read (after a mark, before its newline), or null while in a body or before the first mark */
  private nameParts: Buffer[] | null = null;
  /** the open section, or null before the first mark */
  private current: string | null = null;
  /** the open section's pieces so far, or null when its body is not kept */
  private pieces: Buffer[] | null = null;
  /** the last bytes seen, held back because a mark may start in them */
  private carry: Buffer = EMPTY;
  /** how many leading bytes of `carry` are not body (the newline that ends a name, which may also start a mark) */
  private skip = 0;

  constructor(
    mark: string,
    private readonly sink: SectionSink,
  ) {
    this.needle = Buffer.from(`\n${mark} `);
  }

  push(chunk: Buffer): void {
    let buf = chunk;
    while (buf.length > 0) buf = this.nameParts ? this.readName(buf) : this.readBody(buf);
  }

  /** The reply is all in: the open section closes at its end. A mark whose name never ended opens nothing. */
  end(): void {
    if (this.nameParts || this.current === null) return;
    this.deliver(this.carry.subarray(this.skip));
    this.closeCurrent();
    this.carry = EMPTY;
    this.skip = 0;
  }

  /** Reads a name up to its newline; returns what is left of `buf` after it. */
  private readName(buf: Buffer): Buffer {
    const nl = buf.indexOf(0x0a);
    if (nl < 0) {
      this.nameParts!.push(buf);
      return EMPTY;
    }
    this.nameParts!.push(buf.subarray(0, nl));
    this.current = Buffer.concat(this.nameParts!).toString('latin1');
    this.nameParts = null;
    this.pieces = this.sink.keeps?.(this.current) === false ? null : [];
    this.sink.open?.(this.current);
    // The name's newline may be the first byte of the next mark: it is held back, as no part of the body.
    this.carry = buf.subarray(nl, nl + 1);
    this.skip = 1;
    return buf.subarray(nl + 1);
  }

  /** Reads body bytes up to the next mark; returns what is left of `chunk` after that mark, or nothing. */
  private readBody(chunk: Buffer): Buffer {
    const L = this.needle.length;
    if (this.carry.length > 0) {
      if (chunk.length < L - 1) return this.readBodyFrom(Buffer.concat([this.carry, chunk]), this.skip);
      // A mark that starts in the carry ends within the chunk: the seam alone tells. Else the carry is body, and
      // the chunk is read as it is, its pieces views of it (no copy of the reply).
      const seam = Buffer.concat([this.carry, chunk.subarray(0, L - 1)]);
      const at = seam.indexOf(this.needle);
      if (at >= 0 && at < this.carry.length) return this.closeAt(seam, at, chunk.subarray(at + L - this.carry.length));
      this.deliver(this.carry.subarray(this.skip));
      this.carry = EMPTY;
      this.skip = 0;
    }
    return this.readBodyFrom(chunk, 0);
  }

  /** Reads `buf`, whose first `skip` bytes are no part of the body, up to the next mark. */
  private readBodyFrom(buf: Buffer, skip: number): Buffer {
    const at = buf.indexOf(this.needle);
    if (at >= 0) {
      this.skip = skip;
      return this.closeAt(buf, at, buf.subarray(at + this.needle.length));
    }
    const sure = buf.length - Math.min(this.needle.length - 1, buf.length);
    if (sure > skip) {
      this.deliver(buf.subarray(skip, sure));
      this.carry = buf.subarray(sure);
      this.skip = 0;
    } else {
      this.carry = buf;
      this.skip = skip;
    }
    return EMPTY;
  }

  /** The open section ends where a mark starts, at `at` of `buf` (whose first `this.skip` bytes are not body). */
  private closeAt(buf: Buffer, at: number, after: Buffer): Buffer {
    this.deliver(buf.subarray(this.skip, Math.max(this.skip, at)));
    this.closeCurrent();
    this.carry = EMPTY;
    this.skip = 0;
    this.nameParts = [];
    return after;
  }

  private deliver(piece: Buffer): void {
    if (this.current === null || piece.length === 0) return;
    this.pieces?.push(piece);
    this.sink.data?.(this.current, piece);
  }

  private closeCurrent(): void {
    if (this.current === null) return;
    const pieces = this.pieces;
    this.pieces = null;
    this.sink.close(this.current, pieces === null ? null : pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces));
  }
}
