import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDestination, parseAnsibleInventory, parseKubectlNodes, parsePlainInventory, sshConfigInventory } from './inventory';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('parseAnsibleInventory (ansible-inventory --list of fixtures/ansible-inv.ini, captured)', () => {
  const inv = parseAnsibleInventory(fixture('ansible-inventory-list.json'), 'ansible:inv.ini');
  it('takes ansible_host, _port, _user, _ssh_private_key_file, the -o and -J of _ssh_common_args; groups and their parents become tags', () => {
    expect(inv.nodes).toEqual([
      { name: 'db-1', destination: '10.0.4.1', sshOptions: ['ProxyJump=bastion', 'StrictHostKeyChecking=yes'], tags: ['db', 'prod'] },
      { name: 'web-1', destination: '10.0.3.7', user: 'deploy', tags: ['prod', 'web'] },
      { name: 'web-2', destination: '10.0.3.8', port: 2222, identityFile: '~/.ssh/id_web', tags: ['prod', 'web'] },
    ]);
  });
  it('leaves out a host whose ansible_host could not be a destination, saying why', () => {
    expect(inv.problems).toEqual([{ message: 'lab-1: ansible_host "evil; rm -rf /" is not a destination' }]);
  });
  it.each<[string, string, RegExp]>([
    ['a -J jump and an option it will not pass on', '{"_meta":{"hostvars":{"h":{"ansible_ssh_common_args":"-J bastion -A"}}},"all":{"hosts":["h"]}}', /"-A" is not passed on/],
    ['a bad port', '{"_meta":{"hostvars":{"h":{"ansible_port":"22x"}}}}', /ansible_port "22x" is not a port/],
    ['a user that is not a name', '{"_meta":{"hostvars":{"h":{"ansible_user":"root -oProxyCommand=x"}}}}', /is not a user name/],
  ])('%s', (_name, json, problem) => {
    const r = parseAnsibleInventory(json, 'x');
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(problem);
  });
  it('keeps -J as the jump host', () => {
    expect(parseAnsibleInventory('{"_meta":{"hostvars":{"h":{"ansible_ssh_common_args":"-J jump@bastion:2222"}}}}', 'x').nodes[0]).toMatchObject({ jump: 'jump@bastion:2222' });
  });
});

describe('parseKubectlNodes (the shape of kubectl get nodes -o json)', () => {
  it('takes each node by its InternalIP, with its roles and zone as tags, and leaves out one it cannot connect to', () => {
    const inv = parseKubectlNodes(fixture('kubectl-get-nodes.json'), 'kubectl');
    expect(inv.nodes).toEqual([
      { name: 'cp-1', destination: '10.0.0.10', tags: ['kubernetes', 'role:control-plane', 'zone:eu-west-1a'] },
      { name: 'worker-1', destination: '[fd00::21]', tags: ['kubernetes'] },
    ]);
    expect(inv.problems).toEqual([{ message: 'node "odd;node": no address procscope can connect to' }]);
  });
});

describe('parsePlainInventory', () => {
  it('reads one destination per line with tags, skips comments, and says what it left out', () => {
    const inv = parsePlainInventory('# fleet\nroot@10.0.0.1:2222 web eu\n\n10.0.0.2   # trailing\n[fd00::1]:22\n-oProxyCommand=x\n10.0.0.2\nhost name\n', 'f');
    expect(inv.nodes).toEqual([
      { name: 'root@10.0.0.1:2222', destination: 'root@10.0.0.1:2222', tags: ['web', 'eu'] },
      { name: '10.0.0.2', destination: '10.0.0.2', tags: [] },
      { name: '[fd00::1]:22', destination: '[fd00::1]:22', tags: [] },
      { name: 'host', destination: 'host', tags: ['name'] },
    ]);
    expect(inv.problems).toEqual([
      { line: 6, message: 'not a destination' },
      { line: 7, message: 'the destination of line 4 again; the first is kept' },
    ]);
  });
});

describe('isDestination', () => {
  it.each([
    ['web-1', true],
    ['root@10.0.0.1:22', true],
    ['[fd00::1]:2222', true],
    ['-oProxyCommand=x', false],
    ['a b', false],
    ['h;reboot', false],
    ['$(id)', false],
    ['', false],
  ])('%j: %s', (text, ok) => {
    expect(isDestination(text)).toBe(ok);
  });
  it('ssh config aliases that are patterns never reach it, others become nodes', () => {
    expect(sshConfigInventory(['web-1', 'bad alias'], 'c').nodes.map((n) => n.name)).toEqual(['web-1']);
  });
});
