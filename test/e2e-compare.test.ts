/**
 * What changed, in the app: a live tab of this machine remembers its past; compared with an earlier moment, its
 * process, socket and container tables mark what came (+), went (−) and changed (~), "changes only" keeps those,
 * and the history slider shows the earlier moment itself. Against `procscope serve` in a real Chromium; the changes
 * are real processes and a real listener the test starts and stops.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli';
import { RESULTS, type Served, browserUnavailable, openApp, startServe } from './helpers/browser';
import { makeTempDir } from './helpers/sshd';

const skipReason = browserUnavailable();
if (skipReason) console.warn(`SKIP e2e compare tests: ${skipReason}`);

describe.skipIf(skipReason !== null)('comparing and stepping back, in a browser', () => {
  let dir: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const tag = `psc-cmp-${process.pid}`;
  let leaver: ChildProcess;
  let comer: ChildProcess | null = null;
  let listener: ChildProcess | null = null;
  /** a sleeper whose argv[0] names it, to filter the table by */
  const named = (what: string) => spawn('bash', ['-c', `exec -a ${tag}-${what} sleep 600`], { stdio: 'ignore' });
  const rowOf = (table: string, key: number | string) => page.locator(`[data-testid="${table}-body"] [data-key="${key}"]`);

  beforeAll(async () => {
    dir = makeTempDir('e2e-compare');
    leaver = named('leaver');
    served = await startServe({ HOME: dir });
    ({ browser, page } = await openApp(served));
  });
  afterAll(async () => {
    for (const c of [leaver, comer, listener]) c?.kill('SIGKILL');
    await browser?.close();
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('remembers the tab\'s past, and marks what came, went and changed since a moment of it', async () => {
    await page.getByTestId('connect-local').click();
    await page.getByTestId('process-table').waitFor();
    // The table comes with the first read; the first moment is the full read, once the rest has come.
    await expect.poll(() => page.getByTestId('reading-rest').count(), { timeout: 60_000 }).toBe(0);
    // The first moment is remembered now; changes come after it, and the next moment at least 10 s later.
    comer = named('comer');
    listener = spawn(process.execPath, ['-e', "require('net').createServer().listen(0, '127.0.0.1', function () { console.log(this.address().port) })"], { stdio: ['ignore', 'pipe', 'ignore'] });
    const port = await new Promise<number>((resolve) => listener!.stdout!.once('data', (b: Buffer) => resolve(Number(String(b).trim()))));
    leaver.kill('SIGKILL');
    await page.getByTestId('history-slider').waitFor({ timeout: 30_000 });
    // A refresh reads processes; sockets come with a full read.
    await page.getByTestId('refresh').click();
    await expect.poll(() => page.getByTestId('refresh').textContent()).toBe('Full refresh');

    await page.getByTestId('compare-select').selectOption({ index: 1 });
    const summary = page.getByTestId('compare-summary');
    await expect.poll(() => summary.textContent()).toMatch(/^Since .*: \+\d+ process(es)?, -\d+, \d+ changed; \+\d+ listeners?, -\d+;/);
    const counts = /\+(\d+) process(?:es)?, -(\d+), \d+ changed; \+(\d+) listeners?/.exec((await summary.textContent())!)!;
    expect(Number(counts[1])).toBeGreaterThanOrEqual(2);
    expect(Number(counts[2])).toBeGreaterThanOrEqual(1);
    expect(Number(counts[3])).toBeGreaterThanOrEqual(1);

    await page.getByTestId('process-filter').fill(tag);
    await expect.poll(() => rowOf('process-table', comer!.pid!).locator('[data-mark]').getAttribute('data-mark')).toBe('+');
    const gone = page.locator('[data-testid="process-table-body"] .vrow.mark-went');
    await expect.poll(() => gone.count()).toBe(1);
    expect(await gone.textContent()).toContain(`${tag}-leaver`);
    expect(await gone.locator('[data-mark]').getAttribute('data-mark')).toBe('-');

    await page.getByTestId('process-filter').fill('');
    await page.getByTestId('changes-only').check();
    const marks = await page.locator('[data-testid="process-table-body"] [data-mark]').count();
    const rows = await page.locator('[data-testid="process-table-body"] .vrow').count();
    expect(rows).toBe(marks);
    await page.screenshot({ path: join(RESULTS, 'compare.png') });

    await page.getByTestId('view-sockets').click();
    const listenerRow = page.locator('[data-testid="socket-table-body"] .vrow', { hasText: `127.0.0.1:${port}` });
    await expect.poll(() => listenerRow.count()).toBe(1);
    expect(await listenerRow.locator('[data-mark]').getAttribute('data-mark')).toBe('+');
    await page.getByTestId('changes-only').uncheck();
    await page.getByTestId('view-processes').click();
  });

  it('shows an earlier moment itself, and comes back to now', async () => {
    await page.getByTestId('compare-select').selectOption('none');
    await expect.poll(() => page.getByTestId('compare-summary').count()).toBe(0);
    await page.getByTestId('process-filter').fill(tag);
    await page.getByTestId('history-slider').fill('0');
    await expect.poll(() => page.getByTestId('history-at').textContent()).toMatch(/^showing .*ago$/);
    // Then: the leaver still ran, the comer not yet.
    await expect.poll(() => rowOf('process-table', leaver.pid!).count()).toBe(1);
    expect(await rowOf('process-table', comer!.pid!).count()).toBe(0);
    await page.getByTestId('history-now').click();
    await expect.poll(() => rowOf('process-table', comer!.pid!).count()).toBe(1);
    expect(await rowOf('process-table', leaver.pid!).count()).toBe(0);
  });

  it('compares with a recorded snapshot file (.json.gz), marking what came since', async () => {
    const rec = join(dir, 'rec');
    const r = await runCli(['record', '--every', '1s', '--for', '1s', '-o', rec]);
    expect(r.code, r.stderr).toBe(0);
    const late = named('late');
    try {
      const file = (await import('node:fs')).readdirSync(rec)[0]!;
      writeFileSync(join(dir, 'not-a-gzip.json.gz'), gzipSync('{"format":"nope"}'));
      await page.getByTestId('process-filter').fill(`${tag}-late`);
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('compare-file').click()]);
      await chooser.setFiles(join(rec, file));
      await expect.poll(() => page.getByTestId('compare-summary').textContent()).toContain(`Since ${file}:`);
      await expect.poll(() => rowOf('process-table', late.pid!).locator('[data-mark]').getAttribute('data-mark'), { timeout: 15_000 }).toBe('+');
      // A file that is not a snapshot says so, and the comparison stands.
      const [bad] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('compare-file').click()]);
      await bad.setFiles(join(dir, 'not-a-gzip.json.gz'));
      await expect.poll(() => page.getByTestId('notice').textContent()).toMatch(/not a procscope\.snapshot\/v1 snapshot/);
      expect(await page.getByTestId('compare-summary').textContent()).toContain(`Since ${file}:`);
    } finally {
      late.kill('SIGKILL');
    }
  });
});
