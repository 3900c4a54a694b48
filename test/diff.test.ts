/**
 * `procscope diff` on two real snapshots with known changes between them, taken by the built CLI inside a pid
 * namespace of the test's own (so nothing else starts or exits there): a process exits, one starts, a long-lived
 * one changes its cwd and threads and opens a listener, and a pid is reused by a new process (forced with
 * ns_last_pid), which the diff must call an exit and a start, never a change.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotDiff } from '../shared/diff/types';
import type { Snapshot } from '../shared/snapshot/types';
import { runCli } from './helpers/cli';
import { pidsWhereStatus, until } from './helpers/kernel';
import { diffSchemaErrors, schemaErrors } from './helpers/schema';
import { makeTempDir } from './helpers/sshd';

const isRoot = process.getuid?.() === 0;
const why =
  !isRoot ? 'needs root for a pid namespace'
  : spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status !== 0 ? 'unshare --pid --mount-proc fails here'
  : spawnSync('python3', ['-c', 'pass']).status !== 0 ? 'no python3'
  : null;
if (why) console.warn(`SKIP diff of two real snapshots: ${why}`);

/** Waits for a trigger file, then moves to /tmp, starts 12 threads and listens on a loopback port it writes down. */
const CHANGER = String.raw`
import os, socket, sys, threading, time
d = sys.argv[1]
while not os.path.exists(d + '/go'):
    time.sleep(0.05)
os.chdir('/tmp')
for _ in range(12):
    threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen()
open(d + '/port.tmp', 'w').write(str(s.getsockname()[1]))
os.rename(d + '/port.tmp', d + '/port')
time.sleep(600)
`;

const TREE = String.raw`
bash -c 'exec -a ps-exiter sleep 600' &
echo $! > "$1/exiter"
bash -c 'exec -a ps-victim sleep 600' &
echo $! > "$1/victim"
(cd / && exec -a ps-changer python3 "$1/changer.py" "$1") &
sleep 0.3
echo ready
wait`;

