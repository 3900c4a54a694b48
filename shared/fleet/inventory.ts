/**
 * Inventories people already keep, as lists of nodes to ask: a plain file of destinations, the hosts of an ssh
 * config, `ansible-inventory --list` JSON, `kubectl get nodes -o json`. Pure: the caller reads the files and runs
 * the commands. Every name here came from someone's file: it is checked before it becomes a destination.
 */

export interface InventoryNode {
  /** what the node is called in the inventory */
  name: string;
  /** what to connect to: [user@]host[:port], or a Host alias of the ssh config */
  destination: string;
  user?: string;
  port?: number;
  identityFile?: string;
  /** ssh -o options (from ansible_ssh_common_args' -o KEY=VALUE) */
  sshOptions?: string[];
  /** ProxyJump (from ansible_ssh_common_args' -J, or its ProxyJump/ProxyCommand -o) */
  jump?: string;
  /** groups, labels */
  tags: string[];
}

export interface InventoryProblem {
  line?: number;
  message: string;
}

export interface Inventory {
  source: string;
  nodes: InventoryNode[];
  /** entries that were left out, and why */
  problems: InventoryProblem[];
}

const DESTINATION = /^(?:[A-Za-z0-9._][A-Za-z0-9._-]*@)?(?:[A-Za-z0-9._:-]+|\[[0-9A-Fa-f:.%a-z]+\])(?::\d{1,5})?$/;

/** A destination that cannot read as an option or carry shell or ssh syntax. */
export function isDestination(text: string): boolean {
  return text.length <= 255 && !text.startsWith('-') && DESTINATION.test(text);
}

/** One destination per line; `#` starts a comment; words after the destination are tags. */
export function parsePlainInventory(text: string, source: string): Inventory {
  const nodes: InventoryNode[] = [];
  const problems: InventoryProblem[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const [destination, ...tags] = line.split(/\s+/);
    // A line is named by its number, never quoted: the file may be one the page did not write.
    if (!isDestination(destination!)) return problems.push({ line: i + 1, message: 'not a destination' });
    const first = nodes.findIndex((n) => n.destination === destination);
    if (first >= 0) return problems.push({ line: i + 1, message: `the destination of line ${lines[first]} again; the first is kept` });
    lines.push(i + 1);
    nodes.push({ name: destination!, destination: destination!, tags });
  });
  return { source, nodes, problems };
}

export function sshConfigInventory(aliases: string[], source: string): Inventory {
  const nodes: InventoryNode[] = [];
  const problems: InventoryProblem[] = [];
  for (const alias of aliases) {
    if (isDestination(alias)) nodes.push({ name: alias, destination: alias, tags: ['ssh-config'] });
    else problems.push({ message: `Host ${JSON.stringify(alias)} cannot be a destination` });
  }
  return { source, nodes, problems };
}

/** The -o KEY=VALUE and -J options of ansible_ssh_common_args; anything else is reported, not passed on. */
function sshArgs(args: string, problems: InventoryProblem[], host: string): { sshOptions: string[]; jump?: string } {
  const words = args.match(/'[^']*'|"[^"]*"|\S+/g)?.map((w) => w.replace(/^(['"])(.*)\1$/, '$2')) ?? [];
  const sshOptions: string[] = [];
  let jump: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const value = (flag: string) => (w === flag ? words[++i] : w.slice(flag.length));
    if (w.startsWith('-o')) {
      const o = value('-o');
      if (o && /^[A-Za-z]+[= ]\S/.test(o)) sshOptions.push(o.replace(' ', '='));
      else problems.push({ message: `${host}: ansible_ssh_common_args: not an ssh option: ${JSON.stringify(o)}` });
    } else if (w.startsWith('-J')) {
      jump = value('-J');
    } else problems.push({ message: `${host}: ansible_ssh_common_args: ${JSON.stringify(w)} is not passed on (only -o and -J are)` });
  }
  return { sshOptions, ...(jump ? { jump } : {}) };
}

interface AnsibleList {
  _meta?: { hostvars?: Record<string, Record<string, unknown>> };
  [group: string]: unknown;
}

