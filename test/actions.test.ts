/**
 * Signals and renice over a real sshd, run by the built CLI: sent to the process seen, refused for a pid that is
 * now another process (asked with a stale start time), denied for another user's process without sudo and done
 * with it, renice checked in /proc/<pid>/stat; every action in the local log.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli';
import { untilArgv } from './helpers/kernel';
import { type KeyPair, type Sshd, ensureUser, generateKey, makeTempDir, sshdUnavailable, startSshd, sudoersRule } from './helpers/sshd';
import { parseStat } from '../shared/proc/stat';

const skip = sshdUnavailable();
if (skip) console.warn(`SKIP action tests: ${skip}`);
const sudoOk = spawnSync('sudo', ['-V']).status === 0;
if (!skip && !sudoOk) console.warn('SKIP the sudo action test: no sudo here');

describe.skipIf(skip !== null)('procscope signal and renice', () => {
  let sshd: Sshd;
  let dir: string;
  let key: KeyPair;
  let knownHosts: string;
  const children: ChildProcess[] = [];
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    sshd = await startSshd();
    dir = makeTempDir('actions');
    key = generateKey(dir, 'id_actions');
    sshd.authorize('root', key.publicLine);
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, sshd.knownHostsLine() + '\n');
    if (sudoOk) {
      ensureUser('psc-sudo', 'x-unused-1');
      sshd.authorize('psc-sudo', key.publicLine);
      cleanups.push(sudoersRule(`procscope-actions-${process.pid}`, 'psc-sudo ALL=(root) NOPASSWD: /bin/sh'));
    }
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    cleanups.forEach((f) => f());
    await sshd?.stop();
  });

  /** A root process with an odd argv, ready once the kernel shows its argv. */
  async function victim(tag: string): Promise<{ child: ChildProcess; pid: number; exited: Promise<NodeJS.Signals | null> }> {
    const child = spawn('sleep', ['600'], { argv0: `victim-${tag}`, stdio: 'ignore' });
    children.push(child);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await untilArgv(child.pid, (argv) => argv[0] === `victim-${tag}`);
    return { child, pid: child.pid!, exited };
  }
  const statOf = (pid: number) => parseStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  const cli = (user: string, args: string[]) => runCli([args[0]!, `${user}@127.0.0.1:${sshd.port}`, ...args.slice(1), '-i', key.privatePath, '--known-hosts', knownHosts], { XDG_CONFIG_HOME: join(dir, 'config') });
  const logged = () => readFileSync(join(dir, 'config', 'procscope', 'actions.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  it('sends the signal to the process seen, and nothing to a pid whose start time is not the one given', async () => {
    const v = await victim('reused');
    const start = statOf(v.pid).startTicks;
    const stale = await cli('root', ['signal', `${v.pid}@${start + 1}`, 'KILL', '--yes']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`pid ${v.pid} is now another process (it started at tick ${start}, not ${start + 1}); nothing was sent`);
    expect(statOf(v.pid).startTicks).toBe(start);
    const sent = await cli('root', ['signal', `${v.pid}@${start}`, 'TERM', '--yes']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toContain(`pid ${v.pid} sleep (user root, started at tick ${start}, nice 0): victim-reused 600`);
    expect(sent.stderr).toContain(`sent SIGTERM to pid ${v.pid}`);
    expect(await v.exited).toBe('SIGTERM');
    expect(logged().slice(-2)).toEqual([
      expect.objectContaining({ node: `root@127.0.0.1:${sshd.port}`, pid: v.pid, startTicks: start + 1, action: 'SIGKILL', outcome: 'reused', sudo: false, by: 'cli' }),
      expect.objectContaining({ pid: v.pid, startTicks: start, action: 'SIGTERM', outcome: 'done' }),
    ]);
    // Gone now: nothing to send.
    const gone = await cli('root', ['signal', String(v.pid), 'TERM', '--yes']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`pid ${v.pid}: no such process`);
  });

  it('renices, as /proc/<pid>/stat then says; asks first, and refuses to act unasked off a terminal', async () => {
    const v = await victim('renice');
    const unasked = await cli('root', ['renice', String(v.pid), '7']);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toMatch(/not on a terminal: give --yes/);
    expect(statOf(v.pid).nice).toBe(0);
    const r = await cli('root', ['renice', String(v.pid), '7', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`pid ${v.pid} reniced to 7`);
    expect(statOf(v.pid).nice).toBe(7);
    // A negative value is the nice value, not an option (lowering it takes root, which this login is).
    const lower = await cli('root', ['renice', String(v.pid), '-3', '--yes']);
    expect(lower.code, lower.stderr).toBe(0);
    expect(statOf(v.pid).nice).toBe(-3);
    expect((await cli('root', ['renice', String(v.pid), '25', '--yes'])).stderr).toMatch(/bad nice value: 25/);
    expect((await cli('root', ['signal', String(v.pid), 'SEGV', '--yes'])).stderr).toMatch(/bad signal: SEGV/);
  });

  it.skipIf(!sudoOk)("is denied another user's process without sudo, and does it with --sudo", async () => {
    const v = await victim('sudo');
    const denied = await cli('psc-sudo', ['signal', String(v.pid), 'TERM', '--yes']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(new RegExp(`pid ${v.pid}: permission denied \\(.*Operation not permitted.*\\); open the node with sudo`));
    expect(statOf(v.pid).state).not.toBe('Z');
    const done = await cli('psc-sudo', ['signal', String(v.pid), 'TERM', '--yes', '--sudo']);
    expect(done.code, done.stderr).toBe(0);
    expect(await v.exited).toBe('SIGTERM');
    expect(logged().slice(-2).map((e) => [e.outcome, e.sudo])).toEqual([
      ['denied', false],
      ['done', true],
    ]);
  });
});