describe.skipIf(why !== null)('procscope diff, on a node that changed', () => {
  let holder: ChildProcess;
  let dir: string;
  let init: string;
  let via: string;
  // What it starts in the background must not hold the pipe spawnSync waits on.
  const inNs = (script: string) => spawnSync('nsenter', ['-t', init, '-p', '-m', 'sh', '-c', script, 'sh', dir], { encoding: 'utf8', timeout: 20_000 });
  const snapshot = async (name: string): Promise<{ path: string; snap: Snapshot }> => {
    const path = join(dir, name);
    const r = await runCli(['snapshot', '--via', via, '-o', path]);
    expect(r.code, r.stderr).toBe(0);
    return { path, snap: JSON.parse(readFileSync(path, 'utf8')) as Snapshot };
  };

  beforeAll(async () => {
    dir = makeTempDir('diff');
    writeFileSync(join(dir, 'changer.py'), CHANGER);
    holder = spawn('unshare', ['--pid', '--fork', '--mount-proc', 'bash', '-c', TREE, 'tree', dir], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let out = '';
    holder.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    await until(() => out.includes('ready') || 'the tree is not ready');
    init = pidsWhereStatus((status) => status.match(/^PPid:\s+(\d+)$/m)?.[1] === String(holder.pid))[0]!;
    via = `nsenter -t ${init} -p -m sh`;
  });
  afterAll(() => {
    if (holder?.pid) process.kill(-holder.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('says what started, exited, changed and listens, calls a reused pid an exit and a start, and its JSON follows the schema', async () => {
    const before = await snapshot('before.json');
    const pidOf = (file: string) => Number(readFileSync(join(dir, file), 'utf8').trim());
    const [exiter, victim] = [pidOf('exiter'), pidOf('victim')];
    expect(before.snap.processes.find((p) => p.pid === victim)?.cmdline).toEqual(['ps-victim', '600']);

    // The pid namespace's pids: the exiter goes, the victim's pid goes to a new process, a newcomer starts.
    inNs(`kill ${exiter} ${victim}; while kill -0 ${victim} 2>/dev/null; do sleep 0.05; done`);
    const reused = inNs(`echo ${victim - 1} > /proc/sys/kernel/ns_last_pid && { bash -c 'exec -a ps-reuser sleep 600' >/dev/null 2>&1 </dev/null & echo $!; }`);
    expect(Number(reused.stdout.trim()), reused.stderr).toBe(victim);
    inNs(`bash -c 'exec -a ps-newcomer sleep 600' >/dev/null 2>&1 </dev/null &`);
    writeFileSync(join(dir, 'go'), '');
    await until(() => readdirSync(dir).includes('port') || 'the changer has not listened yet');
    const port = Number(readFileSync(join(dir, 'port'), 'utf8'));
    const after = await snapshot('after.json');
    expect(schemaErrors(after.snap)).toEqual([]);

    const json = await runCli(['diff', before.path, after.path, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const diff = JSON.parse(json.stdout) as SnapshotDiff;
    expect(diffSchemaErrors(diff)).toEqual([]);
    expect(diff.matching).toBe('identity');
    const names = (list: { cmdline: string[] }[]) => list.map((p) => p.cmdline[0]).sort();
    expect(names(diff.processes.exited)).toEqual(['ps-exiter', 'ps-victim']);
    expect(names(diff.processes.started)).toEqual(['ps-newcomer', 'ps-reuser']);
    // The reused pid is an exit and a start, never a change.
    expect(diff.processes.exited.find((p) => p.pid === victim)?.cmdline[0]).toBe('ps-victim');
    expect(diff.processes.started.find((p) => p.pid === victim)?.cmdline[0]).toBe('ps-reuser');
    expect(diff.processes.changed.some((c) => c.process.pid === victim)).toBe(false);
    // The changer: the same process, with a new cwd and 12 more threads.
    // (python may re-exec itself and drop the argv[0] it was given: it is the one running changer.py)
    expect(diff.processes.changed.map((c) => [c.process.cmdline.some((a) => a.endsWith('changer.py')), c.changes.map((x) => x.field)])).toEqual([[true, ['cwd', 'threads']]]);
    const changer = diff.processes.changed[0]!;
    expect(changer.changes).toEqual([
      { field: 'cwd', before: '/', after: '/tmp' },
      { field: 'threads', before: 1, after: 13 },
    ]);
    // The namespace shares the host's network, where other tests open sockets whose holders it cannot see: the
    // listeners held by its own processes are the ones the test made.
    const held = (list: SnapshotDiff['listeners']['added']) => list.filter((s) => s.holders.length > 0);
    expect(held(diff.listeners.added).map((s) => [s.proto, s.local, s.state, s.holders.map((h) => h.pid)])).toEqual([['tcp', `127.0.0.1:${port}`, 'LISTEN', [changer.process.pid]]]);
    expect(held(diff.listeners.removed)).toEqual([]);
    expect(diff.summary).toMatchObject({ processesStarted: 2, processesExited: 2, processesChanged: 1 });

    // Start times by the node's clock, as the kernel has them: btime + starttime / CLK_TCK.
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
    const clk = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout);
    const newcomer = diff.processes.started.find((p) => p.cmdline[0] === 'ps-newcomer')!;
    const hostPid = pidsWhereStatus((status) => new RegExp(`^Pid:\\s+(\\d+)$[^]*^NSpid:\\s+\\1\\s+${newcomer.pid}$`, 'm').test(status))[0]!;
    const startTicks = Number(readFileSync(`/proc/${hostPid}/stat`, 'latin1').slice(readFileSync(`/proc/${hostPid}/stat`, 'latin1').lastIndexOf(')') + 2).split(' ')[19]);
    expect(newcomer.startTicks).toBe(startTicks);
    expect(newcomer.startedAt).toBe(new Date(Math.round((btime + startTicks / clk) * 1000)).toISOString());
    expect(after.snap.node.bootTime).toBe(new Date(btime * 1000).toISOString());

    const text = await runCli(['diff', before.path, after.path]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^\+2 processes, -2, 1 changed; \+\d+ listeners?, -\d+;/m);
    expect(text.stdout).toMatch(/^Listeners added \(\d+\)$/m);
    expect(text.stdout).toMatch(new RegExp(`^\\+ tcp 127\\.0\\.0\\.1:${port} LISTEN  ${changer.process.pid}/python3$`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`\\+ ${victim} root ps-reuser 600  started `));
    expect(text.stdout).toMatch(new RegExp(`- ${victim} root ps-victim 600  started `));
    expect(text.stdout).toContain('    cwd / → /tmp\n    threads 1 → 13');
    // --exit-code: 1 when anything changed, 0 for a snapshot against itself.
    expect((await runCli(['diff', before.path, after.path, '--exit-code'])).code).toBe(1);
    const same = await runCli(['diff', before.path, before.path, '--exit-code']);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain('+0 processes, -0, 0 changed; +0 listeners, -0; +0 containers, -0; +0 sockets, -0; +0 namespaces, -0');
  });

  it('says clearly what is wrong with a file it cannot compare', async () => {
    writeFileSync(join(dir, 'not.json'), '{"format":"something else"}');
    const bad = await runCli(['diff', join(dir, 'not.json'), join(dir, 'missing.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not\.json is not a procscope\.snapshot\/v1 snapshot/);
    const usage = await runCli(['diff', join(dir, 'not.json')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/diff takes two snapshot files/);
  });
});
