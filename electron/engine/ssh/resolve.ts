/**
 * resolveDestination: what a destination means, decided by OpenSSH itself (`ssh -G`) where the client is
 * installed, else by the built-in reader. Jump hosts are resolved the same way, each with its own config.
 */
import { existsSync } from 'node:fs';
import { ProcscopeFailure } from '../../../shared/errors';
import type { ResolvedHost } from '../../../shared/ssh/route';
import { type OpenSshHost, expandPathTokens, expandProxyTokens } from '../../../shared/ssh/ssh-g';
import { parseTarget } from '../../../shared/target';
import { type HostOptions, readSshConfig, resolveHost } from './config-file';
import { localTokenValues } from './local';
import { resolveWithOpenSsh } from './openssh';

export interface ResolveOptions extends HostOptions {
  /** -F: ssh config file; defaults to ~/.ssh/config */
  sshConfigPath?: string;
  /** ssh's -o Key=Value, each */
  sshOptions?: string[];
  /** the one known_hosts file to read and write, instead of the config's (--known-hosts) */
  knownHostsFile?: string;
  /** the OpenSSH client to ask (default ssh on PATH); a path that does not exist means "no client" */
  sshBinary?: string;
}

const MAX_HOPS = 8;

function parseFailure(err: unknown): never {
  if (err instanceof ProcscopeFailure) throw err;
  throw new ProcscopeFailure({ kind: 'parse', message: (err as Error).message, hint: 'Write the target as [user@]host[:port], or a Host alias of your ssh config.' });
}

function fromOpenSsh(alias: string, name: string, g: OpenSshHost, given: string[]): Omit<ResolvedHost, 'jumps'> {
  const tokens = { host: g.hostname, port: g.port, user: g.user, alias: name, ...localTokenValues() };
  const path = (p: string) => expandPathTokens(p, tokens);
  // ssh -G lists the default identities whether or not they exist; ssh skips the missing ones silently. It leaves
  // out a missing -i file (with a warning): kept here, first as ssh tries them, so the failure can name it.
  const identityFiles = [...new Set([...given, ...g.identityFiles.map(path)])].filter((f) => given.includes(f) || existsSync(f));
  return {
    alias,
    host: g.hostname,
    port: g.port,
    user: g.user,
    identityFiles,
    identityFilesGiven: true,
    ...(g.identitiesOnly ? { identitiesOnly: true } : {}),
    ...(g.proxyJump === null && g.proxyCommand !== null ? { proxyCommand: expandProxyTokens(g.proxyCommand, tokens) } : {}),
    userKnownHostsFiles: g.userKnownHostsFiles.map(path),
    globalKnownHostsFiles: g.globalKnownHostsFiles.map(path),
    strictHostKeyChecking: g.strictHostKeyChecking,
    ...(g.hostKeyAlias !== null ? { hostKeyAlias: g.hostKeyAlias } : {}),
    ...(g.connectTimeoutSec !== null ? { connectTimeoutSec: g.connectTimeoutSec } : {}),
    serverAliveIntervalSec: g.serverAliveIntervalSec,
    serverAliveCountMax: g.serverAliveCountMax,
    compression: g.compression,
    hashKnownHosts: g.hashKnownHosts,
    resolvedBy: 'ssh -G',
  };
}

function withKnownHostsFile(host: ResolvedHost, file: string | undefined): ResolvedHost {
  if (file === undefined) return host;
  return { ...host, userKnownHostsFiles: [file], globalKnownHostsFiles: [], jumps: host.jumps.map((j) => withKnownHostsFile(j, file)) };
}

/** Unlike OpenSSH, the -i keys are offered to jump hosts too (after their own), as users expect. */
function withExtraIdentities(host: ResolvedHost, extra: string[]): ResolvedHost {
  const add = extra.filter((f) => !host.identityFiles.includes(f));
  return add.length === 0 ? host : { ...host, identityFiles: [...host.identityFiles, ...add], identityFilesGiven: true };
}

async function resolveOne(destination: string, options: ResolveOptions, depth: number): Promise<ResolvedHost> {
  if (depth > MAX_HOPS) throw new ProcscopeFailure({ kind: 'parse', message: `More than ${MAX_HOPS} nested jump hosts for ${destination} (a ProxyJump loop?).` });
  let target;
  try {
    target = parseTarget(destination);
  } catch (err) {
    parseFailure(err);
  }
  if (target.kind !== 'ssh') parseFailure(new Error(`not an SSH destination: ${destination}`));
  const port = options.port ?? target.port;
  const user = options.user ?? target.user;
  const g = await resolveWithOpenSsh(target.host, {
    ...(options.sshConfigPath ? { configPath: options.sshConfigPath } : {}),
    ...(options.sshOptions ? { sshOptions: options.sshOptions } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(options.identityFiles ? { identityFiles: options.identityFiles } : {}),
    ...(options.jump !== undefined ? { jump: options.jump } : {}),
    ...(options.sshBinary ? { sshBinary: options.sshBinary } : {}),
  });
  if (g === null) {
    try {
      return resolveHost(destination, options, readSshConfig(options.sshConfigPath), depth);
    } catch (err) {
      parseFailure(err);
    }
  }
  let host: Omit<ResolvedHost, 'jumps'>;
  try {
    host = fromOpenSsh(destination, target.host, g, options.identityFiles ?? []);
  } catch (err) {
    parseFailure(err);
  }
  const hops = g.proxyJump === null ? [] : g.proxyJump.split(',').map((h) => h.trim()).filter((h) => h !== '');
  const jumps: ResolvedHost[] = [];
  for (const hop of hops) {
    const resolved = await resolveOne(hop.replace(/^ssh:\/\//, ''), { ...pick(options), ...(options.sshBinary ? { sshBinary: options.sshBinary } : {}) }, depth + 1);
    jumps.push(withExtraIdentities(resolved, options.identityFiles ?? []));
  }
  // The app's password login: no key files at all, but the ones named.
  if (options.identitiesOnly) host = { ...host, identityFiles: host.identityFiles.filter((f) => options.identityFiles?.includes(f)) };
  return { ...host, jumps };
}

/** A jump host is resolved with the same config file, but not with the destination's -p, -l, -i or -o (as ssh -J). */
function pick(options: ResolveOptions): ResolveOptions {
  return options.sshConfigPath ? { sshConfigPath: options.sshConfigPath } : {};
}

export async function resolveDestination(destination: string, options: ResolveOptions = {}): Promise<ResolvedHost> {
  return withKnownHostsFile(await resolveOne(destination, options, 0), options.knownHostsFile);
}
