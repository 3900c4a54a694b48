/** openSession: from what a user types ("local", "root@node:2222", a ~/.ssh/config alias) to a NodeSession. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ProcscopeFailure } from '../../shared/errors';
import { formatSshTarget, parseTarget } from '../../shared/target';
import { type NodeSession, localSession, sshSession } from './session';
import { type ConnectOptions, connectSsh } from './ssh/connect';
import type { UnknownHostKey, UnknownKeyDecision } from './ssh/host-keys';
import { type HostOptions, readSshConfig, resolveHost } from './ssh/config-file';

export interface OpenOptions extends HostOptions, Omit<ConnectOptions, 'hostKeys'> {
  /** -F: ssh config file; defaults to ~/.ssh/config */
  sshConfigPath?: string;
  /** defaults to ~/.ssh/known_hosts */
  knownHostsFile?: string;
  onUnknownKey?: (key: UnknownHostKey) => Promise<UnknownKeyDecision>;
}

export function defaultKnownHostsFile(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}

export async function openSession(destination: string | undefined, options: OpenOptions = {}): Promise<NodeSession> {
  let target;
  try {
    target = parseTarget(destination);
  } catch (err) {
    throw new ProcscopeFailure({ kind: 'parse', message: (err as Error).message, hint: 'Write the target as [user@]host[:port], or "local".' });
  }
  if (target.kind === 'local') return localSession();
  let host;
  try {
    host = resolveHost(destination!, options, readSshConfig(options.sshConfigPath));
  } catch (err) {
    throw new ProcscopeFailure({ kind: 'parse', message: (err as Error).message });
  }
  const connection = await connectSsh(host, {
    ...options,
    hostKeys: {
      knownHostsFile: options.knownHostsFile ?? defaultKnownHostsFile(),
      onUnknownKey: options.onUnknownKey ?? (async () => 'reject'),
    },
  });
  return sshSession(connection, formatSshTarget(host.user, host.host, host.port));
}