/** `ansible-inventory -i INV --list`: groups become tags; ansible_host, _port, _user, _ssh_private_key_file, _ssh_common_args are honoured. */
export function parseAnsibleInventory(json: string, source: string): Inventory {
  const data = JSON.parse(json) as AnsibleList;
  const hostvars = data._meta?.hostvars ?? {};
  const groupsOf = new Map<string, Set<string>>();
  const children = new Map<string, string[]>();
  for (const [group, value] of Object.entries(data)) {
    if (group === '_meta' || typeof value !== 'object' || value === null) continue;
    const g = value as { hosts?: unknown; children?: unknown };
    if (Array.isArray(g.hosts)) for (const h of g.hosts) if (typeof h === 'string') (groupsOf.get(h) ?? groupsOf.set(h, new Set()).get(h)!).add(group);
    if (Array.isArray(g.children)) children.set(group, g.children.filter((c): c is string => typeof c === 'string'));
  }
  // A host of a child group is in its parents too (all and ungrouped say nothing).
  const parents = (group: string, seen = new Set<string>()): string[] => {
    const out: string[] = [];
    for (const [parent, kids] of children) if (kids.includes(group) && !seen.has(parent)) out.push(parent, ...parents(parent, seen.add(parent)));
    return out;
  };
  const names = new Set([...groupsOf.keys(), ...Object.keys(hostvars)]);
  const nodes: InventoryNode[] = [];
  const problems: InventoryProblem[] = [];
  for (const name of [...names].sort()) {
    const vars = hostvars[name] ?? {};
    const str = (k: string) => (typeof vars[k] === 'string' || typeof vars[k] === 'number' ? String(vars[k]) : undefined);
    const host = str('ansible_host') ?? name;
    if (!isDestination(host)) {
      problems.push({ message: `${name}: ansible_host ${JSON.stringify(host)} is not a destination` });
      continue;
    }
    const port = str('ansible_port') !== undefined ? Number(str('ansible_port')) : undefined;
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      problems.push({ message: `${name}: ansible_port ${JSON.stringify(str('ansible_port'))} is not a port` });
      continue;
    }
    const user = str('ansible_user');
    if (user !== undefined && !/^[A-Za-z0-9._][A-Za-z0-9._-]*$/.test(user)) {
      problems.push({ message: `${name}: ansible_user ${JSON.stringify(user)} is not a user name` });
      continue;
    }
    const args = str('ansible_ssh_common_args');
    const extra = args ? sshArgs(args, problems, name) : { sshOptions: [] };
    const groups = [...(groupsOf.get(name) ?? [])].flatMap((g) => [g, ...parents(g)]).filter((g) => g !== 'all' && g !== 'ungrouped');
    nodes.push({
      name,
      destination: host,
      ...(user ? { user } : {}),
      ...(port ? { port } : {}),
      ...(str('ansible_ssh_private_key_file') ? { identityFile: str('ansible_ssh_private_key_file') } : {}),
      ...(extra.sshOptions.length ? { sshOptions: extra.sshOptions } : {}),
      ...(extra.jump ? { jump: extra.jump } : {}),
      tags: [...new Set(groups)].sort(),
    });
  }
  return { source, nodes, problems };
}

/** `kubectl get nodes -o json`: each node by its InternalIP (else ExternalIP, else its name), named as Kubernetes names it. */
export function parseKubectlNodes(json: string, source: string): Inventory {
  const data = JSON.parse(json) as { items?: { metadata?: { name?: string; labels?: Record<string, string> }; status?: { addresses?: { type?: string; address?: string }[] } }[] };
  const nodes: InventoryNode[] = [];
  const problems: InventoryProblem[] = [];
  for (const item of data.items ?? []) {
    const name = item.metadata?.name ?? '';
    const addresses = item.status?.addresses ?? [];
    const address = addresses.find((a) => a.type === 'InternalIP')?.address ?? addresses.find((a) => a.type === 'ExternalIP')?.address ?? name;
    const destination = address.includes(':') ? `[${address}]` : address;
    if (!name || !isDestination(destination)) {
      problems.push({ message: `node ${JSON.stringify(name)}: no address procscope can connect to` });
      continue;
    }
    const labels = item.metadata?.labels ?? {};
    const roles = Object.keys(labels).filter((l) => l.startsWith('node-role.kubernetes.io/')).map((l) => `role:${l.slice('node-role.kubernetes.io/'.length)}`);
    const zone = labels['topology.kubernetes.io/zone'];
    nodes.push({ name, destination, tags: ['kubernetes', ...roles, ...(zone ? [`zone:${zone}`] : [])] });
  }
  return { source, nodes, problems };
}
