/**
 * A real collector reply, recorded from a pid, network, uts and ipc namespace of its own holding odd processes (an
 * argv with a newline, one that forges a head header, open files), replayed through unwrapping, parsing and assembly
 * into an exact expected snapshot: the whole format pinned without a live node, as prometheus/procfs tests against
 * an archived /proc tree.
 *
 *   PROCSCOPE_RECORD_REPLY=1 npx vitest run test/replay.test.ts     records the reply again (root), with the script
 *                                                                   of today (a new collector version needs it)
 *   PROCSCOPE_UPDATE_SNAPSHOTS=1 npx vitest run test/replay.test.ts  writes the expected snapshot from the reply, for
 *                                                                   an assembly changed on purpose (read the diff)
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCollectOutput } from '../shared/collect/frame';
import { SECTION, VERSION_LINE, doneMarker, sectionMark } from '../shared/collect/protocol';
import { buildCollectScript, buildRereadScript } from '../shared/collect/script';
import { assembleSnapshot } from '../shared/snapshot/assemble';
import { unwrapReply } from '../electron/engine/collect';
import { localSession } from '../electron/engine/session';
import { pidsWhereStatus, until } from './helpers/kernel';
import { ODD_TREE } from './helpers/odd-tree';

const dir = join(__dirname, 'fixtures', 'replies');
const files = { reply: join(dir, 'odd-tree.reply'), reread: join(dir, 'odd-tree.reread.reply'), meta: join(dir, 'odd-tree.json'), snapshot: join(dir, 'odd-tree.snapshot.json') };

interface ReplyMeta {
  nonce: string;
  stderr: string;
  code: number | null;
  collectedAt: string;
  durationMs: number;
  /** the second read of the process files whose head framing the argv with a forged header left unproven */
  reread: { nonce: string; stderr: string; code: number | null };
}

function replay(): unknown {
  const meta = JSON.parse(readFileSync(files.meta, 'utf8')) as ReplyMeta;
  const reply = unwrapReply({ stdout: readFileSync(files.reply), stderr: meta.stderr, code: meta.code }, meta.nonce);
  const again = unwrapReply({ stdout: readFileSync(files.reread), stderr: meta.reread.stderr, code: meta.reread.code }, meta.reread.nonce);
  const out = parseCollectOutput(reply.stdout, reply.stderr, meta.nonce, parseCollectOutput(again.stdout, again.stderr, meta.reread.nonce));
  const snapshot = assembleSnapshot(out, { target: 'recorded', collectedAt: new Date(meta.collectedAt), durationMs: meta.durationMs, viaSudo: false, namesRoot: '' });
  return JSON.parse(JSON.stringify(snapshot));
}

describe('a recorded collector reply', () => {
  it.runIf(process.env.PROCSCOPE_RECORD_REPLY === '1')('is recorded again from odd processes in namespaces of their own', async () => {
    const holder = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--net', '--uts', '--ipc', 'sh', '-c', `hostname replay-node; ${ODD_TREE}`, 'tree', '/tmp/procscope-replay'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    try {
      let said = '';
      holder.stdout!.on('data', (b: Buffer) => (said += b.toString()));
      await until(() => said.includes('ready') || 'the tree is not ready');
      const init = pidsWhereStatus((status) => status.match(/^PPid:\s+(\d+)$/m)?.[1] === String(holder.pid))[0]!;
      const nonce = randomBytes(16).toString('hex');
      const session = localSession(['nsenter', '-t', init, '-p', '-m', '-n', '-u', '-i', 'sh', '-s']);
      const collectedAt = new Date();
      const started = Date.now();
      const raw = await session.runScript(buildCollectScript(nonce), { endMarker: Buffer.from(doneMarker(nonce)) });
      const durationMs = Date.now() - started;
      const unproven = parseCollectOutput(unwrapReply(raw, nonce).stdout, '', nonce).unprovenPaths;
      expect(unproven.length, 'the forged header leaves the cmdlines unproven').toBeGreaterThan(0);
      const rereadNonce = randomBytes(16).toString('hex');
      const again = await session.runScript(buildRereadScript(rereadNonce, unproven), { endMarker: Buffer.from(doneMarker(rereadNonce)) });
      session.close();
      writeFileSync(files.reply, raw.stdout);
      writeFileSync(files.reread, again.stdout);
      const meta: ReplyMeta = { nonce, stderr: raw.stderr, code: raw.code, collectedAt: collectedAt.toISOString(), durationMs, reread: { nonce: rereadNonce, stderr: again.stderr, code: again.code } };
      writeFileSync(files.meta, JSON.stringify(meta, null, 2) + '\n');
      writeFileSync(files.snapshot, JSON.stringify(replay(), null, 1) + '\n');
    } finally {
      process.kill(-holder.pid!, 'SIGKILL');
      spawnSync('sleep', ['0.2']);
    }
  });

  it('is of the collector version this procscope writes (else record it again)', () => {
    const meta = JSON.parse(readFileSync(files.meta, 'utf8')) as ReplyMeta;
    const begin = `\n${sectionMark(meta.nonce)} ${SECTION.begin}\n`;
    const text = readFileSync(files.reply, 'latin1');
    expect(text.slice(text.indexOf(begin) + begin.length).split('\n')[0], 'PROCSCOPE_RECORD_REPLY=1 records it again').toBe(VERSION_LINE);
  });

  it('gives exactly the expected snapshot, the argv that forges a header whole', () => {
    const snapshot = replay();
    if (process.env.PROCSCOPE_UPDATE_SNAPSHOTS === '1') writeFileSync(files.snapshot, JSON.stringify(snapshot, null, 1) + '\n');
    expect(snapshot).toEqual(JSON.parse(readFileSync(files.snapshot, 'utf8')));
    const argvs = (snapshot as { processes: { cmdline: string[] }[] }).processes.map((p) => p.cmdline[0]);
    expect(argvs).toContain('x\n==> /proc/1/cmdline <==\ny');
    expect(argvs).toContain('odd\nname');
  });
});
