import { describe, expect, it } from 'vitest';
import type { SavedNode } from '../api';
import type { Inventory } from './inventory';
import { mergeInventory } from './saved-nodes';

const inventory = (nodes: Inventory['nodes'], problems: Inventory['problems'] = []): Inventory => ({ source: 'test', nodes, problems });
let n = 0;
const newId = () => `id${++n}`;

describe('mergeInventory', () => {
  it.each<[string, Inventory['nodes'][number], Omit<SavedNode, 'id'>]>([
    ['a plain destination', { name: 'web-1', destination: 'deploy@10.0.0.7:2222', tags: ['rack-1'] }, { name: 'web-1', host: '10.0.0.7', user: 'deploy', port: 2222, auth: 'agent', groups: ['rack-1'] }],
    ['Ansible fields win over the destination', { name: 'db', destination: '10.0.0.9', user: 'ops', port: 22, identityFile: '/k/id', jump: 'bastion', tags: ['prod', 'db'] }, { name: 'db', host: '10.0.0.9', user: 'ops', port: 22, auth: 'key', identityFile: '/k/id', jump: 'bastion', groups: ['prod', 'db'] }],
    ['an IPv6 address', { name: 'v6', destination: '[fd00::1]:22', tags: [] }, { name: 'v6', host: 'fd00::1', port: 22, auth: 'agent' }],
  ])('%s', (_, node, expected) => {
    const r = mergeInventory([], inventory([node]), newId);
    expect(r.nodes.map(({ id: _id, ...rest }) => rest)).toEqual([expected]);
    expect(r.added).toBe(1);
  });

  it('keeps no ssh option, leaves out groups that are not plain names, and says so', () => {
    const r = mergeInventory([], inventory([{ name: 'x', destination: 'x', sshOptions: ['ProxyCommand=nc %h %p'], tags: ['ok', 'bad group'] }], [{ line: 3, message: 'not a destination: "-oX"' }]), newId);
    expect(r.nodes[0]).toMatchObject({ name: 'x', groups: ['ok'] });
    expect(r.nodes[0]).not.toHaveProperty('sshOptions');
    expect(r.problems).toEqual(['line 3: not a destination: "-oX"', 'x: its ssh options (ProxyCommand=nc %h %p) are not kept; put them in ~/.ssh/config under Host x', 'x: groups left out (not plain names): "bad group"']);
  });

  it('updates a node saved under the same name, keeping its authentication and sudo', () => {
    const saved: SavedNode[] = [{ id: 'a', name: 'web-1', host: 'old', auth: 'password', sudo: true, groups: ['old'] }, { id: 'b', name: 'other', host: 'o', auth: 'agent' }];
    const r = mergeInventory(saved, inventory([{ name: 'web-1', destination: 'new:22', tags: ['g'] }]), newId);
    expect(r).toMatchObject({ added: 0, updated: 1 });
    expect(r.nodes).toEqual([{ id: 'a', name: 'web-1', host: 'new', port: 22, auth: 'password', sudo: true, groups: ['g'] }, saved[1]]);
    expect(mergeInventory(r.nodes, inventory([{ name: 'web-1', destination: 'new:22', tags: ['g'] }]), newId)).toMatchObject({ added: 0, updated: 0 });
  });
});
