/** collectSnapshot against nodes that are not what it expects: each ends in a clear error, or in correct output. */
import { describe, expect, it } from 'vitest';
import { ProcscopeFailure } from '../../shared/errors';
import { collectSnapshot, earlyParser } from './collect';
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
    const err = await failure(fakeNode((n) => ok(`\n@@PSC${n} begin\nprocscope-collect 1\n@@PSC${n} ns\n`, '', 255)));
    expect(err).toMatchObject({ kind: 'connection' });
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

describe('the early parse of a plain reply', () => {
  const nonce = 'cd'.repeat(16);
  const reply = Buffer.from(`\n@@PSC${nonce} h stat\n\n==> /proc/7/stat <==\n7 (x) S 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 100 0 0\n\n@@PSC${nonce} links\n/proc/7/exe\0/bin/x\0`);

  it('starts when the links mark is in, however the reply is cut into chunks', async () => {
    for (let cut = 1; cut < reply.length; cut++) {
      const early = earlyParser();
      early.start(nonce);
      early.onChunk(reply.subarray(0, cut));
      early.onChunk(reply.subarray(cut));
      await new Promise((r) => setImmediate(r));
      const stat = reply.subarray(reply.indexOf('7 (x)'), reply.indexOf(`\n@@PSC${nonce} links`));
      const cache = early.cache();
      expect(cache, `cut at ${cut}`).toBeDefined();
      // The file was parsed before the assembly asked for it.
      expect(cache!.size, `cut at ${cut}`).toBe(1);
      expect(cache!.parse('stat', '/proc/7/stat', stat).comm).toBe('x');
    }
  });
});
