/**
 * Logins whose shell is not sh, or whose rc files print: fish, csh, and bash with a chatty .bashrc.
 * The collector must still give a correct snapshot, never garbage parsed as processes.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot } from '../electron/engine/collect';
import { openSession } from '../electron/engine/open';
import { schemaErrors } from './helpers/schema';
import { type KeyPair, type Sshd, ensureUser, generateKey, makeTempDir, sshdUnavailable, startSshd } from './helpers/sshd';

const skipReason = sshdUnavailable();
if (skipReason) console.warn(`SKIP login shell tests: ${skipReason}`);

interface ShellCase {
  user: string;
  shell: string;
  rc?: [string, string];
}

const CASES: ShellCase[] = [
  { user: 'psc-fish', shell: '/usr/bin/fish', rc: ['.config/fish/config.fish', 'echo "Welcome from fish"\n'] },
  { user: 'psc-csh', shell: '/usr/bin/csh', rc: ['.cshrc', 'echo "Welcome from csh"\n'] },
  { user: 'psc-chatty', shell: '/bin/bash', rc: ['.bashrc', 'echo "Last login: today"\nprintf "@@PSC%s end\\n" deadbeef\n'] },
];

function ensureShellUser(c: ShellCase): void {
  // A password unlocks the account: without PAM, sshd refuses even keys for a locked one.
  ensureUser(c.user, `unused-${c.user}-pw`);
  execFileSync('usermod', ['--shell', c.shell, c.user]);
  if (c.rc) {
    const home = `/home/${c.user}`;
    const file = join(home, c.rc[0]);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, c.rc[1]);
    const { uid, gid } = { uid: Number(execFileSync('id', ['-u', c.user]).toString()), gid: Number(execFileSync('id', ['-g', c.user]).toString()) };
    chownSync(file, uid, gid);
    chmodSync(file, 0o644);
  }
}

describe.skipIf(skipReason !== null)('login shells', () => {
  let sshd: Sshd;
  let key: KeyPair;
  let dir: string;
  beforeAll(async () => {
    sshd = await startSshd({ userRcFiles: true });
    dir = makeTempDir('shells');
    key = generateKey(dir, 'id');
    writeFileSync(join(dir, 'known_hosts'), sshd.knownHostsLine() + '\n');
  });
  afterAll(async () => sshd?.stop());

  for (const c of CASES) {
    const missing = !existsSync(c.shell);
    if (missing) console.warn(`SKIP ${c.user}: no ${c.shell} (.ci/run installs fish and tcsh)`);
    it.skipIf(missing)(`collects through a ${c.shell} login${c.rc ? ' whose rc file prints' : ''}`, async () => {
      ensureShellUser(c);
      sshd.authorize(c.user, key.publicLine);
      const session = await openSession(`${c.user}@127.0.0.1:${sshd.port}`, { identityFiles: [key.privatePath], knownHostsFile: join(dir, 'known_hosts'), agentSocket: null });
      try {
        const snap = await collectSnapshot(session);
        expect(schemaErrors(snap)).toEqual([]);
        const me = snap.processes.find((p) => p.pid === process.pid)!;
        expect(me.cmdline).toEqual(readFileSync(`/proc/${process.pid}/cmdline`, 'utf8').split('\0').slice(0, -1));
        expect(snap.processes.every((p) => Number.isInteger(p.pid) && p.pid > 0)).toBe(true);
        expect(snap.processes.some((p) => /Welcome|Last login/.test(p.name))).toBe(false);
      } finally {
        session.close();
      }
    });
  }
});
