/**
 * Where a destination leads once its ssh config is applied: address, user, keys, jump hosts or ProxyCommand,
 * the known-hosts files that vouch for it. Plain data, so the app can show it before connecting.
 */
import type { StrictHostKeyChecking } from './ssh-g';

export type ConfigReader = 'ssh -G' | 'built-in';

export interface ResolvedHost {
  /** the name the user gave (a config alias, maybe) */
  alias: string;
  host: string;
  port: number;
  user: string;
  /** the identity files to offer, in order */
  identityFiles: string[];
  /** only these files (no ~/.ssh/id_* defaults): -i, IdentityFile, or an ssh -G list */
  identityFilesGiven: boolean;
  /** IdentitiesOnly: no ssh-agent keys either */
  identitiesOnly?: boolean;
  jumps: ResolvedHost[];
  /** ProxyCommand with its tokens expanded, run under the user's shell; unused when there are jumps */
  proxyCommand?: string;
  /** the first is the one written when a key is accepted */
  userKnownHostsFiles?: string[];
  globalKnownHostsFiles?: string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
  /** the name looked up in known_hosts instead of host[:port] */
  hostKeyAlias?: string;
  connectTimeoutSec?: number;
  /** 0: procscope's own keepalive */
  serverAliveIntervalSec?: number;
  serverAliveCountMax?: number;
  compression?: boolean;
  /** HashKnownHosts */
  hashKnownHosts?: boolean;
  /** which reader applied the ssh config */
  resolvedBy: ConfigReader;
}

function tilde(path: string, home: string | undefined): string {
  return home && (path === home || path.startsWith(home + '/')) ? '~' + path.slice(home.length) : path;
}

function address(h: ResolvedHost): string {
  return `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
}

/** "web-1 → 10.0.3.7:22 as deploy via bastion, key ~/.ssh/id_ed25519, known hosts ~/.ssh/known_hosts.d/prod (ssh -G)" */
export function describeRoute(h: ResolvedHost, home?: string): string {
  const parts = [`${h.alias} → ${address(h)} as ${h.user}`];
  // A hop named by its address ("root@10.0.0.1:22", as -J takes it) is shown once; an alias with where it leads.
  const hop = (j: ResolvedHost) => (j.alias === j.host || /[@:]/.test(j.alias) ? `${j.user}@${address(j)}` : `${j.alias} (${j.user}@${address(j)})`);
  if (h.jumps.length > 0) parts[0] += ` via ${h.jumps.map(hop).join(', ')}`;
  else if (h.proxyCommand) parts[0] += ` via ProxyCommand ${JSON.stringify(h.proxyCommand)}`;
  const keys = h.identityFiles.map((f) => tilde(f, home));
  const agent = h.identitiesOnly ? '' : 'ssh-agent, ';
  parts.push(keys.length ? `${agent}key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}` : `${agent}no key files`);
  const known = h.hostKeyAlias ? ` (as ${h.hostKeyAlias})` : '';
  if (h.userKnownHostsFiles?.length) parts.push(`known hosts ${h.userKnownHostsFiles.map((f) => tilde(f, home)).join(', ')}${known}`);
  if (h.strictHostKeyChecking && h.strictHostKeyChecking !== 'ask') parts.push(`StrictHostKeyChecking ${h.strictHostKeyChecking}`);
  return `${parts.join(', ')} (${h.resolvedBy === 'ssh -G' ? 'resolved by ssh -G' : 'built-in ssh config reader: no ssh client found'})`;
}
