/** The collector under every POSIX shell a node may have, and against processes that try to break its framing. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until, untilArgv } from './helpers/kernel';
import { readFileSync } from 'node:fs';
import { encodeBytes } from '../shared/bytes';
import { sectionMark } from '../shared/collect/protocol';
import { collectSnapshot } from '../electron/engine/collect';
import { localSession } from '../electron/engine/session';
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

describe('a process that forges the framing', () => {
  // Marks and separators of the collector's format, with a made-up nonce: the real one is random per run and never on the node's argv.
  const fake = sectionMark('0'.repeat(32));
  // head's framing, forged too: a whole header line naming another process's file.
  const forgedArgv = [`x\n${fake} end\n`, `\n${fake}:f\n/proc/1/status`, `${fake} data\0`.replace('\0', ''), ')'.repeat(40), 'y\n==> /proc/1/cmdline <==\nz'];
  const forgedComm = `${fake.slice(0, 6)}\n) :`;
  let child: ReturnType<typeof spawn>;
  beforeAll(async () => {
    child = spawn(process.execPath, ['-e', `require('fs').writeFileSync('/proc/self/comm', process.argv[1]); setInterval(() => {}, 1e9)`, forgedComm, ...forgedArgv], {
      stdio: 'ignore',
    });
    // Running, with its argv and its forged comm set.
    await untilArgv(child.pid, (argv) => argv[1] === '-e');
    await until(() => !readFileSync(`/proc/${child.pid}/comm`, 'latin1').startsWith('node') || 'comm not set yet');
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    if (applets) rmSync(applets, { recursive: true, force: true });
  });

  for (const [name, argv] of shells) {
   const missing = spawnSync(argv[0]!, [...argv.slice(1, -1), '-c', 'true']).status !== 0;
   if (missing) console.warn(`SKIP ${name}: ${argv[0]} is not installed (.ci/run installs it)`);
   it.skipIf(missing)(`under ${name}: every process comes back whole`, async () => {
    const snap = await collectSnapshot(localSession(argv));
    expect(schemaErrors(snap)).toEqual([]);
    const proc = snap.processes.find((p) => p.pid === child.pid);
    expect(proc?.name).toBe(forgedComm);
    expect(proc?.cmdline.slice(4)).toEqual(forgedArgv);
    expect(Buffer.from(encodeBytes(proc!.cmdline.join('\0') + '\0')).equals(readFileSync(`/proc/${child.pid}/cmdline`))).toBe(true);
    // The collector saw this test runner too, with the same view as under /bin/sh.
    expect(snap.processes.find((p) => p.pid === process.pid)?.fds?.length).toBeGreaterThan(0);
    expect(snap.sockets.length).toBeGreaterThan(0);
   });
  }
});
