/** Debian's Chromium driven by playwright-core, and `procscope serve` started as a user would start it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { CLI } from './cli';

export const CHROMIUM = '/usr/bin/chromium';
export const RESULTS = join(__dirname, '..', '..', 'test-results');

export function browserUnavailable(rendererDir = join(__dirname, '..', '..', 'dist', 'renderer')): string | null {
  if (!existsSync(CHROMIUM)) return `no ${CHROMIUM}: install Debian's chromium package (.ci/run does)`;
  if (!existsSync(join(rendererDir, 'index.html'))) return 'the renderer is not built: run npm run build';
  return null;
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(RESULTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Chromium with the app's page open on serve's one-time URL (the page trades its token on load). */
export async function openApp(served: Served, options: { acceptDownloads?: boolean; pageErrors?: string[] } = {}): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 }, ...(options.acceptDownloads ? { acceptDownloads: true } : {}) });
  if (options.pageErrors) page.on('pageerror', (e) => options.pageErrors!.push(e.message));
  await page.goto(served.url);
  return { browser, page };
}

export interface Served {
  /** the first one-time URL, as the launch page held it */
  url: string;
  /** the launch page serve printed the file:// of */
  launchPage: string;
  /** the URL the launch page holds now (each page uses one up) */
  latestUrl(): string;
  port: number;
  child: ChildProcess;
  /** what it printed on standard output (the terminal, with tty) */
  output(): string;
  /** types on its terminal (tty only) */
  type(text: string): void;
  stop(): Promise<void>;
}

/** Whether `script` (util-linux) can give a command a terminal here. */
export function terminalUnavailable(): string | null {
  return existsSync('/usr/bin/script') ? null : 'no /usr/bin/script (util-linux) to give procscope serve a terminal';
}

/** The one-time URL a launch page redirects to. */
export function tokenUrlOf(launchPage: string): string {
  const m = /url=(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)"/.exec(readFileSync(launchPage, 'utf8'));
  if (!m) throw new Error(`no one-time URL in ${launchPage}`);
  return m[1]!;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `procscope serve` with its own HOME (so its known_hosts and saved nodes are the test's) and reads the URL it
 * prints. With tty, it runs on a terminal of its own (through script(1)), where it asks its questions.
 */
export async function startServe(env: NodeJS.ProcessEnv, extraArgs: string[] = [], options: { tty?: boolean; /** a command that execs the rest (prlimit …) */ wrap?: string[] } = {}): Promise<Served> {
  const argv = [...(options.wrap ?? []), process.execPath, CLI, 'serve', ...extraArgs];
  const child = options.tty
    ? spawn('script', ['-qfec', argv.map(shellQuote).join(' '), '/dev/null'], { env: { ...process.env, SSH_AUTH_SOCK: '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(argv[0]!, argv.slice(1), { env: { ...process.env, SSH_AUTH_SOCK: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  let out = '';
  // serve prints the file:// of its launch page, never the token: the test reads the URL from that page, as a browser would.
  const launchPage = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /Open (file:\/\/\S+\.html) in a browser/.exec(out);
      if (m) resolve(fileURLToPath(m[1]!));
    });
    child.on('exit', (code) => reject(new Error(`procscope serve exited with ${code}: ${stderr}`)));
  });
  const url = tokenUrlOf(launchPage);
  return {
    url,
    launchPage,
    latestUrl: () => tokenUrlOf(launchPage),
    port: Number(new URL(url).port),
    child,
    output: () => out,
    type: (text) => child.stdin!.write(text),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Fills the "Add node" dialog for a key login and presses "Save and connect". */
export async function addNodeInUi(page: Page, node: { name: string; host: string; port: number; user: string; identity: string }): Promise<void> {
  await page.getByTestId('add-node').click();
  await page.getByTestId('node-name').fill(node.name);
  await page.getByTestId('node-host').fill(node.host);
  await page.getByTestId('node-port').fill(String(node.port));
  await page.getByTestId('node-user').fill(node.user);
  await page.getByTestId('node-auth').selectOption('key');
  await page.getByTestId('node-identity').fill(node.identity);
  await page.getByTestId('save-connect-node').click();
}

/** One filter keystroke, timed from the input event React handles to the frame painted after it. */
export function timedKeystroke(page: Page, ch: string): Promise<number> {
  return page.getByTestId('process-filter').evaluate(async (input: HTMLInputElement, c) => {
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    const start = performance.now();
    setValue.call(input, input.value + c);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - start;
  }, ch);
}
