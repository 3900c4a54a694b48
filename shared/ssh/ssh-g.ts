/**
 * What `ssh -G DEST` prints: OpenSSH's own resolution of a destination (Include, Match, canonicalisation, every
 * option's default), one "keyword value" line each, keywords in lower case. parseSshG keeps what procscope uses.
 * Multi-valued keywords come as repeated lines (identityfile) or space-separated on one line (the known-hosts files:
 * OpenSSH prints them unquoted, so a path with a space in it cannot be told from two paths).
 */
import { fail, parseFailure } from '../errors';

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
  /** HashKnownHosts: a recorded key's host name is written hashed */
  hashKnownHosts: boolean;
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
  if (!hostname) parseFailure('ssh -G', 'it printed no hostname');
  const port = Number(one.get('port') ?? 22);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) parseFailure('ssh -G', `it printed a bad port: ${one.get('port')}`);
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
    hashKnownHosts: one.get('hashknownhosts') === 'yes' || one.get('hashknownhosts') === 'true',
  };
}

export interface TokenValues {
  /** %h: the HostName */
  host: string;
  /** %p */
  port: number;
  /** %r: the remote user */
  user: string;
  /** %n: the name as given */
  alias: string;
  /** %d, %u, %i, %l, %L: this machine's side */
  localHome?: string;
  localUser?: string;
  localUid?: number;
  localHostname?: string;
}

/** As OpenSSH 9.6 checks names that reach a shell (CVE-2023-51385): no quotes, shell metacharacters or spaces. */
export function shellSafeName(value: string): boolean {
  return value !== '' && !value.startsWith('-') && !/[\s'`"$\\;&<>|(){}*?![\]~#\x00-\x1f\x7f]/.test(value);
}

function expandTokens(text: string, v: TokenValues, allowed: string, what: string): string {
  return text.replace(/%(.)/g, (_m, t: string) => {
    if (t === '%') return '%';
    if (!allowed.includes(t)) fail({ kind: 'unsupported', message: `${what}: the token %${t} is not supported by procscope` });
    switch (t) {
      case 'h':
        return v.host;
      case 'p':
        return String(v.port);
      case 'r':
        return v.user;
      case 'n':
        return v.alias;
      case 'd':
        return v.localHome ?? '';
      case 'u':
        return v.localUser ?? '';
      case 'i':
        return String(v.localUid ?? '');
      case 'L':
        return (v.localHostname ?? '').split('.')[0]!;
      default:
        return v.localHostname ?? '';
    }
  });
}

/**
 * ProxyCommand's tokens, as ssh expands them: %h host, %p port, %r user, %n the name given, %% a percent sign.
 * A value that could break out of the command (a quote, `;`, `$(`…) is refused, as OpenSSH does since 9.6.
 */
export function expandProxyTokens(command: string, values: TokenValues): string {
  for (const [token, value] of [['h', values.host], ['r', values.user], ['n', values.alias]] as const) {
    if (command.includes(`%${token}`) && !shellSafeName(value)) fail({ kind: 'permission-denied', message: `ProxyCommand: refusing to put ${JSON.stringify(value)} (%${token}) into a shell command` });
  }
  return expandTokens(command, values, 'hprn', 'ProxyCommand');
}

/** IdentityFile's and UserKnownHostsFile's tokens: the ProxyCommand ones and %d home, %u local user, %i uid, %l/%L local host. */
export function expandPathTokens(path: string, values: TokenValues): string {
  return expandTokens(path, values, 'hprnduilL', 'path');
}
