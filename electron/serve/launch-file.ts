/**
 * How a browser gets serve's one-time URL without the token ever being in a command line (where any local user reads
 * it from /proc/PID/cmdline): serve writes a page that redirects to the URL into a file only this user can read,
 * and the person opens file:// of that page, as Jupyter does. Each time the token is used the file gets the next one.
 */
import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ProcscopeFailure } from '../../shared/errors';
import { writeFileAtomically } from '../fs/atomic-write';

/** A directory only this user may enter: made 0700, refused when it is a symlink or someone else's, tightened when ours. */
function privateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.() ?? 0;
  if (!st.isDirectory() || st.uid !== uid) {
    throw new ProcscopeFailure({ kind: 'permission-denied', message: `Refused to keep serve's launch page in ${dir}: it is ${st.isDirectory() ? `owned by uid ${st.uid}` : 'not a directory'}.`, hint: 'Remove it, or set XDG_RUNTIME_DIR to a directory of your own.' });
  }
  if ((st.mode & 0o077) !== 0) {
    throw new ProcscopeFailure({ kind: 'permission-denied', message: `Refused to keep serve's launch page in ${dir}: other users may open it (mode ${(st.mode & 0o777).toString(8)}).`, hint: `chmod 700 ${dir}` });
  }
  return dir;
}

/** $XDG_RUNTIME_DIR/procscope when the session has a runtime directory, else runtime/ in procscope's config directory. */
export function launchDir(configDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return privateDir(runtime && runtime.startsWith('/') ? join(runtime, 'procscope') : join(configDir, 'runtime'));
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function launchPage(url: string): string {
  const u = escapeHtml(url);
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${u}"><title>procscope</title></head>
<body><p>Opening procscope… If nothing happens, <a href="${u}">open it here</a>.</p></body></html>
`;
}

export interface LaunchFile {
  /** file:// of the page, the one thing to print */
  readonly url: string;
  /** writes the page for a new one-time URL */
  update(url: string): void;
  remove(): void;
}

/** Writes the launch page for serve on `port`, 0600 in a 0700 directory. */
export function writeLaunchFile(dir: string, port: number, url: string): LaunchFile {
  const path = join(dir, `serve-${port}.html`);
  const update = (next: string) => void writeFileAtomically(path, launchPage(next), { mode: 0o600 });
  update(url);
  return { url: pathToFileURL(path).toString(), update, remove: () => rmSync(path, { force: true }) };
}
