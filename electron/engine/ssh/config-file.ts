/**
 * The built-in ssh config reader, used where there is no ssh client to run `ssh -G`: command-line options first,
 * then ~/.ssh/config as the ssh-config package reads it (no Include, no Match exec).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import { scanConfigHosts } from '../../../shared/ssh/config-hosts';
import type { ResolvedHost } from '../../../shared/ssh/route';
import { type StrictHostKeyChecking, expandPathTokens, expandProxyTokens } from '../../../shared/ssh/ssh-g';
import { parseTarget } from '../../../shared/target';
import { localTokenValues } from './local';
import { UsageError, fail, parseFailure } from '../../../shared/errors';

export type { ResolvedHost } from '../../../shared/ssh/route';

export interface HostOptions {
  user?: string;
  port?: number;
  identityFiles?: string[];
  /** -J: comma-separated jump hosts, or "none" */
  jump?: string;
  /** offer only the identity files given, not ~/.ssh/id_* (for a password login) */
  identitiesOnly?: boolean;
}

export function defaultSshConfigPath(): string {
  return join(homedir(), '.ssh', 'config');
}

export function readSshConfig(path: string | undefined): string {
  try {
    return readFileSync(path ?? defaultSshConfigPath(), 'utf8');
  } catch (err) {
    if (path !== undefined && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (path !== undefined) fail({ kind: 'not-found', message: `cannot read ssh config ${path}: no such file` });
    return '';
  }
}

function expandTilde(p: string): string {
  return p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Host aliases of a config text alone, for "Import from ~/.ssh/config": patterns are left out. */
export function listConfigHosts(configText: string): string[] {
  return scanConfigHosts(configText).hosts;
}

/** Paths matching a glob(3) pattern with * and ? (as Include takes them), sorted; no match is no path. */
export function expandGlob(pattern: string): string[] {
  if (!/[*?[]/.test(pattern)) return existsSync(pattern) ? [pattern] : [];
  const parts = pattern.split('/');
  let paths = [parts[0] === '' ? '/' : '.'];
  for (const part of parts.slice(parts[0] === '' ? 1 : 0)) {
    if (part === '') continue;
    if (!/[*?[]/.test(part)) {
      paths = paths.map((p) => join(p, part)).filter((p) => existsSync(p));
      continue;
    }
    const re = new RegExp('^' + part.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
    paths = paths.flatMap((dir) => {
      try {
        return readdirSync(dir)
          .filter((name) => re.test(name) && (part.startsWith('.') || !name.startsWith('.')))
          .sort()
          .map((name) => join(dir, name));
      } catch {
        return [];
      }
    });
  }
  return paths;
}

/**
 * Host aliases of a config file and of every file it Includes (ssh_config(5): a relative Include is under ~/.ssh
 * for a user's config, under /etc/ssh for the system's), in the order ssh reads them. `home` is ssh's: the
 * passwd entry's, not $HOME.
 */
export function listConfigHostsIn(path: string | undefined, home = userInfo().homedir): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string, depth: number, text?: string) => {
    if (depth > 16 || seen.has(file)) return;
    seen.add(file);
    let body = text;
    try {
      body ??= readFileSync(file, 'utf8');
    } catch {
      return;
    }
    const scan = scanConfigHosts(body);
    for (const h of scan.hosts) if (!names.includes(h)) names.push(h);
    const base = file.startsWith('/etc/ssh/') ? '/etc/ssh' : join(home, '.ssh');
    for (const pattern of scan.includes) {
      const absolute = isAbsolute(expandTilde(pattern)) ? expandTilde(pattern) : join(base, pattern);
      for (const f of expandGlob(absolute)) visit(f, depth + 1);
    }
  };
  visit(path ?? defaultSshConfigPath(), 0, readSshConfig(path));
  return names;
}

function withFallbackIdentities(host: ResolvedHost, extra: string[]): ResolvedHost {
  if (extra.length === 0) return host;
  const identityFiles = [...host.identityFiles, ...extra.map(expandTilde).filter((f) => !host.identityFiles.includes(f))];
  return { ...host, identityFiles, identityFilesGiven: true };
}

const STRICT: Record<string, StrictHostKeyChecking> = { yes: 'yes', true: 'yes', no: 'no', false: 'no', ask: 'ask', 'accept-new': 'accept-new' };

function yes(value: string | undefined): boolean {
  return value !== undefined && /^(yes|true)$/i.test(value);
}

function seconds(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

export function resolveHost(destination: string, options: HostOptions, configText: string, depth = 0): ResolvedHost {
  if (depth > 8) fail({ kind: 'unsupported', message: 'too many nested jump hosts (ProxyJump loop?)' });
  const target = parseTarget(destination);
  if (target.kind !== 'ssh') throw new UsageError(`not an SSH destination: ${destination}`);
  const computed = SSHConfig.parse(configText).compute(target.host) as Record<string, string | string[] | undefined>;
  const host = first(computed.HostName)?.replace(/%h/g, target.host) ?? target.host;
  const portText = options.port ?? target.port ?? first(computed.Port);
  const port = portText === undefined ? 22 : Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) parseFailure('ssh config', `bad port ${portText} for ${destination}`);
  const user = options.user ?? target.user ?? first(computed.User) ?? userInfo().username;
  const tokens = { host, port, user, alias: target.host, ...localTokenValues() };
  const all = (key: string) => (computed[key] === undefined ? [] : ([] as string[]).concat(computed[key]!));
  const paths = (key: string) => all(key).flatMap((v) => v.split(/\s+/)).filter((v) => v !== '').map((v) => expandTilde(expandPathTokens(v, tokens)));
  const identityFiles = [...(options.identityFiles ?? []), ...paths('IdentityFile')].map(expandTilde);
  const jumpSpec = options.jump ?? first(computed.ProxyJump);
  const jumps =
    jumpSpec && jumpSpec !== 'none'
      ? // Unlike OpenSSH, the -i keys are offered to jump hosts too (after their own), as users expect.
        jumpSpec.split(',').map((hop) => withFallbackIdentities(resolveHost(hop.trim(), {}, configText, depth + 1), options.identityFiles ?? []))
      : [];
  const proxyCommand = first(computed.ProxyCommand);
  const userKnownHostsFiles = paths('UserKnownHostsFile');
  const globalKnownHostsFiles = paths('GlobalKnownHostsFile');
  const strict = STRICT[(first(computed.StrictHostKeyChecking) ?? 'ask').toLowerCase()];
  const hostKeyAlias = first(computed.HostKeyAlias);
  const connectTimeoutSec = seconds(first(computed.ConnectTimeout));
  const identitiesOnly = yes(first(computed.IdentitiesOnly));
  return {
    alias: destination,
    host,
    port,
    user,
    identityFiles,
    identityFilesGiven: identityFiles.length > 0 || options.identitiesOnly === true || identitiesOnly,
    ...(identitiesOnly ? { identitiesOnly } : {}),
    jumps,
    ...(jumps.length === 0 && proxyCommand && proxyCommand !== 'none' ? { proxyCommand: expandProxyTokens(proxyCommand, tokens) } : {}),
    userKnownHostsFiles: userKnownHostsFiles.length ? userKnownHostsFiles : [join(homedir(), '.ssh', 'known_hosts'), join(homedir(), '.ssh', 'known_hosts2')],
    globalKnownHostsFiles: globalKnownHostsFiles.length ? globalKnownHostsFiles : ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
    ...(strict ? { strictHostKeyChecking: strict } : {}),
    ...(hostKeyAlias ? { hostKeyAlias } : {}),
    ...(connectTimeoutSec ? { connectTimeoutSec } : {}),
    serverAliveIntervalSec: seconds(first(computed.ServerAliveInterval)) ?? 0,
    serverAliveCountMax: seconds(first(computed.ServerAliveCountMax)) ?? 3,
    compression: yes(first(computed.Compression)),
    hashKnownHosts: yes(first(computed.HashKnownHosts)),
    resolvedBy: 'built-in',
  };
}
