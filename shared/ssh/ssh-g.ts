/**
 * What `ssh -G DEST` prints: OpenSSH's own resolution of a destination (Include, Match, canonicalisation, every
 * option's default), one "keyword value" line each, keywords in lower case. parseSshG keeps what procscope uses.
 * Multi-valued keywords come as repeated lines (identityfile) or space-separated on one line (the known-hosts files:
 * OpenSSH prints them unquoted, so a path with a space in it cannot be told from two paths).
 */

export type StrictHostKeyChecking = 'yes' | 'no' | 'ask' | 'accept-new';

export interface OpenSshHost {
  /** the HostName to connect to */
  hostname: string;
  port: number;
  user: string;
  /** ~ expanded; OpenSSH prints them as configured */
  identityFiles: string[];
  identitiesOnly: boolean;
  /** "none" when unset */
  proxyJump: string | null;
  /** as configured: %h, %p, %r, %n are expanded when it runs (expandProxyTokens) */
  proxyCommand: string | null;
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  strictHostKeyChecking: StrictHostKeyChecking;
  hostKeyAlias: string | null;
  connectTimeoutSec: number | null;
  serverAliveIntervalSec: number;
  serverAliveCountMax: number;
  compression: boolean;
}

const STRICT: Record<string, StrictHostKeyChecking> = { true: 'yes', yes: 'yes', false: 'no', no: 'no', ask: 'ask', 'accept-new': 'accept-new' };

function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? home + path.slice(1) : path;
}

export function parseSshG(text: string, home: string): OpenSshHost {
  const one = new Map<string, string>();
  const identityFiles: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    if (!/^[a-z0-9]+$/.test(key)) continue;
    if (key === 'identityfile') identityFiles.push(expandHome(value, home));
    else if (!one.has(key)) one.set(key, value);
  }
  const hostname = one.get('hostname');
  if (!hostname) throw new Error('ssh -G printed no hostname');
  const port = Number(one.get('port') ?? 22);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`ssh -G printed a bad port: ${one.get('port')}`);
  const unset = (v: string | undefined) => (v === undefined || v === 'none' ? null : v);
  const list = (v: string | undefined) => (v ?? '').split(' ').filter((f) => f !== '').map((f) => expandHome(f, home));
  const number = (v: string | undefined, fallback: number) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback);
  const timeout = one.get('connecttimeout');
  return {
    hostname,
    port,
    user: one.get('user') ?? '',
    identityFiles,
    identitiesOnly: one.get('identitiesonly') === 'yes' || one.get('identitiesonly') === 'true',
    proxyJump: unset(one.get('proxyjump')),
    proxyCommand: unset(one.get('proxycommand')),
    userKnownHostsFiles: list(one.get('userknownhostsfile')),
    globalKnownHostsFiles: list(one.get('globalknownhostsfile')),
    strictHostKeyChecking: STRICT[one.get('stricthostkeychecking') ?? 'ask'] ?? 'ask',
    hostKeyAlias: unset(one.get('hostkeyalias')),
    connectTimeoutSec: timeout !== undefined && /^\d+$/.test(timeout) && timeout !== '0' ? Number(timeout) : null,
    serverAliveIntervalSec: number(one.get('serveraliveinterval'), 0),
    serverAliveCountMax: number(one.get('serveralivecountmax'), 3),
    compression: one.get('compression') === 'yes' || one.get('compression') === 'true',
  };
}

/** ProxyCommand's tokens, as ssh expands them: %h host, %p port, %r user, %n the name given, %% a percent sign. */
export function expandProxyTokens(command: string, values: { host: string; port: number; user: string; alias: string }): string {
  return command.replace(/%([hprn%])/g, (_m, t: string) => (t === 'h' ? values.host : t === 'p' ? String(values.port) : t === 'r' ? values.user : t === 'n' ? values.alias : '%'));
}
