/**
 * Setup of every test file (vitest setupFiles): each process a test spawns is written down, its pid and start time,
 * in the run's registry (PROCSCOPE_TEST_REGISTRY, made by reap.ts), so that the run can end every one of them and
 * their process groups, however it ends: a detached sshd or holder outlives the worker that started it.
 */
import childProcess from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const registry = process.env.PROCSCOPE_TEST_REGISTRY;

function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

if (registry && !(childProcess.spawn as { tracked?: boolean }).tracked) {
  const spawn = childProcess.spawn;
  const tracked = function (this: unknown, ...args: unknown[]) {
    const child = (spawn as (...a: unknown[]) => childProcess.ChildProcess).apply(this, args);
    const start = child.pid ? startTicks(child.pid) : null;
    if (child.pid && start) appendFileSync(registry, `${child.pid} ${start}\n`);
    return child;
  } as typeof childProcess.spawn & { tracked?: boolean };
  tracked.tracked = true;
  childProcess.spawn = tracked;
  syncBuiltinESMExports();
}
