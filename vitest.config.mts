import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // A poll waits for what the system does (a full read takes seconds on a busy machine), never for a guess of 1 s.
    expect: { poll: { timeout: 20_000, interval: 50 } },
    // The integration tests share sshd ports, test users and cgroups: one file at a time.
    fileParallelism: false,
    // Every skip, summed up at the end; with PROCSCOPE_REQUIRE_ALL=1 a skip for want of an installable part fails the run.
    reporters: ['default', './test/skip-reporter.ts'],
    // Every process a test spawns is written down and ended with the run, however the run ends (test/reaper/).
    globalSetup: ['./test/reaper/reap.ts'],
    setupFiles: ['./test/reaper/track.ts'],
  },
});
