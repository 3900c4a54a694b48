import { describe, expect, it } from 'vitest';
import { type ResolvedHost, describeRoute } from './route';

const base: ResolvedHost = { alias: 'web-1', host: '10.0.3.7', port: 22, user: 'deploy', identityFiles: ['/home/me/.ssh/id_ed25519'], identityFilesGiven: true, jumps: [], resolvedBy: 'ssh -G' };
const bastion: ResolvedHost = { ...base, alias: 'bastion', host: '10.0.0.1', user: 'jump', identityFiles: [] };

describe('describeRoute', () => {
  it.each<[string, Partial<ResolvedHost>, string]>([
    ['a plain host', {}, 'web-1 → 10.0.3.7:22 as deploy, ssh-agent, key ~/.ssh/id_ed25519 (resolved by ssh -G)'],
    [
      'the issue\'s example: a jump host and a known-hosts file',
      { jumps: [bastion], userKnownHostsFiles: ['/home/me/.ssh/known_hosts.d/prod'] },
      'web-1 → 10.0.3.7:22 as deploy via bastion (jump@10.0.0.1:22), ssh-agent, key ~/.ssh/id_ed25519, known hosts ~/.ssh/known_hosts.d/prod (resolved by ssh -G)',
    ],
    [
      'jump hosts given as addresses, as -J takes them',
      { jumps: [{ ...bastion, alias: '10.0.0.1' }, { ...bastion, alias: 'jump@10.0.0.2:2222', host: '10.0.0.2', port: 2222 }] },
      'web-1 → 10.0.3.7:22 as deploy via jump@10.0.0.1:22, jump@10.0.0.2:2222, ssh-agent, key ~/.ssh/id_ed25519 (resolved by ssh -G)',
    ],
    [
      'a ProxyCommand, IdentitiesOnly, an alias, StrictHostKeyChecking',
      { proxyCommand: 'ssh -W 10.0.3.7:22 bastion', identitiesOnly: true, hostKeyAlias: 'web', userKnownHostsFiles: ['/kh'], strictHostKeyChecking: 'yes' },
      'web-1 → 10.0.3.7:22 as deploy via ProxyCommand "ssh -W 10.0.3.7:22 bastion", key ~/.ssh/id_ed25519, known hosts /kh (as web), StrictHostKeyChecking yes (resolved by ssh -G)',
    ],
    ['IPv6, no keys, the built-in reader', { host: 'fd00::7', identityFiles: [], resolvedBy: 'built-in' }, 'web-1 → [fd00::7]:22 as deploy, ssh-agent, no key files (built-in ssh config reader: no ssh client found)'],
  ])('%s', (_name, patch, expected) => {
    expect(describeRoute({ ...base, ...patch }, '/home/me')).toBe(expected);
  });
});
