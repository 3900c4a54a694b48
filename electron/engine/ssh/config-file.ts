/** Resolves a destination the way OpenSSH does: command-line options first, then ~/.ssh/config (parsed by the ssh-config package). */
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { parseTarget } from '../../../shared/target';

export interface HostOptions {
  user?: string;
  port?: number;
  identityFiles?: string[];
  /** -J: comma-separated jump hosts, or "none" */
  jump?: string;
  /** offer only the identity files given, not ~/.ssh/id_* (for a password login) */
  identitiesOnly?: boolean;
}

export interface ResolvedHost {
  /** the name the user gave (a config alias, maybe) */
  alias: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** explicit identities only (IdentitiesOnly-like): -i or IdentityFile was given */
  identityFilesGiven: boolean;
  jumps: ResolvedHost[];
}

export function defaultSshConfigPath(): string {
  return join(homedir(), '.ssh', 'config');
}

export function readSshConfig(path: string | undefined): string {
  try {
    return readFileSync(path ?? defaultSshConfigPath(), 'utf8');
  } catch (err) {
    if (path !== undefined && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (path !== undefined) throw new Error(`cannot read ssh config ${path}: no such file`);
    return '';
  }
}

function expandTilde(p: string): string {
  return p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Host aliases of a config file, for "Import from ~/.ssh/config": patterns are left out. */
export function listConfigHosts(configText: string): string[] {
  const config = SSHConfig.parse(configText);
  const names: string[] = [];
  for (const line of config) {
    if ('param' in line && line.param.toLowerCase() === 'host') {
      const values = Array.isArray(line.value) ? line.value : String(line.value).split(/\s+/);
      for (const v of values) {
        const name = typeof v === 'string' ? v : (v as { val: string }).val;
        if (name && !/[*?!]/.test(name)) names.push(name);
      }
    }
  }
  return names;
}

function withFallbackIdentities(host: ResolvedHost, extra: string[]): ResolvedHost {
  if (extra.length === 0) return host;
  const identityFiles = [...host.identityFiles, ...extra.map(expandTilde).filter((f) => !host.identityFiles.includes(f))];
  return { ...host, identityFiles, identityFilesGiven: true };
}

export function resolveHost(destination: string, options: HostOptions, configText: string, depth = 0): ResolvedHost {
  if (depth > 8) throw new Error('too many nested jump hosts (ProxyJump loop?)');
  const target = parseTarget(destination);
  if (target.kind !== 'ssh') throw new Error(`not an SSH destination: ${destination}`);
  const computed = SSHConfig.parse(configText).compute(target.host) as Record<string, string | string[] | undefined>;
  const host = first(computed.HostName)?.replace(/%h/g, target.host) ?? target.host;
  const portText = options.port ?? target.port ?? first(computed.Port);
  const port = portText === undefined ? 22 : Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad port ${portText} for ${destination}`);
  const user = options.user ?? target.user ?? first(computed.User) ?? userInfo().username;
  const configIdentities = computed.IdentityFile === undefined ? [] : ([] as string[]).concat(computed.IdentityFile);
  const identityFiles = [...(options.identityFiles ?? []), ...configIdentities].map(expandTilde);
  const jumpSpec = options.jump ?? first(computed.ProxyJump);
  const jumps =
    jumpSpec && jumpSpec !== 'none'
      ? // Unlike OpenSSH, the -i keys are offered to jump hosts too (after their own), as users expect.
        jumpSpec.split(',').map((hop) => withFallbackIdentities(resolveHost(hop.trim(), {}, configText, depth + 1), options.identityFiles ?? []))
      : [];
  return { alias: destination, host, port, user, identityFiles, identityFilesGiven: identityFiles.length > 0 || options.identitiesOnly === true, jumps };
}
