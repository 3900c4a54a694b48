/** Host key verification against an OpenSSH known_hosts file: the file I/O around shared/ssh/known-hosts. */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProcscopeError } from '../../../shared/errors';
import type { StrictHostKeyChecking } from '../../../shared/ssh/ssh-g';
import {
  type HmacSha1,
  type KnownHostEntry,
  keyTypeOfBlob,
  knownHostsLine,
  knownKeyTypes,
  parseKnownHosts,
  verifyHostKey,
} from '../../../shared/ssh/known-hosts';

export const hmacSha1: HmacSha1 = (key, data) => createHmac('sha1', key).update(data).digest();

export function fingerprintOf(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export interface UnknownHostKey {
  /** the name looked up: host, [host]:port, or the HostKeyAlias */
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
}

/** What to do with a key that known_hosts does not list: the CLI answers from --accept-new, the app asks the user. */
export type UnknownKeyDecision = 'accept-always' | 'accept-once' | 'reject';

export interface HostKeyPolicy {
  /** read first, and written when a key is accepted: the first UserKnownHostsFile */
  knownHostsFile: string;
  /** read too: the other UserKnownHostsFiles and the GlobalKnownHostsFiles */
  alsoRead?: string[];
  /** StrictHostKeyChecking: "yes" refuses an unknown key without asking, "accept-new" and "no" record it without asking */
  strict?: StrictHostKeyChecking;
  /** HashKnownHosts: write the host name hashed */
  hash?: boolean;
  onUnknownKey: (key: UnknownHostKey) => Promise<UnknownKeyDecision>;
  /** told of a key recorded without asking */
  onRecorded?: (key: UnknownHostKey, file: string) => void;
}

function readKnownHosts(policy: HostKeyPolicy): KnownHostEntry[] {
  return [policy.knownHostsFile, ...(policy.alsoRead ?? [])].flatMap((file) => {
    try {
      return parseKnownHosts(readFileSync(file, 'utf8'), file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw err;
    }
  });
}

function at(entry: { line: number; source?: string }): string {
  return `${entry.source ?? '?'} line ${entry.line}`;
}

/** ssh2's serverHostKey algorithms, with the ones known_hosts has for this host first (as OpenSSH orders them). */
export function hostKeyAlgorithmsFor(policy: HostKeyPolicy, name: string): string[] {
  const all = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  const known = knownKeyTypes(readKnownHosts(policy), name, hmacSha1);
  const algorithmsOf = (keyType: string) => (keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType]);
  const preferred = known.flatMap(algorithmsOf).filter((a) => all.includes(a));
  return [...preferred, ...all.filter((a) => !preferred.includes(a))];
}

/**
 * Checks a server's key under `name` (knownHostsName(host, port), or the HostKeyAlias); resolves null when it may
 * connect, or the error that refuses it. A changed or revoked key is refused whatever StrictHostKeyChecking says.
 */
export async function checkHostKey(policy: HostKeyPolicy, name: string, port: number, blob: Buffer): Promise<ProcscopeError | null> {
  const verdict = verifyHostKey(readKnownHosts(policy), name, blob, hmacSha1);
  const keyType = keyTypeOfBlob(blob);
  const fingerprint = fingerprintOf(blob);
  const file = policy.knownHostsFile;
  const base = { kind: 'host-key' as const, host: name, keyType, fingerprint, knownHostsFile: file };
  switch (verdict.status) {
    case 'known':
      return null;
    case 'revoked':
      return { ...base, reason: 'revoked', message: `The ${keyType} host key of ${name} (${fingerprint}) is marked @revoked in ${at(verdict)}. Refusing to connect.` };
    case 'changed': {
      const knownFingerprints = verdict.knownKeys.map((k) => fingerprintOf(Buffer.from(k.key, 'base64')));
      const where = verdict.knownKeys.map(at).join(', ');
      const source = verdict.knownKeys[0]?.source ?? file;
      return {
        ...base,
        knownHostsFile: source,
        reason: 'changed',
        knownFingerprints,
        message:
          `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for ${name}! Someone could be eavesdropping on you (man-in-the-middle), ` +
          `or the host key has just been changed. The ${keyType} key it sent is ${fingerprint}; ${where} has ${knownFingerprints.join(', ')}.`,
        hint: `If the change is expected, remove the old key (ssh-keygen -R '${name}' -f ${source}) and connect again. Refusing to connect.`,
      };
    }
    case 'unknown': {
      const key = { host: name, port, keyType, fingerprint };
      const strict = policy.strict ?? 'ask';
      const decision: unknown = strict === 'yes' ? 'reject' : strict === 'ask' ? await policy.onUnknownKey(key) : 'accept-always';
      // Only an explicit yes trusts a key: anything else (a cancelled prompt, a malformed answer) is a no.
      if (decision !== 'accept-once' && decision !== 'accept-always') {
        const other = verdict.otherTypesKnown.length ? ` (the known hosts files know only ${verdict.otherTypesKnown.join(', ')} keys for it)` : '';
        const check = `Check the fingerprint on the node (ssh-keygen -lf /etc/ssh/ssh_host_${keyType.replace(/^ssh-|-sha2-nistp\d+$/g, '')}_key.pub)`;
        return {
          ...base,
          reason: 'unknown',
          message: `The authenticity of host ${name} can't be established: its ${keyType} key fingerprint is ${fingerprint}${other}${strict === 'yes' ? ', and StrictHostKeyChecking is yes' : ''}.`,
          hint:
            strict === 'yes'
              ? `${check}, then add its key to ${file} (ssh-keyscan), or connect once with ssh to record it.`
              : `${check}, then connect again with --accept-new to record it in ${file}.`,
        };
      }
      if (decision === 'accept-always') {
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        appendFileSync(file, knownHostsLine(name, blob, policy.hash ? { salt: randomBytes(20), hmac: hmacSha1 } : undefined) + '\n', { mode: 0o600 });
        if (strict !== 'ask') policy.onRecorded?.(key, file);
      }
      return null;
    }
  }
}
