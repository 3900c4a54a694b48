/**
 * OpenSSH known_hosts (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain and hashed
 * (|1|salt|hmac) host patterns, wildcards, negation, [host]:port, @revoked.
 * Pure: the caller reads and appends the file, and passes in an HMAC-SHA1.
 */

export interface KnownHostEntry {
  /** the file it came from, when the caller said */
  source?: string;
  line: number;
  marker: '@revoked' | '@cert-authority' | null;
  hosts: string;
  keyType: string;
  /** base64 of the public key blob */
  key: string;
}

export type HostKeyVerdict =
  | { status: 'known' }
  | { status: 'unknown'; otherTypesKnown: string[] }
  | { status: 'changed'; knownKeys: { keyType: string; key: string; line: number; source?: string }[] }
  | { status: 'revoked'; line: number; source?: string };

export type HmacSha1 = (key: Buffer, data: string) => Buffer;

export function parseKnownHosts(text: string, source?: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cols = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (cols[0] === '@revoked' || cols[0] === '@cert-authority') marker = cols.shift() as KnownHostEntry['marker'];
    if (cols.length < 3) return;
    entries.push({ ...(source !== undefined ? { source } : {}), line: i + 1, marker, hosts: cols[0]!, keyType: cols[1]!, key: cols[2]! });
  });
  return entries;
}

/** The name OpenSSH looks up: "host" on port 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** Whether a host field (comma list, hashed, wildcard, negated) names `name`. */
export function hostFieldMatches(field: string, name: string, hmac: HmacSha1): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return hmac(Buffer.from(salt, 'base64'), name).toString('base64') === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    if (globToRegExp(p).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Key type from a public key blob: its first SSH string. */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

export function verifyHostKey(entries: KnownHostEntry[], name: string, blob: Buffer, hmac: HmacSha1): HostKeyVerdict {
  const keyType = keyTypeOfBlob(blob);
  const keyB64 = blob.toString('base64');
  const forHost = entries.filter((e) => hostFieldMatches(e.hosts, name, hmac));
  const revoked = entries.find((e) => e.marker === '@revoked' && e.key === keyB64);
  if (revoked) return { status: 'revoked', line: revoked.line, ...(revoked.source !== undefined ? { source: revoked.source } : {}) };
  const plain = forHost.filter((e) => e.marker === null);
  if (plain.some((e) => e.keyType === keyType && e.key === keyB64)) return { status: 'known' };
  const sameType = plain.filter((e) => e.keyType === keyType);
  if (sameType.length > 0) {
    return { status: 'changed', knownKeys: sameType.map((e) => ({ keyType: e.keyType, key: e.key, line: e.line, ...(e.source !== undefined ? { source: e.source } : {}) })) };
  }
  return { status: 'unknown', otherTypesKnown: [...new Set(plain.map((e) => e.keyType))] };
}

/** Host key algorithms already known for a host, to ask the server for those first (as OpenSSH does). */
export function knownKeyTypes(entries: KnownHostEntry[], name: string, hmac: HmacSha1): string[] {
  return [...new Set(entries.filter((e) => e.marker === null && hostFieldMatches(e.hosts, name, hmac)).map((e) => e.keyType))];
}

/** A known_hosts line; with a salt, the name is hashed as HashKnownHosts writes it (|1|salt|HMAC-SHA1(salt, name)). */
export function knownHostsLine(name: string, blob: Buffer, hashed?: { salt: Buffer; hmac: HmacSha1 }): string {
  const field = hashed ? `|1|${hashed.salt.toString('base64')}|${hashed.hmac(hashed.salt, name).toString('base64')}` : name;
  return `${field} ${keyTypeOfBlob(blob)} ${blob.toString('base64')}`;
}
