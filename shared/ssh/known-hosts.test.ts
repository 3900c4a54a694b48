import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hostFieldMatches, knownHostsLine, knownHostsName, parseKnownHosts, verifyHostKey } from './known-hosts';

const hmac = (key: Buffer, data: string) => createHmac('sha1', key).update(data).digest();
const blob = (type: string, body: string) => {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
};
const ed = blob('ssh-ed25519', 'key-one');
const ed2 = blob('ssh-ed25519', 'key-two');
const rsa = blob('ssh-rsa', 'rsa-key');
const hashed = (name: string) => {
  const salt = Buffer.from('0123456789abcdef0123');
  return `|1|${salt.toString('base64')}|${hmac(salt, name).toString('base64')}`;
};

describe('known_hosts', () => {
  it.each([
    ['node1', 22, 'node1'],
    ['10.0.0.1', 2222, '[10.0.0.1]:2222'],
  ])('names %s:%d as %s', (host, port, name) => expect(knownHostsName(host, port)).toBe(name));

  it.each([
    ['node1', 'node1', true],
    ['node1,node2', 'node2', true],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com,!bad.example.com', 'bad.example.com', false],
    ['node?', 'node7', true],
    ['NODE1', 'node1', true],
    ['[10.0.0.1]:2222', '[10.0.0.1]:2222', true],
    ['10.0.0.1', '[10.0.0.1]:2222', false],
    [hashed('[127.0.0.1]:2200'), '[127.0.0.1]:2200', true],
    [hashed('[127.0.0.1]:2200'), '[127.0.0.1]:2201', false],
  ])('host field %s matches %s: %s', (field, name, expected) => {
    expect(hostFieldMatches(field, name, hmac)).toBe(expected);
  });

  it.each([
    ['known', `node1 ssh-ed25519 ${ed.toString('base64')}`, ed, 'known'],
    ['changed', `node1 ssh-ed25519 ${ed.toString('base64')}`, ed2, 'changed'],
    ['unknown host', `other ssh-ed25519 ${ed.toString('base64')}`, ed, 'unknown'],
    ['only another key type known', `node1 ssh-rsa ${rsa.toString('base64')}`, ed, 'unknown'],
    ['revoked', `@revoked * ssh-ed25519 ${ed.toString('base64')}\nnode1 ssh-ed25519 ${ed.toString('base64')}`, ed, 'revoked'],
    ['hashed', `${hashed('node1')} ssh-ed25519 ${ed.toString('base64')}`, ed, 'known'],
    ['comments and blank lines', `# hi\n\nnode1 ssh-ed25519 ${ed.toString('base64')} comment here`, ed, 'known'],
  ])('%s', (_name, text, key, status) => {
    expect(verifyHostKey(parseKnownHosts(text), 'node1', key, hmac).status).toBe(status);
  });

  it('writes a line that reads back as known', () => {
    const line = knownHostsLine('[127.0.0.1]:2222', ed);
    expect(verifyHostKey(parseKnownHosts(line), '[127.0.0.1]:2222', ed, hmac).status).toBe('known');
  });
});
