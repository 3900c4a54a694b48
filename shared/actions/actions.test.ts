import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ActionTarget, type ProcessAction, buildActionScript, checkAction, checkTargets, parseActionReply } from './actions';
import { buildLookScript, parseLookReply } from './look';

const TERM: ProcessAction = { kind: 'signal', signal: 'TERM' };

describe('process actions', () => {
  it.each<[unknown, string | RegExp]>([
    [{ kind: 'signal', signal: 'KILL' }, 'signal KILL'],
    [{ kind: 'renice', nice: -20 }, 'renice -20'],
    [{ kind: 'signal', signal: 'TERM; rm -rf /' }, /not an action/],
    [{ kind: 'signal', signal: 'SEGV' }, /not an action/],
    [{ kind: 'renice', nice: 20 }, /not an action/],
    [{ kind: 'renice', nice: 1.5 }, /not an action/],
    [{ kind: 'renice', nice: '5' }, /not an action/],
  ])('%j', (action, expected) => {
    if (expected instanceof RegExp) expect(() => checkAction(action)).toThrow(expected);
    else {
      const a = checkAction(action);
      expect(a.kind === 'signal' ? `signal ${a.signal}` : `renice ${a.nice}`).toBe(expected);
    }
  });

  it.each<[unknown, RegExp]>([
    [[], /between 1 and/],
    [[{ pid: 0, startTicks: 1 }], /not a process/],
    [[{ pid: '1; reboot', startTicks: 1 }], /not a process/],
    [[{ pid: 5, startTicks: -1 }], /not a process/],
    [[{ pid: 5 }], /not a process/],
  ])('refuses targets %j', (targets, why) => expect(() => checkTargets(targets)).toThrow(why));

  it('reads each target\'s outcome; one the reply does not mention failed', () => {
    const targets: ActionTarget[] = [1, 2, 3, 4, 5].map((pid) => ({ pid, startTicks: 100 + pid }));
    const reply = ['R 1 done', 'R 2 gone', 'R 3 reused 999', 'R 4 failed sh: kill: (4) - Operation not permitted', 'R end', ''].join('\n');
    expect(parseActionReply(reply, targets, TERM).map((r) => [r.pid, r.outcome, r.message])).toEqual([
      [1, 'done', 'sent SIGTERM to pid 1 (its start time checked just before)'],
      [2, 'gone', 'pid 2 has exited; nothing was sent'],
      [3, 'reused', 'pid 3 is now another process (it started at tick 999, not 103); nothing was sent'],
      [4, 'denied', "pid 4: permission denied (sh: kill: (4) - Operation not permitted); open the node with sudo to act on other users' processes"],
      [5, 'failed', 'pid 5: no answer from the node (the connection may have dropped)'],
    ]);
  });

  it('the script checks the start time in sh and sends nothing to a reused or vanished pid (run here, on sleep processes)', () => {
    const sleeper = spawnSync('sh', ['-c', 'sleep 60 >/dev/null 2>&1 </dev/null & echo $!'], { encoding: 'utf8' });
    const pid = Number(sleeper.stdout.trim());
    const look = (p: number) => {
      const nonce = 'a'.repeat(32);
      return parseLookReply(spawnSync('sh', [], { input: buildLookScript(p, nonce), encoding: 'latin1' }).stdout, nonce);
    };
    const seen = look(pid)!;
    expect(seen).toMatchObject({ pid, name: 'sleep', cmdline: ['sleep', '60'], user: 'root' });
    const run = (targets: ActionTarget[], action: ProcessAction) => parseActionReply(spawnSync('sh', [], { input: buildActionScript(targets, action, 'b'.repeat(32)), encoding: 'latin1' }).stdout, targets, action);
    expect(run([{ pid, startTicks: seen.startTicks + 1 }], TERM)[0]!.outcome).toBe('reused');
    expect(look(pid)).not.toBeNull();
    expect(run([{ pid, startTicks: seen.startTicks }], { kind: 'renice', nice: 7 })[0]!.outcome).toBe('done');
    expect(look(pid)!.nice).toBe(7);
    // Without python3 the shell checks just before sending; with it, the process is held by a pidfd.
    const noPython = mkdtempSync(join(tmpdir(), 'procscope-nopython-'));
    for (const tool of ['cat', 'tr', 'renice']) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(noPython, tool));
    const runWithout = (targets: ActionTarget[], action: ProcessAction) =>
      parseActionReply(spawnSync('/bin/sh', [], { input: buildActionScript(targets, action, 'b'.repeat(32)), encoding: 'latin1', env: { PATH: noPython } }).stdout, targets, action);
    expect(runWithout([{ pid, startTicks: seen.startTicks }], { kind: 'signal', signal: 'CONT' })[0]!.message).toBe(`sent SIGCONT to pid ${pid} (its start time checked just before)`);
    expect(runWithout([{ pid, startTicks: seen.startTicks + 1 }], TERM)[0]!.outcome).toBe('reused');
    const hasPidfd = spawnSync('python3', ['-c', 'import os; os.close(os.pidfd_open(os.getpid()))']).status === 0;
    if (!hasPidfd) console.warn('SKIP the pidfd path: no python3 with os.pidfd_open here');
    if (hasPidfd) expect(run([{ pid, startTicks: seen.startTicks + 1 }], TERM)[0]!.outcome).toBe('reused');
    const killed = run([{ pid, startTicks: seen.startTicks }], { kind: 'signal', signal: 'KILL' })[0]!;
    expect(killed.outcome).toBe('done');
    if (hasPidfd) expect(killed.message).toBe(`sent SIGKILL to pid ${pid} (held by a pidfd)`);
    // Reaped by init (its parent shell has exited), the pid is gone: nothing is sent.
    spawnSync('sh', ['-c', `for i in $(seq 100); do [ -e /proc/${pid} ] || break; sleep 0.05; done`]);
    expect(run([{ pid, startTicks: seen.startTicks }], TERM)[0]!.outcome).toBe('gone');
  });
});
