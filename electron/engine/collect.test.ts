/** collectSnapshot against nodes that are not what it expects: each ends in a clear error, or in correct output. */
import { describe, expect, it } from 'vitest';
import { ProcscopeFailure } from '../../shared/errors';
import { collectSnapshot } from './collect';
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
