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

/** Only the app's own page, in its main frame, may call the API. */
export function isTrustedSender(frameUrl: string | undefined, isMainFrame: boolean, indexUrl: string): boolean {
  if (!frameUrl || !isMainFrame) return false;
  const strip = (u: string) => u.split('#')[0]!.split('?')[0]!;
  return strip(frameUrl) === strip(indexUrl);
}
