/** openSession: from what a user types ("local", "root@node:2222", a Host alias of the ssh config) to a NodeSession. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ProcscopeFailure } from '../../shared/errors';
import { formatSshTarget, parseTarget } from '../../shared/target';
import { type NodeSession, localSession, sshSession } from './session';
import { type ConnectOptions, connectSsh } from './ssh/connect';
import type { UnknownHostKey, UnknownKeyDecision } from './ssh/host-keys';
import type { ResolvedHost } from '../../shared/ssh/route';
import { type ResolveOptions, resolveDestination } from './ssh/resolve';

export interface OpenOptions extends ResolveOptions, Omit<ConnectOptions, 'onUnknownKey' | 'defaultKnownHostsFile'> {
  /** asked about an unknown host key when StrictHostKeyChecking is "ask"; default: refuse */
  onUnknownKey?: (key: UnknownHostKey) => Promise<UnknownKeyDecision>;
  /** told where the destination leads before connecting */
  onResolved?: (host: ResolvedHost) => void;
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
  const host = await resolveDestination(destination!, options);
  options.onResolved?.(host);
  const connection = await connectSsh(host, {
    ...options,
    defaultKnownHostsFile: options.knownHostsFile ?? defaultKnownHostsFile(),
    onUnknownKey: options.onUnknownKey ?? (async () => 'reject'),
  });
  return sshSession(connection, formatSshTarget(host.user, host.host, host.port), options.log);
}
