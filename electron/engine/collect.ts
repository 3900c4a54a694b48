/** collectSnapshot: one round trip to a node, parsed into a procscope.snapshot/v1. */
import { randomBytes } from 'node:crypto';
import { parseCollectOutput } from '../../shared/collect/frame';
import { buildCollectScript, sectionMark } from '../../shared/collect/script';
import { fail } from '../../shared/errors';
import { assembleSnapshot } from '../../shared/snapshot/assemble';
import type { Snapshot } from '../../shared/snapshot/types';
import type { NodeSession, RunOptions } from './session';

export interface CollectOptions extends RunOptions {
  /** read container name sources under this directory of the node instead of / (tests; a node's filesystem mounted elsewhere) */
  namesRoot?: string;
}

function firstLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(0, n).join(' / ');
}

export async function collectSnapshot(session: NodeSession, options: CollectOptions = {}): Promise<Snapshot> {
  const nonce = randomBytes(16).toString('hex');
  const started = performance.now();
  const collectedAt = new Date();
  const result = await session.runScript(buildCollectScript(nonce, { namesRoot: options.namesRoot }), options);
  const mark = Buffer.from(`\n${sectionMark(nonce)} begin\n`);
  if (result.stdout.indexOf(mark) < 0) {
    if (options.sudo && /password is required|a terminal is required|askpass/i.test(result.stderr)) {
      fail({ kind: 'auth', message: `sudo on ${session.target} asks for a password.`, hint: 'Allow the collector without one (a NOPASSWD rule in sudoers for this user), or log in as root and leave out --sudo.' });
    }
    if (options.sudo && /not in the sudoers|may not run sudo|sudo: .*not found/i.test(result.stderr)) {
      fail({ kind: 'permission-denied', message: `sudo on ${session.target} refused: ${firstLines(result.stderr)}`, hint: 'Log in as a user allowed to run sudo, or as root without --sudo.' });
    }
    if (result.code === 127) fail({ kind: 'unsupported', message: `${session.target} has no /bin/sh to run the collector.` });
    fail({
      kind: 'parse',
      message: `${session.target} ran the collector but it printed nothing procscope can read (exit ${result.code})${result.stderr.trim() ? `: ${firstLines(result.stderr)}` : ''}.`,
      hint: 'Is the login shell a POSIX system with /bin/sh? Does a forced command (authorized_keys command=) replace ours?',
    });
  }
  const output = parseCollectOutput(result.stdout, result.stderr, nonce);
  if (output.noProc !== null) {
    fail({ kind: 'unsupported', message: `${session.target} has no readable /proc (it says it is ${output.noProc || 'an unknown system'}).`, hint: 'procscope reads Linux nodes only.' });
  }
  const ostype = output.files.get('/proc/sys/kernel/ostype')?.toString('latin1').trim();
  if (ostype !== undefined && ostype !== 'Linux') fail({ kind: 'unsupported', message: `${session.target} is ${ostype}, not Linux.`, hint: 'procscope reads Linux nodes only.' });
  if (output.noTmp) fail({ kind: 'permission-denied', message: `${session.target} has no writable temporary directory for the collector (tried $TMPDIR, /tmp, /dev/shm).` });
  if (!output.complete) {
    fail({ kind: 'connection', message: `The collection on ${session.target} stopped before its end (exit ${result.code})${result.stderr.trim() ? `: ${firstLines(result.stderr)}` : ''}.`, hint: 'The connection may have dropped; try again.' });
  }
  return assembleSnapshot(output, {
    target: session.target,
    collectedAt,
    durationMs: Math.round(performance.now() - started),
    viaSudo: options.sudo ?? false,
    namesRoot: options.namesRoot ?? '',
  });
}
