/**
 * The first read in a real Chromium against `procscope serve` and a real sshd: with the full read made slow for
 * real (a container name file that is a FIFO whose writer waits), the process table paints from the first read
 * while the sockets, namespaces and open files say they are still being read; they fill in, without a reload,
 * when the rest arrives.
 */
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, addNodeInUi, browserUnavailable, openApp, startServe } from './helpers/browser';
import { type OddProcess, startOddProcess } from './helpers/odd-process';
import { type SlowNames, slowNamesRoot } from './helpers/slow-names';
import { type KeyPair, type Sshd, generateKey, makeTempDir, sshdUnavailable, startSshd } from './helpers/sshd';

const skipReason = browserUnavailable() ?? sshdUnavailable();
if (skipReason) console.warn(`SKIP the first-read e2e test: ${skipReason}`);

/** How long the slowed full read waits on its name file: long enough to see the first read and a refresh beside it. */
const SLOW_MS = 12000;

describe.skipIf(skipReason !== null)('the first read in a browser', () => {
  let dir: string;
  let home: string;
  let sshd: Sshd;
  let key: KeyPair;
  let odd: OddProcess;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let slow: SlowNames;

  beforeAll(async () => {
    dir = makeTempDir('e2e-first');
    home = join(dir, 'home');
    execFileSync('mkdir', ['-p', home]);
    slow = slowNamesRoot(join(dir, 'names'), SLOW_MS);
    sshd = await startSshd();
    key = generateKey(dir, 'id_first');
    sshd.authorize('root', key.publicLine);
    odd = await startOddProcess(dir);
    served = await startServe({ HOME: home }, ['--names-root', slow.root, '--known-hosts', join(home, '.ssh', 'known_hosts')]);
    ({ browser, page } = await openApp(served));
  });

  afterAll(async () => {
    slow?.stop();
    await browser?.close();
    await served?.stop();
    odd?.stop();
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('paints the process table while sockets say they are coming, and fills the sockets in later without a reload', async () => {
    await addNodeInUi(page, { name: 'slow-node', host: '127.0.0.1', port: sshd.port, user: 'root', identity: key.privatePath });
    await page.getByTestId('host-key-always').click();
    const row = page.locator(`[data-testid="process-table-body"] [data-key="${odd.pid}"]`);
    // The process table, from the first read: the test's process is in it while the rest is still read.
    await page.getByTestId('process-filter').fill(String(odd.pid));
    await expect.poll(() => row.count()).toBe(1);
    expect(await page.getByTestId('reading-rest').textContent()).toMatch(/still reading namespaces, fds, sockets/);
    // Live from the first read on: a process started now comes in by a refresh over a second shell beside the full
    // read, which still runs.
    await page.getByTestId('live-interval').selectOption('1000');
    const late = spawn('sleep', ['120'], { stdio: 'ignore' });
    try {
      await page.getByTestId('process-filter').fill(String(late.pid));
      await expect.poll(() => page.locator(`[data-testid="process-table-body"] [data-key="${late.pid}"]`).count(), { timeout: SLOW_MS }).toBe(1);
      expect(await page.getByTestId('reading-rest').count()).toBe(1);
    } finally {
      late.kill('SIGKILL');
    }
    await page.getByTestId('process-filter').fill(String(odd.pid));
    await expect.poll(() => row.count()).toBe(1);
    await row.dblclick();
    await expect.poll(() => page.getByTestId('pending-fds').textContent()).toBe('Open files and sockets: reading…');
    await page.getByTestId('view-sockets').click();
    await expect.poll(() => page.getByTestId('pending-sockets').count()).toBe(1);
    expect(await page.locator('[data-testid="socket-table"]').textContent()).toContain('Sockets: reading…');
    // The rest arrives: the same page fills in.
    await page.getByTestId('socket-filter').fill(`:${odd.ports.tcp4}`);
    await expect.poll(() => page.getByTestId('pending-sockets').count(), { timeout: SLOW_MS + 90_000 }).toBe(0);
    await expect.poll(() => page.locator('[data-testid="socket-table"]').textContent()).toContain(`127.0.0.1:${odd.ports.tcp4}`);
    expect(await page.getByTestId('reading-rest').count()).toBe(0);
  }, 180_000);

  it('counts down to its retry while the node is down, and reconnects when sshd is back', async () => {
    await page.getByTestId('live-interval').selectOption('1000');
    expect(sshd.dropConnections()).toBeGreaterThan(0);
    await sshd.stopListener();
    const badge = page.getByTestId('stale-badge');
    await expect.poll(() => badge.count(), { timeout: 30_000 }).toBe(1);
    // The retry counts down: two readings a second apart differ (or it is already reconnecting).
    await expect.poll(() => badge.textContent(), { timeout: 30_000 }).toMatch(/retry in [1-9]\d* s/);
    const a = await badge.textContent();
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).not.toBe(a);
    await sshd.startListener();
    await expect.poll(() => badge.count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('updated-at').count()).toBe(1);
  }, 180_000);
});
