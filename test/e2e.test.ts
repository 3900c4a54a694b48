/**
 * The whole app in a real Chromium, against `procscope serve`, a real sshd on loopback, a live process
 * with odd argv and sockets, and a real container. Screenshots of each view land in test-results/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../shared/snapshot/types';
import { collectSnapshot } from '../electron/engine/collect';
import { localSession } from '../electron/engine/session';
import { RESULTS, type Served, addNodeInUi, browserUnavailable, openApp, startServe } from './helpers/browser';
import { type CgroupTree, type FakeContainer, type V1Limits, cgroup2Root, containersUnavailable, limitContainer, removeCgroups, startFakeContainer, writeNameFile } from './helpers/containers';
import { type OddProcess, ODD_ARGV, startOddProcess } from './helpers/odd-process';
import { schemaErrors } from './helpers/schema';
import { type SlowNames, slowNamesRoot } from './helpers/slow-names';
import { type KeyPair, type Sshd, generateKey, makeTempDir, sshdUnavailable, startSshd } from './helpers/sshd';
import { skipForMachine } from './helpers/skip';

const skipReason = browserUnavailable() ?? sshdUnavailable();
if (skipReason) console.warn(`SKIP e2e tests: ${skipReason}`);
const noContainers = containersUnavailable();
if (!skipReason && noContainers) console.warn(`SKIP the e2e container step: ${noContainers}`);

/** This run's own: two suites side by side must not share a cgroup. */
const CONTAINER_ID = `e2e${process.pid.toString(16).padStart(8, '0')}`.padEnd(64, 'a');

