/**
 * `--inventory SRC`: where a fleet's node list comes from.
 *   FILE                a plain file: one [user@]host[:port] per line, # comments, words after it are tags
 *   ssh-config[:FILE]   the Host aliases of ~/.ssh/config (or FILE) and the files it Includes
 *   ansible:INVENTORY   ansible-inventory -i INVENTORY --list (groups become tags)
 *   kubectl[:CONTEXT]   kubectl get nodes -o json (each node's InternalIP)
 * The commands run without a shell; their failures say what to check.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ProcscopeFailure } from '../../shared/errors';
import { type Inventory, parseAnsibleInventory, parseKubectlNodes, parsePlainInventory, sshConfigInventory } from '../../shared/fleet/inventory';
import { listConfigHostsIn } from '../engine/ssh/config-file';

function run(command: string, args: string[], what: string, hint: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') return reject(new ProcscopeFailure({ kind: 'not-found', message: `${what}: there is no ${command} here.`, hint }));
      if (err) return reject(new ProcscopeFailure({ kind: 'parse', message: `${what} failed: ${(stderr || err.message).trim().split('\n').slice(-3).join(' / ')}`, hint }));
      resolve(stdout);
    });
  });
}

function parsed<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new ProcscopeFailure({ kind: 'parse', message: `${what} printed what procscope cannot read: ${(err as Error).message}` });
  }
}

export async function readInventory(spec: string, sshConfigPath?: string): Promise<Inventory> {
  if (spec === 'ssh-config' || spec.startsWith('ssh-config:')) {
    const path = spec.slice('ssh-config:'.length) || sshConfigPath;
    return sshConfigInventory(listConfigHostsIn(path), path ?? '~/.ssh/config');
  }
  if (spec.startsWith('ansible:')) {
    const inv = spec.slice('ansible:'.length);
    if (inv === '' || inv.startsWith('-')) throw new ProcscopeFailure({ kind: 'parse', message: `Not an Ansible inventory: ${JSON.stringify(inv)}.`, hint: 'Write --inventory ansible:PATH.' });
    const json = await run('ansible-inventory', ['-i', inv, '--list'], `ansible-inventory -i ${inv} --list`, 'Install Ansible (the ansible or ansible-core package), and check the inventory with ansible-inventory --list.');
    return parsed('ansible-inventory', () => parseAnsibleInventory(json, spec));
  }
  if (spec === 'kubectl' || spec.startsWith('kubectl:')) {
    const context = spec.slice('kubectl:'.length);
    if (context.startsWith('-')) throw new ProcscopeFailure({ kind: 'parse', message: `Not a kubectl context: ${JSON.stringify(context)}.` });
    const json = await run('kubectl', ['get', 'nodes', '-o', 'json', ...(context ? ['--context', context] : [])], 'kubectl get nodes', 'Install kubectl and check that kubectl get nodes works.');
    return parsed('kubectl get nodes', () => parseKubectlNodes(json, spec));
  }
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (err) {
    throw new ProcscopeFailure({ kind: 'not-found', message: `Cannot read the inventory ${spec}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`, hint: 'Give a file of destinations, or ssh-config, ansible:PATH or kubectl.' });
  }
  return parsePlainInventory(text, spec);
}
