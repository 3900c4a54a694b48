/**
 * The real Electron app, launched by Playwright's _electron. Electron downloads its binary on first use;
 * on machines without internet access there is none, and this test says so and skips.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type LockableSession, RENDERER_CSP, isTrustedSender, lockDownContents, lockDownSession, windowOptions } from '../electron/window-config';
import { skipForMachine } from './helpers/skip';

const ROOT = join(__dirname, '..');

function electronBinary(): string | null {
  const pathFile = join(ROOT, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(ROOT, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
const skipReason = binary
  ? process.platform === 'linux' && !process.env.DISPLAY
    ? 'no X display for Electron (run under xvfb-run)'
    : null
  : 'the Electron binary is not installed: Electron downloads it on first use (npm start), which needs internet access';
// The binary is a download (no Debian package has it): without internet it is a limit of this machine.
if (skipReason) skipForMachine('Electron end-to-end test', skipReason);

describe('the window configuration main.ts uses', () => {
  it('keeps Electron\'s secure defaults on in the window main.ts opens', () => {
    const prefs = windowOptions('/x/preload.js').webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false });
    expect(prefs).toMatchObject({ webSecurity: true, allowRunningInsecureContent: false, webviewTag: false, preload: '/x/preload.js' });
  });

  it('denies every permission and sets the CSP on every response', () => {
    let request: Parameters<LockableSession['setPermissionRequestHandler']>[0] | undefined;
    let check: (() => boolean) | undefined;
    let headers: Parameters<LockableSession['webRequest']['onHeadersReceived']>[0] | undefined;
    lockDownSession({ setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h), webRequest: { onHeadersReceived: (l) => (headers = l) } });
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      let granted: boolean | undefined;
      request!(null, permission, (g) => (granted = g));
      expect(granted, permission).toBe(false);
    }
    expect(check!()).toBe(false);
    let answer: Record<string, string[] | string> | undefined;
    headers!({ responseHeaders: { 'Content-Security-Policy': ["default-src *"], 'X-Other': ['1'] } }, (r) => (answer = r.responseHeaders));
    expect(answer).toEqual({ 'Content-Security-Policy': [RENDERER_CSP], 'X-Other': ['1'] });
  });

  it('lets no web contents navigate, redirect, attach a webview or open a window', () => {
    const listeners = new Map<string, (e: { preventDefault(): void }) => void>();
    let open: (() => { action: string }) | undefined;
    lockDownContents({ on: (event, l) => void listeners.set(event, l), setWindowOpenHandler: (h) => (open = h) });
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      listeners.get(event)!({ preventDefault: () => (prevented = true) });
      expect(prevented, event).toBe(true);
    }
    expect(open!()).toEqual({ action: 'deny' });
  });

  it('has a strict Content-Security-Policy, in the header and in index.html', () => {
    expect(RENDERER_CSP).toMatch(/default-src 'none'/);
    expect(RENDERER_CSP).not.toMatch(/unsafe-(inline|eval)/);
    expect(readFileSync(join(ROOT, 'renderer', 'index.html'), 'utf8')).toContain(RENDERER_CSP);
  });

  it.each([
    ['file:///app/dist/renderer/index.html', true, true],
    ['file:///app/dist/renderer/index.html#x', true, true],
    ['file:///app/dist/renderer/other.html', true, false],
    ['https://evil.example/', true, false],
    ['file:///app/dist/renderer/index.html', false, false],
    [undefined, true, false],
  ])('trusts IPC from %s (main frame: %s): %s', (url, mainFrame, trusted) => {
    expect(isTrustedSender(url, mainFrame, 'file:///app/dist/renderer/index.html')).toBe(trusted);
  });
});

describe.skipIf(skipReason !== null)('the Electron app', () => {
  it('opens a locked-down window that shows this machine\'s processes', async () => {
    const home = mkdtempSync(join(tmpdir(), 'procscope-electron-'));
    const app = await _electron.launch({ executablePath: binary!, args: [ROOT], env: { ...process.env, HOME: home } });
    try {
      const window = await app.firstWindow();
      // getLastWebPreferences is Electron's own record of what the window got; its types leave it out.
      const prefs = await app.evaluate(({ BrowserWindow }) => (BrowserWindow.getAllWindows()[0]!.webContents as unknown as { getLastWebPreferences(): object }).getLastWebPreferences());
      expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
      expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await window.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
      expect(await window.evaluate(() => Object.keys((window as unknown as { procscope: object }).procscope).sort())).not.toContain('invoke');
      await window.getByTestId('connect-local').click();
      await window.getByTestId('process-table').waitFor();
      expect(await window.locator(`[data-testid="process-table-body"] [role="row"]`).count()).toBeGreaterThan(0);
      const before = window.url();
      await window.evaluate(() => (location.href = 'https://example.invalid/'));
      await window.waitForTimeout(300);
      expect(window.url()).toBe(before);
    } finally {
      await app.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
