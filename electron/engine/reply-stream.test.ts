/** ReplyStream: a reply split and prepared as it arrives, gzip members inflated as their bytes come. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { splitSections } from '../../shared/collect/frame';
import { parseCollectOutput } from '../../shared/collect/frame';
import { assembleSnapshot } from '../../shared/snapshot/assemble';
import { runCollector, unwrapReply } from './collect';
import { localSession } from './session';
import { ReplyStream } from './reply-stream';

const nonce = 'ef'.repeat(16);
const M = `@@PSC${nonce}`;
const mark = (name: string) => `\n${M} ${name}\n`;
const first = `${mark('pids')}/proc/7\n${mark('h stat+status')}\n==> /proc/7/stat <==\n7 (x) S 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 100 0 0\n\n==> /proc/7/status <==\nName:\tx\nPid:\t7\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nThreads:\t1\n${mark('first')}`;
// Big enough that gzip's output of it comes in several pieces, and a member's inflation takes a while.
const links = Array.from({ length: 5000 }, (_, i) => `/proc/7/fd/${i}\0socket:[${1000 + i}]\0`).join('');
const rest = `${mark('ns')}/proc/7/ns/net net:[4026531840]\n${mark('links')}${links}${mark('end')}`;
const errors = `${mark('stderr')}find: '/proc/9/fd': Permission denied\n`;
const done = mark('done');

/** A part of a reply as a gzip member after its "gzip" mark. */
const member = (text: string) => [Buffer.from(mark('gzip')), gzipSync(Buffer.from(text, 'latin1'))];
/** A links section long enough that its member still inflates after a small member behind it has ended. */
const manyLinks = `${mark('links')}${Array.from({ length: 200_000 }, (_, i) => `/proc/${i}/fd/1\0socket:[${i}]\0`).join('')}${mark('end')}`;

/** A reply as the collector sends it: plain, or each part a gzip member after a "gzip" mark. */
function reply(gzip: boolean): Buffer {
  const begin = `banner\n${mark('begin')}procscope-collect 8`;
  if (!gzip) return Buffer.from(`${begin}${first}${rest}${errors}${done}`, 'latin1');
  return Buffer.concat([Buffer.from(begin), ...member(first), ...member(rest), ...member(errors), Buffer.from(done)]);
}

async function streamed(bytes: Buffer, chunk: number, limit?: number) {
  const stream = new ReplyStream(nonce, undefined, limit);
  for (let at = 0; at < bytes.length; at += chunk) stream.push(Buffer.from(bytes.subarray(at, at + chunk)));
  return stream.finish();
}

describe('ReplyStream', () => {
  it.each([
    ['plain', false],
    ['gzip members', true],
  ])('prepares the very sections of the final reply (%s), however it is chunked', async (_what, gzip) => {
    const bytes = reply(gzip);
    const final = splitSections(unwrapReply({ stdout: bytes, stderr: '', code: 0 }, nonce).stdout, M);
    for (const chunk of [1, 7, 1000, 65536, bytes.length]) {
      const { prepared, cache } = await streamed(bytes, chunk);
      expect([...prepared.keys()].sort(), `chunks of ${chunk}`).toEqual(['h stat+status', 'links', 'ns']);
      for (const [name, early] of prepared) expect(early.bytes.equals(final.get(name)!), `${name}, chunks of ${chunk}`).toBe(true);
      expect(prepared.get('links')!.links!.size).toBe(5000);
      expect(prepared.get('ns')!.namespaces).toEqual([{ pid: 7, type: 'net', inode: 4026531840 }]);
      expect(cache.size).toBe(2);
    }
  });

  it('waits for a large member that inflates after the small one behind it', async () => {
    const bytes = Buffer.concat([Buffer.from(mark('begin')), ...member(manyLinks), ...member(errors), Buffer.from(done)]);
    const stream = new ReplyStream(nonce);
    stream.push(bytes);
    // As a reply's end comes: the small member has inflated by the time the reader finishes, the large one not yet.
    for (let turns = 0; stream.inflating > 1 && turns < 10_000; turns++) await new Promise(setImmediate);
    expect(stream.inflating).toBe(1);
    const { prepared } = await stream.finish();
    expect(prepared.get('links')?.links?.size).toBe(200_000);
  });

  it('passes on plain bytes after a member only once the member has given all of its output', async () => {
    const stream = new ReplyStream(nonce);
    stream.push(Buffer.concat([Buffer.from(mark('begin')), ...member(first), ...member(manyLinks)]));
    for (let turns = 0; stream.inflating > 1 && turns < 10_000; turns++) await new Promise(setImmediate);
    expect(stream.inflating).toBe(1);
    // The reply's last mark comes while the large member still inflates: it must not land inside its output.
    stream.push(Buffer.from(done));
    const { prepared } = await stream.finish();
    expect(prepared.get('links')?.links?.size).toBe(200_000);
  });

  it('stops at a gzip bomb, and finishes', async () => {
    // Members inflate side by side: what came before the limit was passed depends on their pace, so only the
    // section past it is checked.
    const { prepared } = await streamed(reply(true), 4096, 10_000);
    expect(prepared.has('links')).toBe(false);
  });

  it('finishes on a member that does not inflate, without what it held', async () => {
    const bytes = reply(true);
    const second = bytes.indexOf(mark('gzip'), bytes.indexOf(mark('gzip')) + 1);
    const at = second + mark('gzip').length + 20;
    bytes[at] = bytes[at]! ^ 0xff;
    const { prepared } = await streamed(bytes, 512);
    expect(prepared.has('h stat+status')).toBe(true);
    expect(prepared.has('links')).toBe(false);
  });

  it('finishes a reply cut short in a member', async () => {
    const bytes = reply(true);
    const { prepared } = await streamed(bytes.subarray(0, Math.floor(bytes.length * 0.6)), 512);
    expect(prepared.has('h stat+status')).toBe(true);
  });
});

describe('ReplyStream on this machine\'s own reply', () => {
  it.each([false, true])('prepares every process file, namespace and link section, and the assembly takes them (gzip %s)', async (compress) => {
    let stream: ReplyStream | undefined;
    const run = await runCollector(localSession(), { compress }, { onChunk: (c) => stream!.push(c) }, (n) => (stream = new ReplyStream(n)));
    const { prepared, cache } = await stream!.finish();
    expect([...prepared.keys()].sort()).toEqual(['h cgroup', 'h cmdline', 'h cpuset+io', 'h stat+status', 'links', 'ns']);
    const out = parseCollectOutput(run.reply.stdout, run.reply.stderr, run.nonce, undefined, prepared);
    // The very objects prepared, not parsed again.
    expect(out.links).toBe(prepared.get('links')!.links);
    expect(out.namespaces).toBe(prepared.get('ns')!.namespaces);
    const snapshot = assembleSnapshot(out, { target: 'local', collectedAt: run.collectedAt }, cache);
    expect(snapshot).toEqual(assembleSnapshot(parseCollectOutput(run.reply.stdout, run.reply.stderr, run.nonce), { target: 'local', collectedAt: run.collectedAt }));
    // stat, status and cmdline of (nearly) every process, from the cache: a process that exited mid-read has fewer.
    expect(cache.hits).toBeGreaterThan(2 * snapshot.processes.length);
  });
});
