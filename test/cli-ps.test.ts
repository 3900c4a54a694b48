/**
 * procscope ps, the built CLI, against the kernel: every process ps(1) sees before and after is listed, with the
 * kernel's parent, user and argv; --filter and --sort as the app's filter and ps's sort; text from the node made
 * visible.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotProcess } from '../shared/snapshot/types';
import { runCli } from './helpers/cli';
import { until } from './helpers/kernel';
import { makeTempDir } from './helpers/sshd';

const psPids = () => new Set(spawnSync('ps', ['-e', '-o', 'pid='], { encoding: 'utf8' }).stdout.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0));

describe('procscope ps', () => {
  let probe: ChildProcess;
  beforeAll(async () => {
    // A process whose argv[0] holds a newline, as another user's could.
    probe = spawn('bash', ['-c', 'exec -a "ps-probe\nsecond line" sleep 600'], { stdio: 'ignore' });
    await until(() => readFileSync(`/proc/${probe.pid}/cmdline`, 'latin1').startsWith('ps-probe') || 'the probe has not exec-ed yet');
  });
  afterAll(() => probe?.kill('SIGKILL'));

  it('lists every process the kernel has, with its parent, user and argv', async () => {
    const before = psPids();
    const r = await runCli(['ps', '--json']);
    const after = psPids();
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { processes: SnapshotProcess[]; node: { pending?: string[] } };
    expect(out.node.pending).toBeUndefined();
    const listed = new Set(out.processes.map((p) => p.pid));
    const stayed = [...before].filter((pid) => after.has(pid));
    expect(stayed.length).toBeGreaterThan(5);
    expect(stayed.filter((pid) => !listed.has(pid))).toEqual([]);
    const mine = out.processes.find((p) => p.pid === probe.pid)!;
    expect(mine.cmdline).toEqual(['ps-probe\nsecond line', '600']);
    expect(mine.ppid).toBe(Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${probe.pid}/status`, 'latin1'))![1]));
    expect(mine.user).toBe('root');
    expect(r.stderr).toMatch(new RegExp(`: ${out.processes.length} of ${out.processes.length} processes, \\d+ ms`));
  });

  it('filters with the app\'s words and prints ps aux\'s table, the newline escaped', async () => {
    const r = await runCli(['ps', '--filter', `ps-probe ${probe.pid}`, '--sort=-pid']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^USER +PID +%CPU +%MEM +VSZ +RSS +STAT +START +TIME +CONTAINER +COMMAND$/);
    // The filter's words are in this very command's argv too: it matches itself (and the shell that runs it, on a login).
    const probeLine = new RegExp(`^root +${probe.pid} .* - +ps-probe\\\\nsecond line 600$`);
    expect(lines.filter((l) => probeLine.test(l))).toHaveLength(1);
    expect(lines.slice(1).filter((l) => !probeLine.test(l) && !l.includes('procscope.js ps --filter'))).toEqual([]);
  });

  it('writes -o into a FIFO or device in place, never renaming a file over it (-o /dev/null as root)', async () => {
    const dir = makeTempDir('ps-out');
    const fifo = join(dir, 'out.fifo');
    spawnSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    let read = '';
    reader.stdout!.on('data', (b: Buffer) => (read += b.toString()));
    const done = new Promise((r) => reader.on('close', r));
    const r = await runCli(['ps', '-o', fifo]);
    await done;
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(read).toMatch(/^USER +PID /);
    rmSync(dir, { recursive: true, force: true });
  });

  it('says what --sort takes', async () => {
    const r = await runCli(['ps', '--sort', 'pcpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad --sort: pcpu \(one of pid, user, cpu, mem, rss, vsz, time, start, name, container/);
  });

  it('find marks a zombie as one (it has exited and holds nothing)', async () => {
    const dir = makeTempDir('zombie');
    const name = `pszomb${process.pid % 10000}`;
    const copy = join(dir, name);
    spawnSync('cp', [spawnSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).stdout.trim(), copy]);
    // The child exits at once and its parent, which execs into a long sleep, never reaps it.
    const parent = spawn('sh', ['-c', `${copy} 0 & exec ${copy} 60`], { stdio: 'ignore' });
    try {
      let zombie = 0;
      await until(() => {
        const children = readFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`, 'latin1').trim().split(' ').filter(Boolean).map(Number);
        zombie = children.find((c) => /\) Z /.test(readFileSync(`/proc/${c}/stat`, 'latin1'))) ?? 0;
        return zombie > 0 || 'no zombie child yet';
      });
      const r = await runCli(['find', 'local', '--name', `^${name}$`]);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines.find((l) => l.startsWith(`local  ${zombie}  `))).toContain(`${name} (zombie: exited, not yet reaped)`);
      expect(lines.find((l) => l.startsWith(`local  ${parent.pid}  `))).not.toContain('zombie');
    } finally {
      parent.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
