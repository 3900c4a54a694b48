/** Host key verification against an OpenSSH known_hosts file: the file I/O around shared/ssh/known-hosts. */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProcscopeError } from '../../../shared/errors';
import {
  type HmacSha1,
  keyTypeOfBlob,
  knownHostsLine,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  verifyHostKey,
} from '../../../shared/ssh/known-hosts';

export const hmacSha1: HmacSha1 = (key, data) => createHmac('sha1', key).update(data).digest();

export function fingerprintOf(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export interface UnknownHostKey {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
}

/** What to do with a key that known_hosts does not list: the CLI answers from --accept-new, the app asks the user. */
export type UnknownKeyDecision = 'accept-always' | 'accept-once' | 'reject';

export interface HostKeyPolicy {
  knownHostsFile: string;
  onUnknownKey: (key: UnknownHostKey) => Promise<UnknownKeyDecision>;
}

function readKnownHosts(file: string) {
  try {
    return parseKnownHosts(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** ssh2's serverHostKey algorithms, with the ones known_hosts has for this host first (as OpenSSH orders them). */
export function hostKeyAlgorithmsFor(policy: HostKeyPolicy, host: string, port: number): string[] {
  const all = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  const known = knownKeyTypes(readKnownHosts(policy.knownHostsFile), knownHostsName(host, port), hmacSha1);
  const algorithmsOf = (keyType: string) => (keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType]);
  const preferred = known.flatMap(algorithmsOf).filter((a) => all.includes(a));
  return [...preferred, ...all.filter((a) => !preferred.includes(a))];
}

/** Checks a server's key; resolves null when it may connect, or the error that refuses it. */
export async function checkHostKey(policy: HostKeyPolicy, host: string, port: number, blob: Buffer): Promise<ProcscopeError | null> {
  const name = knownHostsName(host, port);
  const verdict = verifyHostKey(readKnownHosts(policy.knownHostsFile), name, blob, hmacSha1);
  const keyType = keyTypeOfBlob(blob);
  const fingerprint = fingerprintOf(blob);
  const base = { kind: 'host-key' as const, host: name, keyType, fingerprint, knownHostsFile: policy.knownHostsFile };
  switch (verdict.status) {
    case 'known':
      return null;
    case 'revoked':
      return { ...base, reason: 'revoked', message: `The ${keyType} host key of ${name} (${fingerprint}) is marked @revoked in ${policy.knownHostsFile} line ${verdict.line}. Refusing to connect.` };
    case 'changed': {
      const knownFingerprints = verdict.knownKeys.map((k) => fingerprintOf(Buffer.from(k.key, 'base64')));
      const lines = verdict.knownKeys.map((k) => k.line).join(', ');
      return {
        ...base,
        reason: 'changed',
        knownFingerprints,
        message:
          `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for ${name}! Someone could be eavesdropping on you (man-in-the-middle), ` +
          `or the host key has just been changed. The ${keyType} key it sent is ${fingerprint}; ${policy.knownHostsFile} (line ${lines}) has ${knownFingerprints.join(', ')}.`,
        hint: `If the change is expected, remove the old key (ssh-keygen -R '${name}' -f ${policy.knownHostsFile}) and connect again. Refusing to connect.`,
      };
    }
    case 'unknown': {
      const decision: unknown = await policy.onUnknownKey({ host: name, port, keyType, fingerprint });
      // Only an explicit yes trusts a key: anything else (a cancelled prompt, a malformed answer) is a no.
      if (decision !== 'accept-once' && decision !== 'accept-always') {
        const other = verdict.otherTypesKnown.length ? ` (${policy.knownHostsFile} knows only ${verdict.otherTypesKnown.join(', ')} keys for it)` : '';
        return {
          ...base,
          reason: 'unknown',
          message: `The authenticity of host ${name} can't be established: its ${keyType} key fingerprint is ${fingerprint}${other}.`,
          hint: `Check the fingerprint on the node (ssh-keygen -lf /etc/ssh/ssh_host_${keyType.replace(/^ssh-|-sha2-nistp\d+$/g, '')}_key.pub), then connect again with --accept-new to record it in ${policy.knownHostsFile}.`,
        };
      }
      if (decision === 'accept-always') {
        mkdirSync(dirname(policy.knownHostsFile), { recursive: true, mode: 0o700 });
        appendFileSync(policy.knownHostsFile, knownHostsLine(name, blob) + '\n', { mode: 0o600 });
      }
      return null;
    }
  }
}
