/**
 * OpenSSH decides the config: `ssh -G` resolves a destination exactly as `ssh` would (Include, Match, tokens,
 * canonicalisation, defaults). Run without a shell; the destination is checked not to read as an option.
 */
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { ProcscopeFailure } from '../../../shared/errors';
import { type OpenSshHost, parseSshG } from '../../../shared/ssh/ssh-g';

export interface OpenSshResolveOptions {
  /** -F FILE */
  configPath?: string;
  /** each passed as -o KEY=VALUE */
  sshOptions?: string[];
  /** -p and -l: procscope's [user@]host[:port] split, as ssh does not read host:port */
  port?: number;
  user?: string;
  /** -i FILE each */
  identityFiles?: string[];
  /** -J */
  jump?: string;
  /** the client to ask (default: ssh on PATH) */
  sshBinary?: string;
  /** what ~ means in the paths it prints; ssh's own is the passwd entry's home, not $HOME */
  home?: string;
  /** how long ssh -G may take (default SSH_G_TIMEOUT_MS) */
  timeoutMs?: number;
}

/** ssh -G reads files and may run Match exec commands: on a loaded laptop that takes seconds, rarely more. */
export const SSH_G_TIMEOUT_MS = 20_000;

/** OpenSSH's resolution of `destination`, or null where there is no ssh client to ask (then the built-in reader is used). */
export function resolveWithOpenSsh(destination: string, options: OpenSshResolveOptions = {}): Promise<OpenSshHost | null> {
  if (destination === '' || destination.startsWith('-') || /[\s\0]/.test(destination)) {
    return Promise.reject(new ProcscopeFailure({ kind: 'parse', message: `Not an SSH destination: ${JSON.stringify(destination)}.`, hint: 'Write it as [user@]host[:port], or a Host alias.' }));
  }
  for (const o of options.sshOptions ?? []) {
    if (!/^[A-Za-z][A-Za-z0-9]*[= ]/.test(o)) return Promise.reject(new ProcscopeFailure({ kind: 'parse', message: `Not an ssh option: ${JSON.stringify(o)}.`, hint: 'Write it as Key=Value, as for ssh -o.' }));
  }
  if (options.user !== undefined && !/^[A-Za-z0-9._][A-Za-z0-9._-]*$/.test(options.user)) return Promise.reject(new ProcscopeFailure({ kind: 'parse', message: `Not a user name: ${JSON.stringify(options.user)}.` }));
  const args = [
    '-G',
    ...(options.configPath ? ['-F', options.configPath] : []),
    ...(options.port !== undefined ? ['-p', String(options.port)] : []),
    ...(options.user !== undefined ? ['-l', options.user] : []),
    ...(options.identityFiles ?? []).flatMap((f) => ['-i', f]),
    ...(options.jump !== undefined ? ['-J', options.jump] : []),
    ...(options.sshOptions ?? []).flatMap((o) => ['-o', o]),
    destination,
  ];
  return new Promise((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? SSH_G_TIMEOUT_MS;
    execFile(options.sshBinary ?? 'ssh', args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') return resolve(null);
      // Killed at the timeout: a slow machine or a config that runs something (Match exec), not a bad config.
      if (err && (err as { killed?: boolean }).killed) {
        return reject(new ProcscopeFailure({ kind: 'connection', message: `ssh -G ${destination} did not answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}; it was stopped.`, hint: 'This computer may be overloaded, or the ssh config runs a slow command (Match exec, a slow Include). Try again, or run ssh -G yourself to see.' }));
      }
      if (err) {
        return reject(new ProcscopeFailure({ kind: 'parse', message: `ssh -G ${destination} failed: ${(stderr || err.message).trim().split('\n').slice(-3).join(' / ')}`, hint: 'Check the ssh config it names (ssh -G shows the same).' }));
      }
      try {
        resolve(parseSshG(stdout, options.home ?? userInfo().homedir));
      } catch (e) {
        reject(new ProcscopeFailure({ kind: 'parse', message: `ssh -G ${destination}: ${(e as Error).message}` }));
      }
    });
  });
}
