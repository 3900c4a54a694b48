import { describe, expect, it } from 'vitest';
import { checkNode } from './api-validate';

describe('checkNode', () => {
  const node = (patch: Record<string, unknown>) => ({ id: 'n1', name: 'web', host: 'web-1', auth: 'agent', ...patch });
  it.each([
    // ssh reads a leading "-" as an option: a host or jump host of "-oProxyCommand=..." would run a command.
    ['host', { host: '-oProxyCommand=touch' }, /Invalid argument: host/],
    ['host, a bare dash', { host: '-' }, /Invalid argument: host/],
    ['jump host', { jump: '-oProxyCommand=x' }, /Invalid argument: jump host/],
  ])('refuses a leading "-" in the %s', (_what, patch, refusal) => {
    expect(() => checkNode(node(patch))).toThrow(refusal);
  });
  it.each([['web-1'], ['10.0.0.5'], ['[fd00::1]'], ['a-b-']])('keeps the host %s', (host) => {
    expect(checkNode(node({ host })).host).toBe(host);
  });
});
