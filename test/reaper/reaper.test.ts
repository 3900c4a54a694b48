/**
 * A run that is interrupted ends what its tests started: a vitest of its own runs a file that starts a detached
 * helper (its own process group, as the sshd and namespace holders of the suite are), then gets SIGINT or SIGTERM;
 * the helper must be gone.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');

describe('an interrupted test run', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('ends the helpers its tests started, on %s', async (signal) => {
    const run = spawn(process.execPath, [vitest, 'run', '--config', join(__dirname, 'fixture', 'vitest.config.mts')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    run.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    run.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    await expect.poll(() => /HELPER (\d+)/.exec(out)?.[1], { timeout: 60_000 }).toBeDefined();
    const helper = Number(/HELPER (\d+)/.exec(out)![1]);
    expect(existsSync(`/proc/${helper}`)).toBe(true);
    run.kill(signal);
    await expect.poll(() => existsSync(`/proc/${helper}`), { timeout: 30_000 }).toBe(false);
    expect(out).toMatch(new RegExp(`${signal}: ended 1 helper processes`));
    run.kill('SIGKILL');
  });
});
