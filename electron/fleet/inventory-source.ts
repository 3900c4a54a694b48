/**
 * `--inventory SRC`: where a fleet's node list comes from.
 *   FILE                a plain file: one [user@]host[:port] per line, # comments, words after it are tags
 *   ssh-config[:FILE]   the Host aliases of ~/.ssh/config (or FILE) and the files it Includes
 *   ansible:INVENTORY   ansible-inventory -i INVENTORY --list (groups become tags)
 *   kubectl[:CONTEXT]   kubectl get nodes -o json (each node's InternalIP)
 * The commands run without a shell; their failures say what to check.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { MAX_INVENTORY_BYTES } from '../../shared/api';
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

interface InventoryProgram {
  command: string;
  args: string[];
  /** the command line, for messages and for the user's approval */
  what: string;
  hint: string;
  parse(json: string, source: string): Inventory;
}

/** The program an inventory source runs on this computer (ansible-inventory, kubectl), or null for a file. */
export function inventoryProgram(spec: string): InventoryProgram | null {
  if (spec.startsWith('ansible:')) {
    const inv = spec.slice('ansible:'.length);
    if (inv === '' || inv.startsWith('-')) throw new ProcscopeFailure({ kind: 'parse', message: `Not an Ansible inventory: ${JSON.stringify(inv)}.`, hint: 'Write --inventory ansible:PATH.' });
    const args = ['-i', inv, '--list'];
    return { command: 'ansible-inventory', args, what: `ansible-inventory ${args.join(' ')}`, hint: 'Install Ansible (the ansible or ansible-core package), and check the inventory with ansible-inventory --list.', parse: parseAnsibleInventory };
  }
  if (spec === 'kubectl' || spec.startsWith('kubectl:')) {
    const context = spec.slice('kubectl:'.length);
    if (context.startsWith('-')) throw new ProcscopeFailure({ kind: 'parse', message: `Not a kubectl context: ${JSON.stringify(context)}.` });
    const args = ['get', 'nodes', '-o', 'json', ...(context ? ['--context', context] : [])];
    return { command: 'kubectl', args, what: `kubectl ${args.join(' ')}`, hint: 'Install kubectl and check that kubectl get nodes works.', parse: parseKubectlNodes };
  }
  return null;
}

export async function readInventory(spec: string, sshConfigPath?: string): Promise<Inventory> {
  if (spec === 'ssh-config' || spec.startsWith('ssh-config:')) {
    const path = spec.slice('ssh-config:'.length) || sshConfigPath;
    return sshConfigInventory(listConfigHostsIn(path), path ?? '~/.ssh/config');
  }
  const program = inventoryProgram(spec);
  if (program) {
    const json = await run(program.command, program.args, program.what, program.hint);
    return parsed(program.what, () => program.parse(json, spec));
  }
  return parsePlainInventory(await readInventoryFile(spec), spec);
}

/**
 * An inventory file's text: a regular file only (a FIFO, /dev/zero or a directory is refused, not waited on or read
 * without end), opened without blocking, at most MAX_INVENTORY_BYTES, read asynchronously.
 */
export async function readInventoryFile(path: string): Promise<string> {
  const cannot = (why: string, kind: 'not-found' | 'unsupported' = 'unsupported') =>
    new ProcscopeFailure({ kind, message: `Cannot read the inventory ${path}: ${why}.`, hint: 'Give a file of destinations, or ssh-config, ansible:PATH or kubectl.' });
  let file: FileHandle;
  try {
    file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw cannot(code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message, code === 'ENOENT' ? 'not-found' : 'unsupported');
  }
  try {
    const st = await file.stat();
    if (!st.isFile()) throw cannot(st.isDirectory() ? 'it is a directory' : 'it is not a regular file');
    if (st.size > MAX_INVENTORY_BYTES) throw cannot(`it is ${st.size} bytes; an inventory may have ${MAX_INVENTORY_BYTES}`);
    const buf = Buffer.alloc(MAX_INVENTORY_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length <= MAX_INVENTORY_BYTES; length += n) n = (await file.read(buf, length, buf.length - length, null)).bytesRead;
    if (length > MAX_INVENTORY_BYTES) throw cannot(`it grew past ${MAX_INVENTORY_BYTES} bytes while read`);
    return buf.subarray(0, length).toString('utf8');
  } finally {
    await file.close();
  }
}
