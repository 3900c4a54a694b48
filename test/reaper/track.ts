/**
 * Setup of every test file (vitest setupFiles): each process a test spawns is written down, its pid and start time,
 * in the run's registry (PROCSCOPE_TEST_REGISTRY, made by reap.ts), so that the run can end every one of them and
 * their process groups, however it ends: a detached sshd or holder outlives the worker that started it.
 */
import childProcess from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { startTicksOf } from './start-ticks';

const registry = process.env.PROCSCOPE_TEST_REGISTRY;

if (registry && !(childProcess.spawn as { tracked?: boolean }).tracked) {
  const spawn = childProcess.spawn;
  const tracked = function (this: unknown, ...args: unknown[]) {
    const child = (spawn as (...a: unknown[]) => childProcess.ChildProcess).apply(this, args);
    const start = child.pid ? startTicksOf(child.pid) : null;
    if (child.pid && start !== null) appendFileSync(registry, `${child.pid} ${start}\n`);
    return child;
  } as typeof childProcess.spawn & { tracked?: boolean };
  tracked.tracked = true;
  childProcess.spawn = tracked;
  syncBuiltinESMExports();
}
