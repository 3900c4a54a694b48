/**
 * The ways to a node, in the app: hosts imported from an ssh config and the files it Includes, the route shown
 * before connecting (as ssh -G resolves it), a ProxyCommand whose stderr and recorded host key appear in the
 * connection log, and a command node that runs only once the person at the serve terminal approves it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULTS, type Served, browserUnavailable, launchChromium, startServe, terminalUnavailable } from './helpers/browser';
import { type KeyPair, type Sshd, generateKey, makeTempDir, sshdUnavailable, startSshd } from './helpers/sshd';

const skipReason = browserUnavailable() ?? sshdUnavailable() ?? terminalUnavailable() ?? (spawnSync('ssh', ['-V']).status !== 0 ? 'no OpenSSH client (ssh)' : null);
if (skipReason) console.warn(`SKIP e2e route tests: ${skipReason}`);

describe.skipIf(skipReason !== null)('reaching nodes, in a browser', () => {
  let dir: string;
  let sshd: Sshd;
  let key: KeyPair;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let config: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = makeTempDir('e2e-routes');
    execFileSync('mkdir', ['-p', join(dir, 'home'), join(dir, 'conf.d')]);
    sshd = await startSshd();
    key = generateKey(dir, 'id_routes');
    sshd.authorize('root', key.publicLine);
    config = join(dir, 'ssh_config');
    writeFileSync(join(dir, 'known_hosts.relay'), sshd.knownHostsLine() + '\n');
    writeFileSync(join(dir, 'known_hosts.app'), '');
    writeFileSync(
      join(dir, 'conf.d', 'relayed.conf'),
      [
        'Host relayed-node',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  ProxyCommand sh -c 'echo relaying to %h:%p >&2; exec ssh -F ${config} -W %h:%p relay'`,
        `  UserKnownHostsFile ${join(dir, 'known_hosts.app')}`,
        '  StrictHostKeyChecking accept-new',
        '',
      ].join('\n'),
    );
    writeFileSync(
      config,
      [
        // At the top: an Include inside a Host block is read only for that host (as ssh does).
        `Include ${join(dir, 'conf.d')}/*.conf`,
        'Host plain-node',
        '  HostName 127.0.0.1',
        'Host relay',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  UserKnownHostsFile ${join(dir, 'known_hosts.relay')}`,
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        'Host *',
        '  User root',
        `  IdentityFile ${key.privatePath}`,
        '  IdentitiesOnly yes',
        '  HashKnownHosts no',
        '',
      ].join('\n'),
    );
    served = await startServe({ HOME: join(dir, 'home') }, ['-F', config], { tty: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(served.url);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the hosts of the config and of the files it Includes', async () => {
    await page.getByTestId('import-ssh-config').click();
    for (const name of ['plain-node', 'relayed-node', 'relay']) await expect.poll(() => page.getByTestId(`connect-${name}`).count()).toBe(1);
  });

  it('shows where a node leads before connecting: the route ssh -G gives', async () => {
    await page.getByTestId('edit-relayed-node').click();
    await page.getByTestId('node-resolve').click();
    const route = page.getByTestId('node-route');
    await expect.poll(() => route.textContent()).toContain(`relayed-node → 127.0.0.1:${sshd.port} as root via ProxyCommand`);
    const text = (await route.textContent())!;
    expect(text).toContain(`key ${key.privatePath}`);
    expect(text).toContain(`known hosts ${join(dir, 'known_hosts.app')}`);
    expect(text).toContain('StrictHostKeyChecking accept-new');
    expect(text).toMatch(/\(resolved by ssh -G\)$/);
    // The same route as the CLI says for it.
    expect(execFileSync(process.execPath, [join(__dirname, '..', 'bin', 'procscope.js'), 'resolve', 'relayed-node', '-F', config], { encoding: 'utf8' }).trim()).toBe(text);
    await page.screenshot({ path: join(RESULTS, 'node-route.png') });
    await page.keyboard.press('Escape');
  });

  it('connects through the ProxyCommand; its stderr and the key it recorded are in the connection log', async () => {
    await page.getByTestId('connect-relayed-node').click();
    await page.getByTestId('process-table').waitFor({ timeout: 30_000 });
    await page.getByTestId('connection-log').click();
    const log = page.getByTestId('connection-log');
    await expect.poll(() => log.textContent()).toContain(`ProxyCommand: relaying to 127.0.0.1:${sshd.port}`);
    expect(await log.textContent()).toContain(`Permanently added [127.0.0.1]:${sshd.port}`);
    expect(await log.textContent()).toContain(`Route: relayed-node → 127.0.0.1:${sshd.port} as root via ProxyCommand`);
    expect(readFileSync(join(dir, 'known_hosts.app'), 'utf8')).toBe(sshd.knownHostsLine() + '\n');
    await page.screenshot({ path: join(RESULTS, 'connection-log.png') });
  });

  /** The approval codes the serve terminal has shown, in order. */
  const codesAsked = () => [...served.output().matchAll(/To run it, type ([a-z0-9]{4}) and Enter/g)].map((m) => m[1]!);

  it('runs a command node only once the serve terminal approves it, with the code the question shows', async () => {
    const command = `sh -c 'exec /bin/sh' procscope-e2e-via`;
    await page.getByTestId('add-node').click();
    await page.getByTestId('node-kind').selectOption('command');
    await page.getByTestId('node-name').fill('via-shell');
    await page.getByTestId('node-command').fill(command);
    await page.getByTestId('save-connect-node').click();
    await expect.poll(() => codesAsked().length, { timeout: 10_000 }).toBe(1);
    expect(served.output()).toContain(command);
    // "y" is not the code: it refuses.
    served.type('y\n');
    await expect.poll(() => page.getByTestId('error-box').textContent()).toContain('You did not approve running the command of via-shell');
    await page.getByTestId('error-box').getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => codesAsked().length, { timeout: 10_000 }).toBe(2);
    served.type(`${codesAsked()[1]}\n`);
    await page.getByTestId('process-table').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('node-info').textContent()).toContain(`via ${command}`);
    // Approved once for this run of serve: connecting again does not ask again.
    expect(codesAsked()).toHaveLength(2);
    expect(pageErrors).toEqual([]);
  });

  it('asks one question at a time: the line typed answers only the one shown', async () => {
    const marker = join(dir, 'evil-ran');
    const nodes = [
      ['benign', `sh -c 'exec /bin/sh' procscope-benign`],
      ['evil', `sh -c 'touch ${marker}; exec /bin/sh' procscope-evil`],
    ] as const;
    for (const [name, command] of nodes) {
      await page.getByTestId('add-node').click();
      await page.getByTestId('node-kind').selectOption('command');
      await page.getByTestId('node-name').fill(name);
      await page.getByTestId('node-command').fill(command);
      await page.getByTestId('save-node').click();
    }
    const before = codesAsked().length;
    // Both connections ask at once: two clicks in one task of the page.
    for (const [name] of nodes) await page.getByTestId(`connect-${name}`).waitFor();
    await page.evaluate((names) => {
      for (const name of names) document.querySelector<HTMLButtonElement>(`[data-testid="connect-${name}"]`)!.click();
    }, nodes.map(([name]) => name));
    await expect.poll(() => codesAsked().length, { timeout: 10_000 }).toBe(before + 1);
    // The second question waits for the first: it is not on the terminal yet.
    const shown = served.output().slice(served.output().lastIndexOf('The page asks to run'));
    const first = nodes.find(([, command]) => shown.includes(command))!;
    const second = nodes.find((n) => n !== first)!;
    expect(shown).not.toContain(second[1]);
    served.type(`${codesAsked()[before]}\n`);
    await expect.poll(() => codesAsked().length, { timeout: 10_000 }).toBe(before + 2).catch(async (e) => {
      await page.screenshot({ path: join(RESULTS, 'two-approvals.png') });
      throw new Error(`${e}\n${served.output().slice(-1500)}`);
    });
    expect(served.output().slice(served.output().lastIndexOf('The page asks to run'))).toContain(second[1]);
    // The first code again does not approve the second question (each has its own).
    expect(codesAsked()[before + 1]).not.toBe(codesAsked()[before]);
    served.type(`${codesAsked()[before]}\n`);
    await page.getByTestId(`tab-${second[0]}`).click();
    await expect.poll(() => page.getByTestId('error-box').textContent()).toContain(`You did not approve running the command of ${second[0]}`);
    expect(existsSync(marker)).toBe(first[0] === 'evil');
  });
});
