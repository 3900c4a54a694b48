/**
 * The security settings of procscope's window, from Electron's security checklist. Kept apart from
 * main.ts (and free of Electron imports) so a test can read the configuration main.ts really uses.
 */

export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const;

/** Set as a response header on every page the app loads, and as a meta tag in index.html. */
export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'";

/** The window procscope opens: Electron's secure defaults, the preload the only bridge. */
export function windowOptions(preload: string) {
  return { width: 1400, height: 900, title: 'procscope', show: false, webPreferences: { ...WEB_PREFERENCES, preload } };
}

/** What lockDown needs of Electron's session and web contents (typed here so it is testable without Electron). */
export interface LockableSession {
  setPermissionRequestHandler(handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  webRequest: { onHeadersReceived(listener: (details: { responseHeaders?: Record<string, string[] | string> }, callback: (response: { responseHeaders: Record<string, string[] | string> }) => void) => void): void };
}
interface PreventableEvent {
  preventDefault(): void;
}
export interface LockableContents {
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (e: PreventableEvent) => void): void;
  setWindowOpenHandler(handler: () => { action: 'deny' }): void;
}

/** Denies every permission, sets the CSP header on every response. */
export function lockDownSession(session: LockableSession): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } }));
}

/** No navigation, redirect, webview or new window, for every web contents the app creates. */
export function lockDownContents(contents: LockableContents): void {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Only the app's own page, in its main frame, may call the API. */
export function isTrustedSender(frameUrl: string | undefined, isMainFrame: boolean, indexUrl: string): boolean {
  if (!frameUrl || !isMainFrame) return false;
  const strip = (u: string) => u.split('#')[0]!.split('?')[0]!;
  return strip(frameUrl) === strip(indexUrl);
}
