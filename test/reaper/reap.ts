/**
 * Global setup of the run (vitest globalSetup): makes the registry that track.ts writes each spawned process to, and
 * ends them all, with their process groups, when the run ends, is interrupted (SIGINT) or is told to stop (SIGTERM,
 * SIGHUP). A pid is ended only while it is still the process that was written down (its start time).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTicksOf } from './start-ticks';

/** Ends every process of the registry still alive, and its process group where it leads one. Returns how many. */
export function reap(registry: string): number {
  let text: string;
  try {
    text = readFileSync(registry, 'utf8');
  } catch {
    return 0;
  }
  let ended = 0;
  for (const line of text.split('\n')) {
    const [pid, start] = line.split(' ');
    const n = Number(pid);
    if (!Number.isInteger(n) || n <= 1 || String(startTicksOf(n)) !== start) continue;
    for (const target of [-n, n]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // not a group leader, or gone
      }
    }
    ended++;
  }
  return ended;
}

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'procscope-test-registry-'));
  const registry = join(dir, 'spawned');
  process.env.PROCSCOPE_TEST_REGISTRY = registry;
  const onSignal = (signal: NodeJS.Signals) => {
    const ended = reap(registry);
    if (ended > 0) process.stderr.write(`\nprocscope tests: ${signal}: ended ${ended} helper processes the tests started\n`);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  return () => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
    reap(registry);
    rmSync(dir, { recursive: true, force: true });
  };
}
