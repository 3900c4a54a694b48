/**
 * A verb of the command line: its name, its line in `procscope --help`, its usage, its own options (parsed
 * strictly: an option another verb takes is an unknown option here) and what it does. Each verb is a module of
 * verbs/; main.ts dispatches. The option groups below are the ones several verbs share.
 */
import type { ParseArgsConfig, parseArgs } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

export type Values<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>['values'];

export interface Verb<O extends ParseArgsOptionsConfig = ParseArgsOptionsConfig> {
  name: string;
  /** its line in `procscope --help` */
  summary: string;
  /** `procscope VERB --help` */
  usage: string;
  options: O;
  run(positionals: string[], values: Values<O>): Promise<number>;
}

/** A verb, its values typed by its options (`help` is every verb's). */
export function defineVerb<const O extends ParseArgsOptionsConfig>(verb: Verb<O>): Verb<O> {
  return verb;
}

/** A mistake in the command line: exit 2, with the verb's usage (shared/errors.ts). */
export { UsageError } from '../../shared/errors';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** How to log in (as OpenSSH's options), less the port: a fleet's nodes each have their own. */
export const LOGIN_OPTIONS = {
  login: { type: 'string', short: 'l' },
  identity: { type: 'string', short: 'i', multiple: true },
  jump: { type: 'string', short: 'J' },
  'ssh-config': { type: 'string', short: 'F' },
  'ssh-option': { type: 'string', multiple: true },
  'known-hosts': { type: 'string' },
  'accept-new': { type: 'boolean' },
  'no-agent': { type: 'boolean' },
} as const;

/** Where one node is and how to log in. */
export const SSH_OPTIONS = { port: { type: 'string', short: 'p' }, ...LOGIN_OPTIONS } as const;

/** SSH, or --via COMMAND's shell, and sudo on the node. */
export const NODE_OPTIONS = { ...SSH_OPTIONS, via: { type: 'string' }, sudo: { type: 'boolean' } } as const;

/** A read of a node: its deadline, and where the container name files are. */
export const READ_OPTIONS = { ...NODE_OPTIONS, timeout: { type: 'string' }, 'names-root': { type: 'string' } } as const;

export const OUTPUT_OPTION = { output: { type: 'string', short: 'o' } } as const;

export const TARGET_HELP = `TARGET is "local" (the default: this machine, through /bin/sh), or an SSH
destination [user@]host[:port], or a Host alias from ~/.ssh/config. OpenSSH decides
what a destination means: procscope asks "ssh -G" (Include, Match, ProxyJump,
ProxyCommand, UserKnownHostsFile, HostKeyAlias... as ssh would take them), and
reads the config itself only where no ssh client is installed.
Or, instead of TARGET, --via COMMAND: any command that gives a POSIX shell on its
standard input and output, run here under /bin/sh:
  --via 'ssh -T web-1 sh'                  the system ssh (its agent, certificates, ControlMaster)
  --via 'ssh -T web-1 sh' --sudo           the same, the collector under sudo -n
  --via 'docker exec -i CONTAINER sh'      the view from inside a container
  --via 'nsenter -t 1 -a sh'               this machine's host namespaces
  --via 'kubectl debug node/NODE -it --profile=sysadmin --image=busybox -- chroot /host sh'
`;

export const SSH_HELP = `SSH options (as OpenSSH's):
  -p, --port PORT          SSH port
  -l, --login USER         user to log in as
  -i, --identity FILE      private key (repeatable); a passphrase is asked for, or read from $PROCSCOPE_PASSPHRASE
  -J, --jump HOSTS         jump hosts, comma-separated [user@]host[:port] (ProxyJump)
  -F, --ssh-config FILE    ssh config file (default ~/.ssh/config)
      --ssh-option K=V     an ssh -o option (repeatable), e.g. --ssh-option ProxyJump=bastion
      --known-hosts FILE   the known_hosts file to check and write (default: the config's UserKnownHostsFile)
      --accept-new         accept and record the host key of a host not yet known (never a changed one),
                           whatever the config's StrictHostKeyChecking says
      --no-agent           do not use ssh-agent ($SSH_AUTH_SOCK)
Passwords are asked on the terminal, or read from $PROCSCOPE_PASSWORD.
`;

export const NODE_HELP = `${SSH_HELP}      --via COMMAND        reach the node through COMMAND's shell (see TARGET above) instead of SSH
      --sudo               run on the node under "sudo -n" (to see every process's fds)
`;

export const READ_HELP = `${NODE_HELP}      --timeout SEC        give up on a node that has not answered in SEC seconds (default 120)
      --names-root DIR     read container name files (run/containerd, var/log/pods, var/lib/docker) under DIR
`;
