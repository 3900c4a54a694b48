/** collectSnapshot against nodes that are not what it expects: each ends in a clear error, or in correct output. */
import { describe, expect, it } from 'vitest';
import { VERSION_LINE } from '../../shared/collect/protocol';
import { ProcscopeFailure } from '../../shared/errors';
import { gzipSync } from 'node:zlib';
import { collectSnapshot, firstReadWatcher, inflateMembers } from './collect';
import { type NodeSession, type ScriptResult, localSession } from './session';

/** A node whose shell answers with `reply(nonce)`: the nonce is read from the script, as the node's sh would. */
function fakeNode(reply: (nonce: string, script: string) => ScriptResult | Promise<ScriptResult>): NodeSession {
  return {
    target: 'fake@node:22',
    runScript: async (script) => reply(/M='@@PSC([0-9a-f]{32})'/.exec(script)![1]!, script),
    isOpen: () => true,
    close() {},
  };
}

async function failure(session: NodeSession, sudo = false) {
  try {
    await collectSnapshot(session, { sudo });
  } catch (err) {
    expect(err).toBeInstanceOf(ProcscopeFailure);
    return (err as ProcscopeFailure).error;
  }
  throw new Error('expected the collection to fail');
}

const ok = (stdout: string, stderr = '', code = 0): ScriptResult => ({ stdout: Buffer.from(stdout), stderr, code });

describe('collectSnapshot on odd nodes', () => {
  it('says a node without /proc is not Linux', async () => {
    const err = await failure(fakeNode((n) => ok(`\n@@PSC${n} begin\nprocscope-collect 1\n@@PSC${n} noproc\nFreeBSD\n\n@@PSC${n} end\n`)));
    expect(err).toMatchObject({ kind: 'unsupported' });
    expect(err.message).toMatch(/no readable \/proc.*FreeBSD/);
  });

  it('says sudo wants a password, and how to fix it', async () => {
    const err = await failure(fakeNode(() => ok('', 'sudo: a password is required\n', 1)), true);
    expect(err).toMatchObject({ kind: 'auth' });
    expect(err.hint).toMatch(/NOPASSWD/);
  });

  it('says when the node printed nothing it can read (a forced command, say)', async () => {
    const err = await failure(fakeNode(() => ok('This account is restricted.\n', '', 1)));
    expect(err).toMatchObject({ kind: 'parse' });
    expect(err.hint).toMatch(/forced command/);
  });

  it('says when the output stopped early', async () => {
    const err = await failure(fakeNode((n) => ok(`\n@@PSC${n} begin\n${VERSION_LINE}\n@@PSC${n} ns\n`, '', 255)));
    expect(err).toMatchObject({ kind: 'connection' });
  });

  it('refuses a reply of another collector version', async () => {
    const err = await failure(fakeNode((n) => ok(`\n@@PSC${n} begin\nprocscope-collect 6\n@@PSC${n} end\n`)));
    expect(err).toMatchObject({ kind: 'parse' });
    expect(err.message).toMatch(/another version \("procscope-collect 6".*"procscope-collect 8"/);
  });

  it('reads through a login banner and rc-file echoes', async () => {
    const real = localSession();
    const snap = await collectSnapshot(
      fakeNode(async (_n, script) => {
        const r = await real.runScript(script);
        return { ...r, stdout: Buffer.concat([Buffer.from('Welcome to node7!\nLast login: never\n'), r.stdout]) };
      }),
    );
    expect(snap.processes.find((p) => p.pid === process.pid)).toBeDefined();
  });
});

describe('the first read of a reply', () => {
  const nonce = 'cd'.repeat(16);
  const M = `@@PSC${nonce}`;
  const first = `\n${M} h stat\n\n==> /proc/7/stat <==\n7 (x) S 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 100 0 0\n\n${M} first\n`;
  const rest = `\n${M} links\n/proc/7/exe\0/bin/x\0\n${M} end\n`;
  const cases: [string, Buffer][] = [
    ['plain', Buffer.from(`\n${M} begin\n${first}${rest}`)],
    ['gzip members', Buffer.concat([Buffer.from(`\n${M} begin\n\n${M} gzip\n`), gzipSync(first), Buffer.from(`\n${M} gzip\n`), gzipSync(rest)])],
  ];
  it.each(cases)('is handed over once, whole, when its end is in, however the reply is cut (%s)', (_, reply) => {
    for (let cut = 1; cut < reply.length; cut++) {
      const seen: string[] = [];
      const watcher = firstReadWatcher((prefix) => seen.push(prefix.toString('latin1')));
      watcher.start(nonce);
      watcher.onChunk(reply.subarray(0, cut));
      watcher.onChunk(reply.subarray(cut));
      expect(seen, `cut at ${cut}`).toEqual([`\n${M} begin\n${first}`]);
    }
  });
  it('inflates every gzip member of a reply in place', () => {
    const [, reply] = cases[1]!;
    expect(inflateMembers(reply, nonce).toString('latin1')).toBe(`\n${M} begin\n${first}${rest}`);
  });
});