describe.skipIf(skipReason !== null)('procscope in a browser, end to end', () => {
  let dir: string;
  let home: string;
  let sshd: Sshd;
  let key: KeyPair;
  let odd: OddProcess;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let exported: string;
  let namesRoot: string;
  let slow: SlowNames | null = null;
  const tree: CgroupTree = { root: cgroup2Root() ?? '/nonexistent', made: [] };
  let container: FakeContainer | null = null;
  const pageErrors: string[] = [];
  let limits: V1Limits | null = null;
  const shot = (name: string) => page.screenshot({ path: join(RESULTS, `${name}.png`) });

  beforeAll(async () => {
    dir = makeTempDir('e2e');
    home = join(dir, 'home');
    execFileSync('mkdir', ['-p', home]);
    namesRoot = join(dir, 'names');
    writeNameFile(namesRoot, `var/lib/docker/containers/${CONTAINER_ID}/config.v2.json`, '{"Name":"/e2e-web"}');
    sshd = await startSshd();
    key = generateKey(dir, 'id_e2e');
    sshd.authorize('root', key.publicLine);
    odd = await startOddProcess(dir);
    if (!noContainers) container = await startFakeContainer(tree, `/system.slice/docker-${CONTAINER_ID}.scope`, 'e2e-box', 8081);
    // Limits for it where this kernel has cgroup v1 memory and pids controllers (a hybrid layout): 64 MB, 50 pids.
    if (container) limits = limitContainer(`docker-e2e-${CONTAINER_ID}`, [container.unsharePid, container.initPid], { 'memory.limit_in_bytes': String(64 * 1024 * 1024), 'pids.max': '50' });
    // Its own known_hosts: ssh -G names the passwd home's (/root/.ssh), whatever HOME says.
    served = await startServe({ HOME: home }, ['--names-root', namesRoot, '--known-hosts', join(home, '.ssh', 'known_hosts')]);
    ({ browser, page } = await openApp(served, { acceptDownloads: true, pageErrors }));
  });

  afterAll(async () => {
    slow?.stop();
    await browser?.close();
    await served?.stop();
    odd?.stop();
    await container?.stop();
    await limits?.remove();
    await removeCgroups(tree);
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds a node and connects in one step, shows its host key fingerprint, and connects once accepted', async () => {
    // One step: saved, and connecting.
    await addNodeInUi(page, { name: 'loopback', host: '127.0.0.1', port: sshd.port, user: 'root', identity: key.privatePath });
    await expect.poll(() => page.getByTestId('connect-loopback').count()).toBe(1);
    const fingerprint = execFileSync('ssh-keygen', ['-lf', join(sshd.dir, 'host_key.pub')], { encoding: 'utf8' }).split(' ')[1]!;
    await expect.poll(() => page.getByTestId('host-key-fingerprint').textContent()).toBe(fingerprint);
    await shot('host-key');
    await page.getByTestId('host-key-always').click();
    await page.getByTestId('process-table').waitFor();
    expect(readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8')).toContain(sshd.knownHostsLine().split(' ').slice(1).join(' '));
    await expect.poll(() => page.getByTestId('node-info').textContent()).toContain(`root@127.0.0.1:${sshd.port}`);
    await shot('processes');
  });

  it('finds the test process by filtering, and shows its argv, sockets and namespaces', async () => {
    await page.getByTestId('process-filter').fill('ünïcødé');
    await expect.poll(() => page.locator(`[data-testid="process-table-body"] [data-key="${odd.pid}"]`).count()).toBe(1);
    await page.locator(`[data-testid="process-table-body"] [data-key="${odd.pid}"]`).dblclick();
    const detail = page.getByTestId('process-detail');
    await expect.poll(() => detail.getAttribute('aria-label')).toBe(`process ${odd.pid}`);
    const argv = await page.getByTestId('argv').locator('li').allTextContents();
    expect(argv.slice(2)).toEqual(ODD_ARGV.map((a) => (a === '' ? '(empty)' : a.replace(/\n/g, '\\n'))));
    const sockets = (await page.getByTestId('fds').textContent()) ?? '';
    expect(sockets).toContain(`tcp 127.0.0.1:${odd.ports.tcp4} LISTEN`);
    expect(sockets).toContain(`udp6 [::1]:${odd.ports.udp6}`);
    expect(await page.getByTestId('ns-net').textContent()).toContain('shared with the host');
    await shot('process-detail');
  });

  it('shows the columns chosen (nice, MEM%, TIME+, VIRT, start, I/O), as the kernel has them, and remembers them in a new page', async () => {
    await page.getByTestId('process-filter').fill('ünïcødé');
    await page.getByTestId('close-detail').click();
    await page.getByTestId('column-chooser').click();
    for (const key of ['nice', 'priority', 'mem', 'time', 'virt', 'ioRead', 'start']) await page.getByTestId(`column-${key}`).check();
    await shot('column-chooser');
    await page.getByTestId('column-list-close').click();
    const headers = await page.locator('[data-testid="process-table"] .vtable-head .th').allTextContents();
    const cell = async (title: string) => {
      const column = headers.findIndex((h) => h.replace(/ [▲▼]$/, '') === title);
      expect(column, title).toBeGreaterThanOrEqual(0);
      return page.locator(`[data-testid="process-table-body"] [data-key="${odd.pid}"] > *`).nth(column).textContent();
    };
    const stat = readFileSync(`/proc/${odd.pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    expect(await cell('NI')).toBe(fields[16]);
    expect(await cell('PRI')).toBe(fields[15]);
    expect(await cell('TIME+')).toMatch(/^\d+:\d\d\.\d\d$/);
    expect(Number(await cell('MEM%'))).toBeGreaterThan(0);
    expect(await cell('VIRT')).toMatch(/^\d+(\.\d)? [MG]$|^\d+\.\d\d G$/);
    // The page's reads left /proc/<pid>/io out until an I/O column was shown; then the node is read again with it.
    // Root reads every io file: the odd process read its own script at least.
    await expect.poll(() => cell('IO READ'), { timeout: 60_000 }).not.toBe('');
    expect(await cell('START')).toMatch(/^\d\d:\d\d$|^\d{4}-\d\d-\d\d$/);
    // A state's meaning on hover.
    const state = page.locator(`[data-testid="process-table-body"] [data-key="${odd.pid}"] > *`).nth(headers.indexOf('S'));
    expect(await state.getAttribute('title')).toMatch(/^S: sleeping/);
    // Remembered: a new page (the next one-time URL) shows the same columns, here for a snapshot file it opens.
    const file = join(dir, 'columns.json');
    writeFileSync(file, JSON.stringify(await collectSnapshot(localSession())));
    const other = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    await other.goto(served.latestUrl());
    const [chooser] = await Promise.all([other.waitForEvent('filechooser'), other.getByTestId('import-snapshot').click()]);
    await chooser.setFiles(file);
    await expect.poll(async () => (await other.locator('[data-testid="process-table"] .vtable-head .th').allTextContents()).map((h) => h.replace(/ [▲▼]$/, '')), { timeout: 20_000 }).toEqual(expect.arrayContaining(['NI', 'PRI', 'MEM%', 'TIME+', 'VIRT', 'IO READ', 'START']));
    // The other page's connection is its own: no tab for it opens here.
    await other.getByTestId('connect-local').click();
    await other.getByTestId('tab-This machine').waitFor();
    await other.close();
    expect(await page.getByTestId('tab-This machine').count()).toBe(0);
    await page.locator(`[data-testid="process-table-body"] [data-key="${odd.pid}"]`).dblclick();
  });

  it('signals a process it started, from its detail, after a confirmation naming it; the process is gone', async () => {
    const tag = `victim-${Date.now().toString(36)}`;
    const { spawn } = await import('node:child_process');
    const victim = spawn('sleep', ['600'], { argv0: tag, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => victim.once('exit', (_c, signal) => resolve(signal)));
    try {
      await page.getByTestId('process-filter').fill(tag);
      const row = page.locator(`[data-testid="process-table-body"] [data-key="${victim.pid}"]`);
      await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
      await row.dblclick();
      await page.getByTestId('detail-act').click();
      const dialog = page.getByTestId('action-dialog');
      expect(await dialog.getByTestId('action-processes').locator('tbody td').allTextContents()).toEqual([String(victim.pid), 'sleep', 'root', '–']);
      expect(await dialog.getByTestId('action-meaning').textContent()).toMatch(/^SIGTERM: ask it to end/);
      await shot('signal-confirm');
      await dialog.getByTestId('action-confirm').click();
      await expect.poll(() => dialog.getByTestId(`action-result-${victim.pid}`).textContent()).toBe(`sent SIGTERM to pid ${victim.pid} (held by a pidfd)`);
      expect(await exited).toBe('SIGTERM');
      await dialog.getByTestId('action-close').click();
      // The tab refreshes: the process is gone from the table.
      await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(0);
    } finally {
      victim.kill('SIGKILL');
    }
    // Several at once, from the table's context menu: two picked with Ctrl-click, then every process the filter shows.
    const four = [0, 1, 2, 3].map(() => spawn('sleep', ['600'], { argv0: `${tag}-group`, stdio: 'ignore' }));
    const exitOf = new Map(four.map((c) => [c.pid!, new Promise<NodeJS.Signals | null>((resolve) => c.once('exit', (_c, signal) => resolve(signal)))]));
    try {
      await page.getByTestId('process-filter').fill(`${tag}-group`);
      const rows = page.locator('[data-testid="process-table-body"] [role="row"]');
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(4);
      const pidOf = async (i: number) => Number(await rows.nth(i).getAttribute('data-key'));
      const [first, second] = [await pidOf(0), await pidOf(1)];
      await rows.nth(0).click();
      await rows.nth(1).click({ modifiers: ['Control'] });
      await rows.nth(1).click({ button: 'right' });
      await page.getByTestId('menu-act-selected').click();
      const dialog = page.getByTestId('action-dialog');
      expect((await dialog.getByTestId('action-processes').locator('tbody tr td:first-child').allTextContents()).map(Number).sort()).toEqual([first, second].sort());
      await dialog.getByTestId('action-kind').selectOption('KILL');
      await dialog.getByTestId('action-confirm').click();
      for (const pid of [first, second]) await expect.poll(() => dialog.getByTestId(`action-result-${pid}`).textContent()).toBe(`sent SIGKILL to pid ${pid} (held by a pidfd)`);
      expect(await Promise.all([first, second].map((pid) => exitOf.get(pid)))).toEqual(['SIGKILL', 'SIGKILL']);
      await dialog.getByTestId('action-close').click();
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
      // The two left: every process the filter shows.
      await rows.first().click({ button: 'right' });
      await page.getByTestId('menu-act-shown').click();
      expect(await dialog.getByTestId('action-processes').locator('tbody tr').count()).toBe(2);
      await dialog.getByTestId('action-confirm').click();
      await expect.poll(() => dialog.locator('td.ok').count()).toBe(2);
      await dialog.getByTestId('action-close').click();
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(0);
      expect(new Set(await Promise.all(exitOf.values()))).toEqual(new Set(['SIGKILL', 'SIGTERM']));
    } finally {
      four.forEach((c) => c.kill('SIGKILL'));
    }
    // Back to the odd process, whose detail the next steps keep open.
    await page.getByTestId('process-filter').fill('ünïcødé');
    await page.locator(`[data-testid="process-table-body"] [data-key="${odd.pid}"]`).dblclick();
    await expect.poll(() => page.getByTestId('process-detail').getAttribute('aria-label')).toBe(`process ${odd.pid}`);
  });

  it('shows new processes live, keeps the open detail, and sorts by CPU%', async () => {
    const tag = `live-${Date.now().toString(36)}`;
    const { spawn } = await import('node:child_process');
    const fresh = spawn('/bin/sh', ['-c', 'while :; do :; done', tag], { stdio: 'ignore' });
    try {
      await expect.poll(() => page.getByTestId('updated-at').textContent(), { timeout: 10_000 }).toMatch(/updated/);
      await page.getByTestId('process-filter').fill(tag);
      await expect.poll(() => page.locator(`[data-testid="process-table-body"] [data-key="${fresh.pid}"]`).count(), { timeout: 10_000 }).toBe(1);
      expect(await page.getByTestId('process-detail').getAttribute('aria-label')).toBe(`process ${odd.pid}`);
      await page.getByTestId('process-filter').fill('');
      await page.getByRole('button', { name: 'CPU%' }).click();
      await expect.poll(() => page.getByRole('button', { name: /CPU%/ }).textContent()).toBe('CPU% ▼');
      await page.getByTestId('process-table-body').evaluate((el) => (el.scrollTop = 0));
      // The rows in view, top down, by CPU%: sorted the biggest first (on a shared machine another suite's busy
      // process may top ours), and our busy loop near the top with a CPU% the node gives a busy process.
      const byCpu = () =>
        page.getByTestId('process-table').evaluate((table) => {
          const column = [...table.querySelectorAll('.vtable-head .th')].findIndex((th) => th.textContent!.startsWith('CPU%'));
          return [...table.querySelectorAll('[role="row"]')]
            .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
            .map((row) => ({ pid: row.getAttribute('data-key'), cpu: Number(row.children[column]!.textContent || -1) }));
        });
      await expect.poll(async () => (await byCpu()).slice(0, 10).some((r) => r.pid === String(fresh.pid) && r.cpu >= 10), { timeout: 10_000 }).toBe(true);
      const cpus = (await byCpu()).map((r) => r.cpu);
      expect(cpus).toEqual([...cpus].sort((x, y) => y - x));
      await shot('processes-live');
    } finally {
      fresh.kill('SIGKILL');
    }
    await page.getByRole('button', { name: 'PID', exact: true }).click();
  });

  it('keeps refreshing live after a full read slower than the interval', async () => {
    await page.getByTestId('live-interval').selectOption('1000');
    slow = slowNamesRoot(namesRoot, 3000);
    const updated = () => page.getByTestId('updated-at').textContent({ timeout: 1000 }).catch(() => null);
    await page.getByTestId('refresh').click();
    await expect.poll(() => page.getByTestId('refresh').textContent()).toBe('Collecting…');
    // The full read takes 3 s, three intervals: the live steps meanwhile are skipped, not the loop.
    await expect.poll(() => page.getByTestId('refresh').textContent(), { timeout: 20_000 }).toBe('Full refresh');
    const afterFull = await updated();
    expect(afterFull).toMatch(/^updated /);
    await expect.poll(updated, { timeout: 10_000, interval: 250 }).not.toBe(afterFull);
    slow.stop();
    slow = null;
    await page.getByTestId('live-interval').selectOption('2000');
  });

  it('keeps the last data marked stale when the connection drops, then reconnects', async () => {
    const rowsBefore = await page.locator('[data-testid="process-table-body"] [role="row"]').count();
    expect(sshd.dropConnections()).toBeGreaterThan(0);
    await sshd.stopListener();
    await expect.poll(() => page.getByTestId('stale-badge').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByTestId('stale-badge').textContent()).toMatch(/stale since .* retry in \d+ s/);
    expect(rowsBefore).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="process-table-body"] [role="row"]').count()).toBeGreaterThan(0);
    await shot('stale');
    await sshd.startListener();
    await expect.poll(() => page.getByTestId('stale-badge').count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('updated-at').count()).toBe(1);
    // Paused from here on, as a user who wants to read a still picture.
    await page.getByTestId('live-toggle').uncheck();
    await page.getByTestId('refresh').click();
    await expect.poll(() => page.getByTestId('refresh').textContent()).toBe('Full refresh');
  });

  it('shows the node at a glance as the kernel has it, with graphs of the last minutes for the node and the open process', async () => {
    const overview = page.getByTestId('overview');
    const memTotal = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'latin1'))![1]);
    expect(Number(await overview.getByTestId('overview-memory').getAttribute('data-total-kb'))).toBe(memTotal);
    const cores = readFileSync('/proc/stat', 'latin1').split('\n').filter((l) => /^cpu\d+ /.test(l)).length;
    expect(await overview.getByTestId('overview-cores').locator('.bar').count()).toBe(cores);
    // The kernel's 15-minute load, read just before and after the page's: the page shows a reading from between the
    // two refreshes around it, and beside another suite the average climbs by more than 0.2 within seconds.
    const fifteenNow = () => Number(/^\S+ \S+ (\S+)/.exec(readFileSync('/proc/loadavg', 'latin1'))![1]);
    const before = fifteenNow();
    const shown = Number(await overview.getByTestId('overview-load').getAttribute('data-fifteen'));
    const after = fifteenNow();
    expect(shown).toBeGreaterThanOrEqual(Math.min(before, after) - 0.5);
    expect(shown).toBeLessThanOrEqual(Math.max(before, after) + 0.5);
    const cpu = Number(await overview.getByTestId('overview-cpu').getAttribute('data-value'));
    expect(cpu).toBeGreaterThanOrEqual(0);
    expect(cpu).toBeLessThanOrEqual(100);
    if (existsSync('/proc/pressure/cpu')) expect(await overview.getByTestId('psi-cpu').count()).toBe(1);
    expect(await overview.getByTestId('overview-tasks').textContent()).toMatch(/^tasks \d+ processes, \d+ threads$/);
    // Live: a point per refresh for the node; a point per history moment (10 s) for the open process.
    await expect.poll(async () => Number(await page.getByTestId('node-cpu-graph').getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    await expect.poll(async () => Number((await page.getByTestId('process-rss-graph').getAttribute('data-points').catch(() => null)) ?? 0), { timeout: 25_000 }).toBeGreaterThanOrEqual(2);
    await shot('overview');
  });

  it('follows a listening socket to its owner', async () => {
    await page.getByTestId('close-detail').click();
    await page.getByTestId('view-sockets').click();
    await page.getByTestId('listening-only').check();
    await shot('sockets-listening');
    await page.getByTestId('socket-proto').selectOption('tcp');
    await page.getByTestId('socket-filter').fill(`:${odd.ports.tcp4}`);
    const row = page.locator('[data-testid="socket-table-body"] [role="row"]', { hasText: `127.0.0.1:${odd.ports.tcp4}` });
    await expect.poll(() => row.count()).toBe(1);
    // ":PORT" is that port exactly: a prefix of it matches nothing the port does not.
    const prefix = String(odd.ports.tcp4).slice(0, -1);
    await page.getByTestId('socket-filter').fill(`:${prefix}`);
    await expect.poll(() => page.locator('[data-testid="socket-table-body"] [role="row"]', { hasText: `127.0.0.1:${odd.ports.tcp4} ` }).count()).toBe(0);
    // Listening is ss -l's: a bound UDP socket is listed.
    await page.getByTestId('socket-proto').selectOption('udp');
    await page.getByTestId('socket-filter').fill(`:${odd.ports.udp4}`);
    await expect.poll(() => page.locator('[data-testid="socket-table-body"] [role="row"]').count()).toBe(1);
    await page.getByTestId('socket-proto').selectOption('tcp');
    await page.getByTestId('listening-only').uncheck();
    await page.getByTestId('socket-filter').fill(`:${odd.ports.clientPort}`);
    const client = page.locator('[data-testid="socket-table-body"] [role="row"]', { hasText: `:${odd.ports.clientPort}` }).first();
    await expect.poll(() => client.textContent()).toContain(`(${odd.pid})`);
    expect(await client.textContent()).toContain('root');
    await page.getByTestId('socket-filter').fill(`:${odd.ports.tcp4}`);
    await page.getByTestId('listening-only').check();
    await shot('sockets');
    await row.getByTestId(`pid-link-${odd.pid}`).click();
    await expect.poll(() => page.getByTestId('process-detail').getAttribute('aria-label')).toBe(`process ${odd.pid}`);
  });

  it('lists namespaces like lsns and their members', async () => {
    await page.getByTestId('close-detail').click();
    await page.getByTestId('view-namespaces').click();
    const rows = page.locator('[data-testid="namespace-table-body"] [role="row"]');
    await expect.poll(() => rows.count()).toBeGreaterThan(5);
    // Filtered first: the table draws only the rows in view, and a busy machine has many namespaces before net's.
    await page.getByTestId('namespace-filter').fill('net');
    await rows.filter({ hasText: /^net/ }).first().click();
    await expect.poll(() => page.getByTestId('namespace-members').textContent()).toMatch(/net namespace \d+/);
    await page.getByRole('button', { name: 'NPROCS' }).click();
    const counts = await rows.evaluateAll((els) => els.map((el) => Number(el.children[2]?.textContent)));
    expect(counts.length).toBeGreaterThan(0);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    await shot('namespaces');
    await page.getByTestId('namespace-filter').fill('');
  });

  it('lists what could not be read, from the status bar', async () => {
    const errorsLink = page.getByTestId('errors-link');
    const count = Number((await errorsLink.textContent())!.split(' ')[0]);
    await errorsLink.click();
    await expect.poll(() => page.getByTestId('errors-count').textContent()).toMatch(new RegExp(`^${count} of ${count}`));
    expect(Number(await page.getByTestId('errors-table-body').getAttribute('aria-rowcount'))).toBe(count);
    await shot('errors');
  });

  it('shows the process tree with branches, and folds it', async () => {
    await page.getByTestId('view-processes').click();
    await page.getByTestId('tree-toggle').check();
    await page.getByTestId('process-filter').fill(String(odd.pid));
    const oddRow = page.locator(`[data-testid="process-table-body"] [data-key="${odd.pid}"]`);
    await expect.poll(() => oddRow.count()).toBe(1);
    // A branch under its parent (├─ or └─: what else the filter matches on a shared machine decides which).
    expect(await oddRow.locator('.branch').textContent()).toMatch(/^[ │]*[├└]─ $/);
    const ancestor = page.locator('[data-testid="process-table-body"] [role="row"]').first();
    const ancestorPid = await ancestor.getAttribute('data-key');
    await page.getByTestId(`fold-${ancestorPid}`).click();
    await expect.poll(() => oddRow.count()).toBe(0);
    await page.getByTestId(`fold-${ancestorPid}`).click();
    await expect.poll(() => oddRow.count()).toBe(1);
    await shot('tree');
    await page.getByTestId('tree-toggle').uncheck();
    await page.getByTestId('process-filter').fill('');
  });

  it('focuses the open tab of a node, edits saved nodes, and closes dialogs on Esc', async () => {
    const tabs = page.locator('[data-testid="tabs"] [role="tab"]');
    const before = await tabs.count();
    await page.getByTestId('connect-loopback').click();
    expect(await tabs.count()).toBe(before);
    await page.getByTestId('add-node').click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('node-name');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('add-node-dialog').count()).toBe(0);
    await page.getByTestId('edit-loopback').click();
    await expect.poll(() => page.getByTestId('node-port').inputValue()).toBe(String(sshd.port));
    await page.getByTestId('node-name').fill('loopback-edited');
    await page.getByTestId('save-node').click();
    await expect.poll(() => page.getByTestId('connect-loopback-edited').count()).toBe(1);
    await page.getByTestId('edit-loopback-edited').click();
    await page.getByTestId('node-name').fill('loopback');
    await page.getByTestId('save-node').click();
    await expect.poll(() => page.getByTestId('connect-loopback').count()).toBe(1);
  });

  it.skipIf(noContainers !== null)('shows the container the test made, with host and container pids', async () => {
    await page.getByTestId('view-containers').click();
    const row = page.locator('[data-testid="container-table-body"] [role="row"]', { hasText: CONTAINER_ID.slice(0, 12) });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('e2e-web');
    await row.click();
    const procs = (await page.getByTestId('container-processes').textContent()) ?? '';
    expect(procs).toContain(`${container!.initPid}1 (init)`);
    expect(await page.getByTestId('container-sockets').textContent()).toContain('tcp 127.0.0.1:8081');
    await shot('containers');
    if (limits) {
      // Its cgroup's limits, as the files say, and its use; the table sorts by them.
      const resources = page.getByTestId('container-resources');
      expect(await resources.getAttribute('data-memory-max')).toBe(readFileSync(`${limits.dirs.memory}/memory.limit_in_bytes`, 'utf8').trim());
      expect(await resources.getAttribute('data-pids-max')).toBe('50');
      expect(await resources.textContent()).toMatch(/memory [\d.]+ [KMG] \/ 64\.0 M; .*pids \d+ \/ 50/);
      expect(await row.textContent()).toContain('64.0 M');
      await shot('container-resources');
    } else skipForMachine('the container limits step', 'no cgroup v1 memory and pids controllers here');
  });

  it('exports the node as a valid snapshot, and a process with its descendants', async () => {
    await page.getByTestId('view-processes').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-node').click()]);
    exported = join(dir, download.suggestedFilename());
    await download.saveAs(exported);
    const snap = JSON.parse(readFileSync(exported, 'utf8')) as Snapshot;
    expect(schemaErrors(snap)).toEqual([]);
    expect(snap.processes.find((p) => p.pid === odd.pid)?.cmdline.slice(2)).toEqual(ODD_ARGV);

    await page.getByTestId('process-filter').fill(String(odd.pid));
    await page.locator(`[data-testid="process-table-body"] [data-key="${odd.pid}"]`).click();
    const [sub] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-process').click()]);
    const subPath = join(dir, 'sub.json');
    await sub.saveAs(subPath);
    const subSnap = JSON.parse(readFileSync(subPath, 'utf8')) as Snapshot;
    expect(schemaErrors(subSnap)).toEqual([]);
    expect(subSnap.processes.map((p) => p.pid)).toEqual([odd.pid]);
    expect(subSnap.sockets.every((s) => s.pids.includes(odd.pid))).toBe(true);
  });

  it('imports the export back, read-only and labelled, and shows the same process', async () => {
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('import-snapshot').click()]);
    await chooser.setFiles(exported);
    await expect.poll(() => page.getByTestId('readonly-badge').textContent()).toContain('read-only');
    await page.getByTestId('process-filter').fill('ünïcødé');
    await page.locator(`[data-testid="process-table-body"] [data-key="${odd.pid}"]`).dblclick();
    const argv = await page.getByTestId('argv').locator('li').allTextContents();
    expect(argv[2]).toBe('line one\\nline two');
    // An imported snapshot cannot act: there is no node behind it.
    expect(await page.getByTestId('detail-act').count()).toBe(0);
    await shot('imported');
  });

  it('says clearly why a bad file cannot be imported', async () => {
    const bad = join(dir, 'truncated.json');
    writeFileSync(bad, readFileSync(exported, 'utf8').slice(0, 5000));
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('import-snapshot').click()]);
    await chooser.setFiles(bad);
    await expect.poll(() => page.getByTestId('notice').textContent()).toMatch(/not valid JSON.*cut short/s);

    // 200 MB: refused from its size, at once, and the page stays responsive.
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, 200 * 1024 * 1024);
    const [hugeChooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('import-snapshot').click()]);
    await hugeChooser.setFiles(huge);
    await expect.poll(() => page.getByTestId('notice').textContent()).toMatch(/200 MB; procscope opens snapshots of up to 128 MB/);
    // Still responsive: the filter answers at once.
    await page.getByTestId('process-filter').fill(String(odd.pid));
    await expect.poll(() => page.locator(`[data-testid="process-table-body"] [data-key="${odd.pid}"]`).count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it('opens a schema-valid import with odd values without blanking the page', async () => {
    const odd = JSON.parse(readFileSync(exported, 'utf8')) as { processes: Record<string, unknown>[] };
    odd.processes[0]!.cpuPercent = 'boom';
    const file = join(dir, 'odd-values.json');
    writeFileSync(file, JSON.stringify(odd));
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('import-snapshot').click()]);
    await chooser.setFiles(file);
    await expect.poll(() => page.getByTestId('notice').textContent()).toMatch(/does not follow the procscope\.snapshot\/v1 schema: \/processes\/0\/cpuPercent must be number,null/);
    expect(await page.getByTestId('tab-header').count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it('lays out at 1024x700: the status bar at the bottom, the table beside the detail', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.getByTestId(`tab-loopback`).click();
    await page.getByTestId('process-filter').fill(String(odd.pid));
    await page.locator(`[data-testid="process-table-body"] [data-key="${odd.pid}"]`).dblclick();
    const bar = (await page.getByTestId('status-bar').boundingBox())!;
    expect(bar.y + bar.height).toBeCloseTo(700, 0);
    const table = (await page.getByTestId('process-table').boundingBox())!;
    const detail = (await page.getByTestId('process-detail').boundingBox())!;
    expect(table.width).toBeGreaterThanOrEqual(380);
    expect(detail.width).toBeGreaterThanOrEqual(320);
    expect(table.x + table.width).toBeLessThanOrEqual(detail.x + 1);
    const breaks = await page.locator('.detail td, .detail th').evaluateAll((els) => els.filter((el) => getComputedStyle(el).wordBreak === 'break-all').length);
    expect(breaks).toBe(0);
    await shot('layout-1024');
    await page.setViewportSize({ width: 1500, height: 900 });
  });

  it('keeps its session in page memory only: no cookie, a reload needs a new URL, and a used URL is worthless', async () => {
    expect(await page.context().cookies()).toEqual([]);
    expect(page.url()).not.toContain('token=');
    await page.reload();
    await expect.poll(() => page.getByTestId('no-session').textContent()).toMatch(/Open the newest URL/);
    const other = await browser.newPage();
    await other.goto(served.url);
    await expect.poll(() => other.getByTestId('no-session').textContent()).toMatch(/used already/);
    await other.goto(served.latestUrl());
    await other.getByTestId('connect-local').waitFor();
    await other.close();
  });
});
