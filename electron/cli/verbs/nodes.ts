import { fleetArgs, reportLeftOut, writeStdout } from '../common';
import { HELP_OPTION, UsageError, defineVerb } from '../verb';

export const nodesVerb = defineVerb({
  name: 'nodes',
  summary: "list an inventory's nodes: a file of destinations, ssh-config, ansible:PATH, kubectl",
  usage: `Usage: procscope nodes --inventory SRC [--json] [-F CONFIG]

Lists the nodes procscope would ask, with their tags. SRC is one of:
  FILE                one [user@]host[:port] per line, # comments, words after it are tags
  ssh-config[:FILE]   the Host aliases of ~/.ssh/config (or FILE) and of the files it Includes
  ansible:INVENTORY   ansible-inventory -i INVENTORY --list: groups become tags; ansible_host, _port, _user,
                      _ssh_private_key_file and the -o/-J of _ssh_common_args are honoured
  kubectl[:CONTEXT]   kubectl get nodes -o json: each node at its InternalIP
Entries that cannot be destinations are left out, each with its reason on standard error.
`,
  options: { ...HELP_OPTION, inventory: { type: 'string' }, json: { type: 'boolean' }, 'ssh-config': { type: 'string', short: 'F' } },
  async run(positionals, values) {
    if (positionals.length > 0) throw new UsageError('nodes takes no TARGET: give --inventory SRC');
    if (!values.inventory) throw new UsageError('nodes needs --inventory SRC (a file, ssh-config, ansible:PATH or kubectl)');
    const { fleetNodes, formatNodes } = await import('../fleet');
    const inv = await fleetNodes(fleetArgs(values, []));
    await writeStdout(values.json ? JSON.stringify(inv, null, 2) + '\n' : formatNodes(inv));
    reportLeftOut(inv);
    return 0;
  },
});
