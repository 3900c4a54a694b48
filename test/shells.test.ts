/**
 * The collector under every POSIX shell a node may have, and against processes that try to break its framing: in a
 * scene of its own (helpers/scene.ts), so each read is of the forger and its neighbours, not the whole machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until, untilArgv } from './helpers/kernel';
import { readFileSync } from 'node:fs';
import { encodeBytes } from '../shared/bytes';
import { sectionMark } from '../shared/collect/protocol';
import { collectSnapshot } from '../electron/engine/collect';
import { type Scene, sceneUnavailable, startScene } from './helpers/scene';
import { schemaErrors } from './helpers/schema';

/** A directory of busybox applets only, for a node with no coreutils or findutils. */
function busyboxApplets(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'procscope-busybox-'));
  return spawnSync('busybox', ['--install', '-s', dir]).status === 0 ? dir : null;
}
const applets = busyboxApplets();

const shells: [string, string[]][] = [
  ['dash', ['dash', '-s']],
  ['busybox ash', ['busybox', 'sh', '-s']],
  ['bash --posix', ['bash', '--posix', '-s']],
  ['busybox ash with busybox applets only', applets ? ['env', '-i', `PATH=${applets}`, `${applets}/sh`, '-s'] : ['busybox-missing', '-s']],
];

const noScene = sceneUnavailable();
if (noScene) console.warn(`SKIP the shells' reads: ${noScene}`);

describe.skipIf(noScene !== null)('a process that forges the framing', () => {
  // Marks and separators of the collector's format, with a made-up nonce: the real one is random per run and never on the node's argv.
  const fake = sectionMark('0'.repeat(32));
  // head's framing, forged too: a whole header line naming another process's file.
  const forgedArgv = [`x\n${fake} end\n`, `\n${fake}:f\n/proc/1/status`, `${fake} data\0`.replace('\0', ''), ')'.repeat(40), 'y\n==> /proc/1/cmdline <==\nz'];
  const forgedComm = `${fake.slice(0, 6)}\n) :`;
  let scene: Scene;
  /** the forger, as this machine sees it and inside the scene */
  let forger: { hostPid: number; pid: number };
  beforeAll(async () => {
    scene = await startScene();
    forger = await scene.start([process.execPath, '-e', `require('fs').writeFileSync('/proc/self/comm', process.argv[1]); setInterval(() => {}, 1e9)`, forgedComm, ...forgedArgv], { stdio: 'ignore' });
    // Running, with its argv and its forged comm set.
    await untilArgv(forger.hostPid, (argv) => argv[1] === '-e');
    await until(() => !readFileSync(`/proc/${forger.hostPid}/comm`, 'latin1').startsWith('node') || 'comm not set yet');
  });
  afterAll(() => {
    scene?.stop();
    if (applets) rmSync(applets, { recursive: true, force: true });
  });

  for (const [name, argv] of shells) {
   const missing = spawnSync(argv[0]!, [...argv.slice(1, -1), '-c', 'true']).status !== 0;
   if (missing) console.warn(`SKIP ${name}: ${argv[0]} is not installed (.ci/run installs it)`);
   it.skipIf(missing)(`under ${name}: every process comes back whole`, async () => {
    const snap = await collectSnapshot(scene.session(argv));
    expect(schemaErrors(snap)).toEqual([]);
    const proc = snap.processes.find((p) => p.pid === forger.pid);
    expect(proc?.name).toBe(forgedComm);
    expect(proc?.cmdline.slice(4)).toEqual(forgedArgv);
    expect(Buffer.from(encodeBytes(proc!.cmdline.join('\0') + '\0')).equals(readFileSync(`/proc/${forger.hostPid}/cmdline`))).toBe(true);
    // The scene and nothing else: its pid 1, the forger and the collector's own processes; the forger's fds read.
    expect(snap.processes.every((p) => p.pid < 1000)).toBe(true);
    expect(proc?.fds?.length).toBeGreaterThan(0);
    expect(snap.sockets.length).toBeGreaterThan(0);
   });
  }
});
