/** The procscope command line: `procscope snapshot [TARGET]` and friends. */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ProcscopeError, ProcscopeFailure, formatError, toProcscopeError } from '../../shared/errors';
import { EXPORT_FORMATS, type ExportFormat, exportLines } from '../../shared/export/formats';
import { jsonChunks } from '../../shared/snapshot/json';
import { schemaErrors } from '../../shared/snapshot/validate';
import type { OpenOptions } from '../engine/open';
import type { Inventory } from '../../shared/fleet/inventory';
import type { Snapshot } from '../../shared/snapshot/types';
import type { FleetArgs } from './fleet';
import { askApproval, askHidden, askYesNo } from './prompt';
import { writeFileAtomically } from '../fs/atomic-write';
import { formatContainerTable } from '../../shared/containers/summary';
import { visibleText } from '../../shared/visible';
import { QUERY_FIELDS, QueryError, queryFromFields, queryJson } from '../../shared/fleet/query-text';

const HELP = `procscope: look inside a Linux node over SSH.

Usage:
  procscope snapshot [TARGET] [options]   write a process snapshot (procscope.snapshot/v1 JSON)
  procscope ps [TARGET] [--sort KEY] [--filter TEXT] [--json]   the processes as ps aux prints them, with their
                 container: the quickest read (no fds, sockets or namespaces)
  procscope containers [TARGET] [options] list the node's containers: id, runtime, pod/name, init pid, pid count
  procscope record [TARGET] -o DIR        a snapshot every --every (30s) for --for (1h), gzipped into DIR, within --max-size (1G)
  procscope snapshot --inventory SRC -o DIR   one NAME.json per node, 16 at a time; diff DIR1 DIR2 says what changed per node
  procscope nodes --inventory SRC         list an inventory's nodes: a file of destinations, ssh-config, ansible:PATH, kubectl
  procscope find [--inventory SRC | TARGET...] --port N | --name RE | --cmdline RE | --exe PATH | --container ID
                 | --pod UID|NAME | --user NAME   ask every node, 16 at a time, which processes match
  procscope diff BEFORE AFTER [--json]    what started, exited, changed, listened, opened and closed between two snapshots
  procscope signal [TARGET] PID[@START]... SIGNAL   send TERM, INT, HUP, KILL, STOP, CONT, USR1 or USR2, only if
                 each pid is still the process seen (its start time); asks first unless --yes; logged locally
  procscope renice [TARGET] PID[@START]... N        set the nice value (-20 to 19), with the same checks
  procscope resolve TARGET [options]      say where TARGET leads (address, user, keys, jump hosts, known hosts), as ssh -G resolves it
  procscope serve [--port N]              serve the app to a browser on this machine (loopback only, with a token)
  procscope --help | --version

TARGET is "local" (the default: this machine, through /bin/sh), or an SSH
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

Options (as OpenSSH's):
  -o, --output FILE        write the JSON to FILE instead of standard output
      --format F           (snapshot) json (the default), ndjson or csv (a process per line, OpenTelemetry names),
                           osquery (result-log lines of processes, process_open_sockets, listening_ports,
                           process_namespaces, with container and pod columns)
  -p, --port PORT          SSH port
  -l, --login USER         user to log in as
  -i, --identity FILE      private key (repeatable); a passphrase is asked for, or read from $PROCSCOPE_PASSPHRASE
  -J, --jump HOSTS         jump hosts, comma-separated [user@]host[:port] (ProxyJump)
  -F, --ssh-config FILE    ssh config file (default ~/.ssh/config)
      --ssh-option K=V     an ssh -o option (repeatable), e.g. --ssh-option ProxyJump=bastion
      --known-hosts FILE   the known_hosts file to check and write (default: the config's UserKnownHostsFile)
      --accept-new         accept and record the host key of a host not yet known (never a changed one),
                           whatever the config's StrictHostKeyChecking says
      --sudo               run the collector under "sudo -n" to see every process's fds
      --no-agent           do not use ssh-agent ($SSH_AUTH_SOCK)
      --pretty             indent the JSON
      --json               (containers) print the containers as JSON instead of a table
      --names-root DIR     read container name files (run/containerd, var/log/pods, var/lib/docker) under DIR
      --timeout SEC        give up on a node that has not answered in SEC seconds (default 120)
      --via COMMAND        reach the node through COMMAND's shell (see above) instead of SSH

Passwords are asked on the terminal, or read from $PROCSCOPE_PASSWORD.
A snapshot with per-process errors (a process that exited, an fd table it may not read) still exits 0;
exit 1 means no snapshot (the message says why and how to fix it), 2 a usage error.
`;

const USAGE: Record<string, string> = {
  snapshot: `Usage: procscope snapshot [TARGET | --via COMMAND] [-o FILE] [-p PORT] [-l USER] [-i KEY]... [-J HOSTS]
                          [-F CONFIG] [--ssh-option K=V]... [--known-hosts FILE] [--accept-new] [--sudo] [--no-agent] [--pretty] [--timeout SEC]
                          [--format json|ndjson|csv|osquery]

Writes a process snapshot of TARGET (default: this machine) as procscope.snapshot/v1 JSON,
to FILE or to standard output. See 'procscope --help' for TARGET and the options.
`,
  ps: `Usage: procscope ps [TARGET | --via COMMAND] [--sort KEY] [--filter TEXT] [--json] [SSH options as for snapshot]

Prints TARGET's processes as ps aux does (USER PID %CPU %MEM VSZ RSS STAT START TIME), with the CONTAINER (id, or
pod/name where known) before the COMMAND. It reads only what that table needs (stat, status, cmdline and cgroup of
each process, the node's memory and users), so it answers first on a loaded node.
  --sort KEY     pid (default), user, cpu, mem, rss, vsz, time, start, name or container; cpu, mem, rss, vsz and
                 time sort biggest first; a leading - or + sorts biggest or smallest first (--sort=+rss)
  --filter TEXT  the app's filter: every word must be found in the pid, name, user, command line, container or pod
  --json         the node and the processes (as in a snapshot) as JSON
%CPU is the CPU time over the process's life, as ps shows it; %CPU and %MEM are cut to one decimal, as ps does.
`,
  containers: `Usage: procscope containers [TARGET] [--json] [-o FILE] [SSH options as for snapshot]

Lists TARGET's containers: id, runtime, pod/name, init pid, pid count (--json: the containers as JSON).
`,
  nodes: `Usage: procscope nodes --inventory SRC [--json] [-F CONFIG]

Lists the nodes procscope would ask, with their tags. SRC is one of:
  FILE                one [user@]host[:port] per line, # comments, words after it are tags
  ssh-config[:FILE]   the Host aliases of ~/.ssh/config (or FILE) and of the files it Includes
  ansible:INVENTORY   ansible-inventory -i INVENTORY --list: groups become tags; ansible_host, _port, _user,
                      _ssh_private_key_file and the -o/-J of _ssh_common_args are honoured
  kubectl[:CONTEXT]   kubectl get nodes -o json: each node at its InternalIP
Entries that cannot be destinations are left out, each with its reason on standard error.
`,
  find: `Usage: procscope find [--inventory SRC | TARGET...] QUESTION... [--parallel N] [--timeout SEC] [--json]
                      [--sudo] [-l USER] [-i KEY]... [-J HOSTS] [-F CONFIG] [--known-hosts FILE] [--accept-new]

Asks every node, N at a time (--parallel, 16), each within SEC seconds (--timeout, 60), which processes match
all of the QUESTIONs:
  --port N              holds a TCP/UDP socket on port N, listening or connected, in any network namespace
  --name RE             its name (comm) matches the regular expression
  --cmdline RE          its command line matches
  --exe PATH            runs that binary (also when it was deleted since)
  --container ID|NAME   is in the container with that id prefix or name
  --pod UID|NAME        is in that Kubernetes pod (UID, name or namespace/name)
  --user NAME|UID       runs as that user
Prints a row per match as nodes answer (node, pid, user, process, container and pod, what matched), then each
node that failed with its reason. Exit status 0 when every node answered, 1 when some did not, 2 for a usage error.
`,
  record: `Usage: procscope record [TARGET | --via COMMAND] -o DIR [--every 30s] [--for 1h] [--max-size 1G] [SSH options as for snapshot]

Takes a full snapshot of TARGET every --every for --for, each written to DIR (made if missing) as
procscope-HOST-TIME.json.gz, whole or not at all. While the recordings in DIR exceed --max-size, the oldest are
removed. Progress and disk use go to standard error; Ctrl-C stops after the snapshot under way. A failed snapshot is
reported and the next tick tries again (on a new connection if the old one dropped). Compare any two with
procscope diff; open one in the app with Open snapshot.
`,
  diff: `Usage: procscope diff BEFORE AFTER [--json [--pretty]] [--threads N] [--rss MB] [--exit-code] [-o FILE]

Compares two snapshots (.json, or .json.gz as procscope record writes them) and prints what changed, grouped:
listeners added and removed, processes started, exited and changed (argv, exe, user, cwd, parent, container,
cgroup, namespaces; threads and RSS when they moved by --threads N, default 10, or --rss MB, default 64),
containers created and gone, namespaces created and gone, sockets opened and closed.

Snapshots of the same boot of a node are matched by identity: a process is its boot id, pid and start time, so a
reused pid is an exit and a start, never a change. Snapshots of different nodes or boots are matched by name and
command line instead, and the output says so.

--json prints the procscope.diff/v1 document (shared/snapshot/diff.schema.json). Exit status 0, or with
--exit-code 1 when anything changed; 2 for a usage error.
`,
  resolve: `Usage: procscope resolve TARGET [-p PORT] [-l USER] [-i KEY]... [-J HOSTS] [-F CONFIG] [--ssh-option K=V]... [--json]

Says where TARGET leads without connecting: the address, user, keys, jump hosts or ProxyCommand, and the
known-hosts files that vouch for it, as "ssh -G" resolves them (or the built-in reader, where there is no ssh).
`,
  signal: `Usage: procscope signal [TARGET | --via COMMAND] PID[@START]... SIGNAL [--yes] [--sudo] [SSH options]

Sends SIGNAL (TERM, INT, HUP, KILL, STOP, CONT, USR1, USR2) to each PID on the node. Each process is shown as it
is now (name, user, start time, command line) and the signal goes only after you say yes (--yes: without asking).
The node sends it only while /proc/PID/stat's start time is still the one shown, or START when given (the startTicks
of a snapshot): a pid that has become another process gets nothing ("pid 4242 is now another process").
--sudo acts as root (sudo -n). Every action is appended to ~/.config/procscope/actions.log.
Exit status 0 when every process got the signal, 1 otherwise.
`,
  renice: `Usage: procscope renice [TARGET | --via COMMAND] PID[@START]... N [--yes] [--sudo] [SSH options]

Sets the nice value of each PID to N (-20 to 19; lowering it needs root: --sudo), with the same checks, question
and log as procscope signal.
`,
  serve: `Usage: procscope serve [--port N] [--parallel N] [--timeout SEC] [--idle DURATION]

Serves the app to a browser on this machine: loopback only. The printed URL works once: the page trades its
token for a session kept in the page's memory (no cookie), and a fresh URL is printed for the next page.

The fleet view asks --parallel nodes at once (16), gives each --timeout seconds (60), and closes a node's
connection once it has been unused for --idle (2m).
`,
};

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      port: { type: 'string', short: 'p' },
      login: { type: 'string', short: 'l' },
      identity: { type: 'string', short: 'i', multiple: true },
      jump: { type: 'string', short: 'J' },
      'ssh-config': { type: 'string', short: 'F' },
      'ssh-option': { type: 'string', multiple: true },
      'known-hosts': { type: 'string' },
      'accept-new': { type: 'boolean' },
      sudo: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      'no-agent': { type: 'boolean' },
      pretty: { type: 'boolean' },
      json: { type: 'boolean' },
      'names-root': { type: 'string' },
      timeout: { type: 'string' },
      via: { type: 'string' },
      format: { type: 'string' },
      every: { type: 'string' },
      inventory: { type: 'string' },
      parallel: { type: 'string' },
      idle: { type: 'string' },
      name: { type: 'string' },
      cmdline: { type: 'string' },
      exe: { type: 'string' },
      container: { type: 'string' },
      pod: { type: 'string' },
      user: { type: 'string' },
      for: { type: 'string' },
      'max-size': { type: 'string' },
      threads: { type: 'string' },
      rss: { type: 'string' },
      sort: { type: 'string' },
      filter: { type: 'string' },
      'exit-code': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
  });
}

type Parsed = ReturnType<typeof parse>;

export function openOptionsFrom(values: Parsed['values']): OpenOptions {
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new UsageError(`bad port: ${values.port}`);
  const interactive = process.stdin.isTTY === true;
  return {
    ...(port !== undefined ? { port } : {}),
    ...(values.login ? { user: values.login } : {}),
    ...(values.identity ? { identityFiles: values.identity } : {}),
    ...(values.jump ? { jump: values.jump } : {}),
    ...(values['ssh-config'] ? { sshConfigPath: values['ssh-config'] } : {}),
    ...(values['known-hosts'] ? { knownHostsFile: values['known-hosts'] } : {}),
    ...(values['no-agent'] ? { agentSocket: null } : {}),
    ...(process.env.PROCSCOPE_PASSWORD !== undefined ? { password: process.env.PROCSCOPE_PASSWORD } : {}),
    ...(process.env.PROCSCOPE_PASSPHRASE !== undefined ? { passphrase: process.env.PROCSCOPE_PASSPHRASE } : {}),
    askSecret: async (req) => {
      if (!interactive) return null;
      if (req.kind === 'password') return askHidden(`${visibleText(req.subject)}'s password: `);
      return askHidden(`${req.retry ? 'Bad passphrase, try again' : 'Enter passphrase'} for key '${visibleText(req.subject)}': `);
    },
    // --accept-new is a command-line choice, so it wins over the config's StrictHostKeyChecking (as ssh -o does).
    ...(values['accept-new'] ? { strictHostKeyChecking: 'accept-new' as const } : {}),
    ...(values['ssh-option'] ? { sshOptions: values['ssh-option'] } : {}),
    onUnknownKey: async () => 'reject',
    log: (line) => process.stderr.write(`procscope: ${visibleText(line)}\n`),
  };
}

class UsageError extends Error {}

/** The engine (ssh2, the collector, the parser) loads only for the commands that reach a node: --help starts at once. */
async function engine() {
  const [{ collectSnapshot }, { openSession }] = await Promise.all([import('../engine/collect'), import('../engine/open')]);
  return { collectSnapshot, openSession };
}

/** The node the command line names: TARGET over SSH (or this machine), or --via COMMAND's shell. */
async function sessionFor(positionals: string[], values: Parsed['values'], openSession: Awaited<ReturnType<typeof engine>>['openSession']) {
  if (values.via === undefined) return openSession(positionals[0], openOptionsFrom(values));
  if (positionals.length > 0) throw new UsageError(`--via takes the place of TARGET: give one or the other, not ${positionals[0]} too`);
  if (values.via.trim() === '') throw new UsageError('--via needs a command, as in --via \'ssh -T web-1 sh\'');
  const { commandSession } = await import('../engine/command-session');
  return commandSession(values.via, { sudo: values.sudo ?? false });
}

async function snapshotCommand(positionals: string[], values: Parsed['values']): Promise<number> {
  if (values.inventory) return fleetSnapshotCommand(positionals, values);
  if (positionals.length > 1) throw new UsageError(`one TARGET at most, got: ${positionals.join(' ')}`);
  const format = values.format ?? 'json';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`bad --format: ${format} (one of ${EXPORT_FORMATS.join(', ')})`);
  const output = outputPath(values);
  const { collectSnapshot, openSession } = await engine();
  const session = await sessionFor(positionals, values, openSession);
  try {
    const snapshot = await collectSnapshot(session, collectOptionsFrom(values));
    const problems = schemaErrors(snapshot);
    if (problems.length > 0) process.stderr.write(`procscope: warning: this snapshot does not match the schema (a bug; please report it): ${problems.join('; ')}\n`);
    // Written piece by piece as it is made: one string of it all would cost tens of MB at 10,000 processes.
    const pieces =
      format === 'json'
        ? jsonLines(snapshot, values.pretty ?? false)
        : exportLines(snapshot, format as Exclude<ExportFormat, 'json'>);
    const bytes = output ? writeFileAtomically(output, pieces) : await writeStdout(pieces);
    const s = snapshot;
    process.stderr.write(
      `procscope: ${visibleText(s.node.hostname)} (${visibleText(s.node.target)}): ${s.processes.length} processes, ${s.sockets.length} sockets, ` +
        `${s.namespaces.length} namespaces, ${s.errors.length} errors, ${bytes} bytes, ${s.node.durationMs} ms` +
        `${output ? ` -> ${output}` : ''}\n`,
    );
    return 0;
  } finally {
    session.close();
  }
}

/** procscope ps: the first read alone, as a ps aux table. */
async function psCommand(positionals: string[], values: Parsed['values']): Promise<number> {
  if (positionals.length > 1) throw new UsageError(`one TARGET at most, got: ${positionals.join(' ')}`);
  const { PS_SORT_KEYS, formatPsTable, parsePsSort, psRows } = await import('../../shared/ps/table');
  const sort = parsePsSort(values.sort ?? 'pid');
  if (!sort) throw new UsageError(`bad --sort: ${values.sort} (one of ${PS_SORT_KEYS.join(', ')}, with - or + before it for biggest or smallest first)`);
  const output = outputPath(values);
  const [{ collectFirstRead }, { openSession }] = await Promise.all([import('../engine/collect'), import('../engine/open')]);
  const session = await sessionFor(positionals, values, openSession);
  try {
    const snapshot = await collectFirstRead(session, collectOptionsFrom(values));
    const rows = psRows(snapshot, values.filter ?? '', sort);
    const text = values.json ? JSON.stringify({ node: snapshot.node, processes: rows.map((r) => r.process), errors: snapshot.errors }, null, values.pretty ? 2 : undefined) + '\n' : formatPsTable(snapshot, rows);
    if (output) writeFileAtomically(output, text);
    else await writeStdout(text);
    process.stderr.write(`procscope: ${visibleText(snapshot.node.hostname)} (${visibleText(snapshot.node.target)}): ${rows.length} of ${snapshot.processes.length} processes, ${snapshot.node.durationMs} ms\n`);
    return 0;
  } finally {
    session.close();
  }
}

function collectOptionsFrom(values: Parsed['values']) {
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) throw new UsageError(`bad --timeout: ${values.timeout} (seconds, more than 0)`);
  return {
    sudo: values.sudo ?? false,
    // One snapshot and exit: parsing on this thread saves the parser thread's start and the copy of its result.
    inline: true,
    ...(values['names-root'] ? { namesRoot: values['names-root'] } : {}),
    ...(timeout !== undefined ? { deadlineMs: timeout * 1000 } : {}),
  };
}

/** The -o file, checked before anything is collected; null for standard output. */
function outputPath(values: Parsed['values']): string | null {
  if (!values.output || values.output === '-') return null;
  checkWritable(values.output);
  return values.output;
}

/** Fails before any collection when the output cannot be written, saying what to do. */
function checkWritable(path: string): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) throw new ProcscopeFailure({ kind: 'not-found', message: `Cannot write ${path}: the directory ${dir} does not exist.`, hint: `Create it (mkdir -p ${dir}) or give another path with -o.` });
  try {
    accessSync(dir, constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.W_OK);
  } catch {
    throw new ProcscopeFailure({ kind: 'permission-denied', message: `Cannot write ${path}: permission denied.`, hint: 'Give a path you may write with -o, or - for standard output.' });
  }
  if (existsSync(path) && statSync(path).isDirectory()) throw new ProcscopeFailure({ kind: 'not-found', message: `Cannot write ${path}: it is a directory.`, hint: 'Give a file name with -o.' });
}

async function containersCommand(positionals: string[], values: Parsed['values']): Promise<number> {
  if (positionals.length > 1) throw new UsageError(`one TARGET at most, got: ${positionals.join(' ')}`);
  const output = outputPath(values);
  const { collectSnapshot, openSession } = await engine();
  const session = await sessionFor(positionals, values, openSession);
  try {
    const snapshot = await collectSnapshot(session, collectOptionsFrom(values));
    const text = values.json ? JSON.stringify(snapshot.containers, null, 2) + '\n' : formatContainerTable(snapshot.containers);
    if (output) writeFileAtomically(output, text);
    else await writeStdout(text);
    return 0;
  } finally {
    session.close();
  }
}

/** The nodes of an inventory, as procscope would ask them. */
async function nodesCommand(positionals: string[], values: Parsed['values']): Promise<number> {
  if (positionals.length > 0) throw new UsageError('nodes takes no TARGET: give --inventory SRC');
  if (!values.inventory) throw new UsageError('nodes needs --inventory SRC (a file, ssh-config, ansible:PATH or kubectl)');
  const { fleetNodes, formatNodes } = await import('./fleet');
  const inv = await fleetNodes(fleetArgs(values, []));
  await writeStdout(values.json ? JSON.stringify(inv, null, 2) + '\n' : formatNodes(inv));
  reportLeftOut(inv);
  return 0;
}

/** A snapshot as JSON and a newline, piece by piece: one string of it all would cost tens of MB at 10,000 processes. */
function* jsonLines(snapshot: Snapshot, pretty: boolean): Generator<string> {
  yield* jsonChunks(snapshot, pretty ? 2 : 0);
  yield '\n';
}

/** The nodes a fleet command asks: --inventory (read through -F's ssh config), or the TARGETs. */
function fleetArgs(values: Parsed['values'], targets: string[]): FleetArgs {
  return { ...(values.inventory ? { inventory: values.inventory } : {}), targets, ...(values['ssh-config'] ? { sshConfigPath: values['ssh-config'] } : {}) };
}

/** The inventory entries left out, each with its reason, on standard error. */
function reportLeftOut(inv: Inventory): void {
  for (const p of inv.problems) process.stderr.write(`procscope: ${visibleText(inv.source)}${p.line ? ` line ${p.line}` : ''}: left out: ${visibleText(p.message)}\n`);
}

function fleetQueryFrom(values: Parsed['values']) {
  try {
    return queryFromFields(Object.fromEntries(QUERY_FIELDS.flatMap((f) => (values[f] === undefined ? [] : [[f, String(values[f])]]))));
  } catch (err) {
    if (err instanceof QueryError) throw new UsageError(err.message.replace(/^bad /, 'bad --'));
    throw err;
  }
}

/** Per-node deadline and parallelism of the fleet commands. */
function fleetBounds(values: Parsed['values']) {
  const parallel = values.parallel === undefined ? 16 : Number(values.parallel);
  if (!(Number.isInteger(parallel) && parallel > 0 && parallel <= 256)) throw new UsageError(`bad --parallel: ${values.parallel} (1 to 256)`);
  const timeout = values.timeout === undefined ? 60 : Number(values.timeout);
  if (!(timeout > 0)) throw new UsageError(`bad --timeout: ${values.timeout} (seconds, more than 0)`);
  return { parallel, timeout };
}

/** The connection options of a fleet command: no -p (a node's port comes from its inventory entry). */
function fleetOpenOptions(values: Parsed['values'], timeout: number): OpenOptions {
  const { port: _port, ...openOptions } = openOptionsFrom({ ...values, port: undefined });
  // The hosts of ssh-config:FILE are its aliases: they resolve through that file.
  const configInventory = values.inventory?.startsWith('ssh-config:') ? values.inventory.slice('ssh-config:'.length) : '';
  if (configInventory && !openOptions.sshConfigPath) openOptions.sshConfigPath = configInventory;
  // A node that never finishes its handshake is given up at its deadline, not ssh2's own 20 s later.
  openOptions.readyTimeoutMs = timeout * 1000;
  return openOptions;
}

/** snapshot --inventory SRC -o DIR: one NAME.json per node that answered. */
async function fleetSnapshotCommand(positionals: string[], values: Parsed['values']): Promise<number> {
  if (positionals.length > 0) throw new UsageError('give --inventory or a TARGET, not both');
  if (!values.output || values.output === '-') throw new UsageError('snapshot --inventory writes one file per node: -o DIR');
  const dir = values.output;
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${dir} is a file: give a directory with -o`);
  mkdirSync(dir, { recursive: true });
  const { parallel, timeout } = fleetBounds(values);
  const { fleetNodes, snapshotFleet, nodeFileName } = await import('./fleet');
  const inv = await fleetNodes(fleetArgs(values, []));
  reportLeftOut(inv);
  const result = await snapshotFleet(inv, {
    parallel,
    deadlineMs: timeout * 1000,
    openOptions: fleetOpenOptions(values, timeout),
    sudo: values.sudo ?? false,
    write: (node, snapshot) =>
      writeFileAtomically(join(dir, nodeFileName(node.name)), jsonLines(snapshot, values.pretty ?? false)),
    onNode: (line) => process.stderr.write(`procscope: ${line}\n`),
  });
  process.stderr.write(`procscope: ${result.written} of ${inv.nodes.length} nodes written to ${dir}; ${result.failed.length} failed\n`);
  return result.failed.length === 0 ? 0 : EXIT_FAILURE;
}

/** One question asked of every node: matches as nodes answer, then the nodes that failed; exit 1 unless all answered. */
async function findCommand(positionals: string[], values: Parsed['values']): Promise<number> {
  const { fleetNodes, findInFleet, matchLine } = await import('./fleet');
  const query = fleetQueryFrom(values);
  const { parallel, timeout } = fleetBounds(values);
  const inv = await fleetNodes(fleetArgs(values, positionals));
  reportLeftOut(inv);
  // -p is the SSH port for one TARGET; for find, --port is the question.
  const openOptions = fleetOpenOptions(values, timeout);
  const tty = process.stderr.isTTY === true && !values.json;
  const result = await findInFleet(inv, {
    query,
    parallel,
    deadlineMs: timeout * 1000,
    openOptions,
    sudo: values.sudo ?? false,
    onMatch: values.json ? undefined : (node, m) => process.stdout.write(`${tty ? '\r\x1b[K' : ''}${matchLine(node, m)}\n`),
    onProgress: tty ? (done, failed, total) => process.stderr.write(`\r\x1b[Kprocscope: ${done}/${total} nodes answered or failed (${failed} failed)`) : undefined,
  });
  if (tty) process.stderr.write('\r\x1b[K');
  if (values.json) await writeStdout(JSON.stringify({ query: queryJson(query), nodes: inv.nodes.length, ...result }, null, 2) + '\n');
  for (const f of result.failed) process.stderr.write(`procscope: ${visibleText(f.node)} (${visibleText(f.destination)}) failed: ${visibleText(f.error.message)}${f.error.hint ? ` ${visibleText(f.error.hint)}` : ''}\n`);
  process.stderr.write(`procscope: ${result.matches.length} matches on ${new Set(result.matches.map((m) => m.node)).size} of ${result.answered} nodes that answered; ${result.failed.length} of ${inv.nodes.length} failed\n`);
  return result.failed.length === 0 ? 0 : EXIT_FAILURE;
}

/** A snapshot every --every for --for, gzipped into -o DIR, its disk use bounded by --max-size. */
async function recordCommand(positionals: string[], values: Parsed['values']): Promise<number> {
  if (positionals.length > 1) throw new UsageError(`one TARGET at most, got: ${positionals.join(' ')}`);
  if (!values.output || values.output === '-') throw new UsageError('record needs a directory: -o DIR');
  const [{ parseDuration, parseSize, formatBytes }, { record }] = await Promise.all([import('../../shared/time/duration'), import('./record')]);
  const everySec = parseDuration(values.every ?? '30s');
  const forSec = parseDuration(values.for ?? '1h');
  const maxBytes = parseSize(values['max-size'] ?? '1G');
  if (everySec === null || everySec < 1) throw new UsageError(`bad --every: ${values.every} (a duration of 1s or more: 30s, 5m)`);
  if (forSec === null) throw new UsageError(`bad --for: ${values.for} (a duration: 2h, 90m)`);
  if (maxBytes === null) throw new UsageError(`bad --max-size: ${values['max-size']} (a size: 500M, 2G)`);
  const dir = values.output;
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ProcscopeFailure({ kind: 'not-found', message: `${dir} is a file; record writes a directory of snapshots.`, hint: 'Give a directory with -o (it is made if missing).' });
  const { collectSnapshot, openSession } = await engine();
  const options = collectOptionsFrom(values);
  const tty = process.stderr.isTTY === true;
  let transientShown = false;
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const result = await record({
    dir,
    everySec,
    forSec,
    maxBytes,
    open: () => sessionFor(positionals, values, openSession),
    collect: (session) => collectSnapshot(session, options),
    say: (line, transient) => {
      if (tty && transient) {
        process.stderr.write(`\r\x1b[K procscope: ${line}`);
        transientShown = true;
        return;
      }
      process.stderr.write(`${tty && transientShown ? '\n' : ''}procscope: ${line}\n`);
      transientShown = false;
    },
    stopped,
  });
  process.stderr.write(`${transientShown ? '\n' : ''}procscope: recorded ${result.written} snapshots (${result.failed} failed, ${result.removed} removed to stay within ${formatBytes(maxBytes)}); ${formatBytes(result.bytes)} in ${dir}\n`);
  return result.written > 0 ? 0 : EXIT_FAILURE;
}

/** What changed between two snapshot files (.json or .json.gz). */
async function diffCommand(positionals: string[], values: Parsed['values']): Promise<number> {
  if (positionals.length !== 2) throw new UsageError('diff takes two snapshot files: procscope diff BEFORE.json AFTER.json');
  const number = (name: 'threads' | 'rss', text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!(Number.isInteger(n) && n > 0)) throw new UsageError(`bad --${name}: ${text} (a whole number more than 0)`);
    return n;
  };
  const output = outputPath(values);
  const [{ diffSnapshots, DEFAULT_THRESHOLDS }, { formatDiff }, { readSnapshotFile }] = await Promise.all([import('../../shared/diff/diff'), import('../../shared/diff/format'), import('../engine/snapshot-file')]);
  const thresholds = { threads: number('threads', values.threads, DEFAULT_THRESHOLDS.threads), rssKb: number('rss', values.rss, DEFAULT_THRESHOLDS.rssKb / 1024) * 1024 };
  const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
  if (isDir(positionals[0]!) && isDir(positionals[1]!)) return diffDirectories(positionals[0]!, positionals[1]!, thresholds, values);
  const [before, after] = [readSnapshotFile(positionals[0]!), readSnapshotFile(positionals[1]!)];
  const diff = diffSnapshots(before, after, thresholds);
  const text = values.json ? JSON.stringify(diff, null, values.pretty ? 2 : undefined) + '\n' : formatDiff(diff);
  if (output) writeFileAtomically(output, text);
  else await writeStdout(text);
  const s = diff.summary;
  const changed = Object.values(s).some((n) => n > 0);
  return values['exit-code'] && changed ? 1 : 0;
}

/** Two directories of per-node snapshots (snapshot --inventory -o DIR): what changed, node by node. */
async function diffDirectories(a: string, b: string, thresholds: { threads: number; rssKb: number }, values: Parsed['values']): Promise<number> {
  const [{ diffSnapshots }, { formatDiff }, { readSnapshotFile }, { readdirSync }] = await Promise.all([import('../../shared/diff/diff'), import('../../shared/diff/format'), import('../engine/snapshot-file'), import('node:fs')]);
  const snapshots = (dir: string) => new Set(readdirSync(dir).filter((f) => /\.json(\.gz)?$/.test(f) && !f.startsWith('.')));
  const [left, right] = [snapshots(a), snapshots(b)];
  const names = [...new Set([...left, ...right])].sort();
  const out: string[] = [];
  const json: Record<string, unknown> = {};
  let changed = false;
  for (const name of names) {
    const node = name.replace(/\.json(\.gz)?$/, '');
    if (!left.has(name) || !right.has(name)) {
      changed = true;
      const where = left.has(name) ? a : b;
      out.push(`=== ${visibleText(node)}: only in ${where}`);
      json[node] = { onlyIn: where };
      continue;
    }
    const d = diffSnapshots(readSnapshotFile(join(a, name)), readSnapshotFile(join(b, name)), thresholds);
    if (Object.values(d.summary).some((n) => n > 0)) changed = true;
    out.push(`=== ${visibleText(node)}`, formatDiff(d));
    json[node] = d;
  }
  const text = values.json ? JSON.stringify({ nodes: json }, null, values.pretty ? 2 : undefined) + '\n' : out.join('\n') + '\n';
  const output = outputPath(values);
  if (output) writeFileAtomically(output, text);
  else await writeStdout(text);
  return values['exit-code'] && changed ? 1 : 0;
}

/** Where TARGET leads, as a connection would take it, without connecting. */
async function resolveCommand(positionals: string[], values: Parsed['values']): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('resolve takes one TARGET');
  const [{ resolveDestination }, { describeRoute }, { userInfo }] = await Promise.all([import('../engine/ssh/resolve'), import('../../shared/ssh/route'), import('node:os')]);
  const host = await resolveDestination(positionals[0]!, openOptionsFrom(values));
  await writeStdout(values.json ? JSON.stringify(host, null, 2) + '\n' : visibleText(describeRoute(host, userInfo().homedir)) + '\n');
  return 0;
}

/** procscope signal / renice: what each pid is now, a question, the action where the pid is still that process. */
async function actCommand(command: 'signal' | 'renice', positionals: string[], values: Parsed['values']): Promise<number> {
  const [{ parseActArgs, runAct }, { actOnProcesses, lookAtProcess }, { logActions }, { defaultConfigDir }] = await Promise.all([
    import('./act'),
    import('../engine/act'),
    import('../app/action-log'),
    import('../app/stores'),
  ]);
  let args;
  try {
    args = parseActArgs(command, positionals);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { openSession } = await engine();
  const session = await sessionFor(args.target === undefined ? [] : [args.target], values, openSession);
  const sudo = values.sudo ?? false;
  try {
    return await runAct(session, args, values.yes ?? false, {
      look: (s, pid) => lookAtProcess(s, pid, { sudo }),
      act: (s, targets, action) => actOnProcesses(s, targets, action, { sudo }),
      confirm: process.stdin.isTTY ? (question) => askYesNo(`procscope: ${question}`) : null,
      say: (line) => process.stderr.write(`procscope: ${line}\n`),
      log: (results) => logActions(defaultConfigDir(), session.target, args.action, results, { sudo, by: 'cli' }),
    });
  } catch (err) {
    if (err instanceof Error && /^not on a terminal/.test(err.message)) throw new UsageError(err.message);
    throw err;
  } finally {
    session.close();
  }
}

async function serveCommand(positionals: string[], values: Parsed['values']): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`serve takes no TARGET; connect from the app`);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) throw new UsageError(`bad port: ${values.port}`);
  const { parallel, timeout } = fleetBounds(values);
  // The server, the service and their dependencies load only for this command.
  const [{ startServer }, { defaultConfigDir }, { parseDuration }, { launchDir, writeLaunchFile }] = await Promise.all([
    import('../serve/server'),
    import('../app/stores'),
    import('../../shared/time/duration'),
    import('../serve/launch-file'),
  ]);
  const idleSec = values.idle === undefined ? undefined : parseDuration(values.idle);
  if (idleSec === null) throw new UsageError(`bad --idle: ${values.idle} (a duration: 30s, 2m)`);
  const idleMs = idleSec === undefined ? undefined : idleSec * 1000;
  let launch: ReturnType<typeof writeLaunchFile> | null = null;
  const server = await startServer({
    port,
    fleetLimits: { parallel, deadlineMs: timeout * 1000, ...(idleMs ? { idleMs } : {}) },
    staticDir: join(__dirname, '..', '..', 'renderer'),
    configDir: defaultConfigDir(),
    ...(values['known-hosts'] ? { knownHostsFile: values['known-hosts'] } : {}),
    ...(values['ssh-config'] ? { sshConfigPath: values['ssh-config'] } : {}),
    ...(values['names-root'] ? { namesRoot: values['names-root'] } : {}),
    // The page may ask for a command node; the command runs only when the person at this terminal types its code back.
    approveCommand: async (approval) => {
      if (!process.stdin.isTTY) {
        process.stderr.write(`procscope: refused to run ${visibleText(approval.command)} to ${visibleText(approval.purpose)}: no terminal to ask for approval.\n`);
        return false;
      }
      return askApproval(approval);
    },
    onNewUrl: (url) => {
      launch?.update(url);
      process.stdout.write(`procscope: a page opened the app. For another page, open ${launch?.url} again: it now holds a new one-time key.\n`);
    },
  });
  try {
    launch = writeLaunchFile(launchDir(defaultConfigDir()), server.port, server.url);
  } catch (err) {
    await server.close();
    throw err;
  }
  // A bad request must never end the server and every node connection with it: report and stay up.
  process.on('unhandledRejection', (err) => process.stderr.write(`procscope: ${String((err as Error)?.stack ?? err).split('\n').map(visibleText).join('\n')}\n`));
  // The token goes into a file only this user reads, never into a command line another user could read it from.
  process.stdout.write(
    `procscope: serving the app on http://127.0.0.1:${server.port}/\n` +
      `Open ${launch.url} in a browser on this machine: it lets one page in, with a one-time key no other user here can read. Press Ctrl-C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  launch.remove();
  await server.close();
  return 0;
}

let stdoutGuarded = false;

/** Writes to standard output however slowly it is read; a reader that went away (| head) ends it quietly. */
/** Writes the pieces to standard output, one after another; a reader that closed early is no error. Returns the bytes written. */
async function writeStdout(pieces: string | Iterable<string>): Promise<number> {
  // The stream reports a closed reader twice, to the callback and as an event: the event must not crash us.
  if (!stdoutGuarded) process.stdout.on('error', () => {});
  stdoutGuarded = true;
  let bytes = 0;
  for (const piece of typeof pieces === 'string' ? [pieces] : pieces) {
    const closed = await new Promise<boolean>((resolve, reject) => {
      process.stdout.write(piece, (err) => {
        if (!err) resolve(false);
        else if ((err as NodeJS.ErrnoException).code === 'EPIPE') resolve(true);
        else reject(err);
      });
    });
    if (closed) break;
    bytes += Buffer.byteLength(piece);
  }
  return bytes;
}

type Command = (positionals: string[], values: Parsed['values']) => Promise<number>;

/** The commands, by name; each loads what it needs when it runs. */
const COMMANDS: Record<string, Command> = {
  snapshot: snapshotCommand,
  containers: containersCommand,
  ps: psCommand,
  resolve: resolveCommand,
  diff: diffCommand,
  record: recordCommand,
  nodes: nodesCommand,
  find: findCommand,
  serve: serveCommand,
  signal: (rest, values) => actCommand('signal', rest, values),
  renice: (rest, values) => actCommand('renice', rest, values),
};

/** A one-line message of our own, and the usage of the command it was for. */
function usageMessage(err: Error & { code?: string }, command: string | undefined): string {
  const option = /'(-[^']*)'/.exec(err.message)?.[1];
  const what =
    err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option ? `unknown option ${option}`
    : err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option ? `option ${option} needs a value`
    : err.message.split('\n')[0]!;
  const usage = (command && USAGE[command]) ?? HELP.split('\n\n')[1]! + '\n';
  return `procscope: ${what}\n${usage.split('\n\n')[0]}\nTry 'procscope ${command && USAGE[command] ? `${command} ` : ''}--help'.\n`;
}

/** `renice web-1 4242 -5`: a negative nice value is the command's last word, not an option. */
function withNegativeNice(argv: string[]): string[] {
  if (argv[0] !== 'renice' || argv.includes('--')) return argv;
  const negative = argv.filter((a) => /^-\d+$/.test(a));
  return negative.length ? [...argv.filter((a) => !/^-\d+$/.test(a)), '--', ...negative] : argv;
}

export async function main(argv: string[]): Promise<number> {
  let parsed: Parsed;
  const command0 = argv.find((a) => !a.startsWith('-'));
  try {
    parsed = parse(withNegativeNice(argv));
  } catch (err) {
    process.stderr.write(usageMessage(err as Error, command0));
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write((positionals[0] && USAGE[positionals[0]]) ?? HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`procscope ${require('../../../package.json').version}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  try {
    const run = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (run) return await run(rest, values);
    if (command !== undefined) throw new UsageError(`unknown command: ${command}`);
    process.stdout.write(HELP);
    return EXIT_USAGE;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(usageMessage(err, command));
      return EXIT_USAGE;
    }
    const error: ProcscopeError = toProcscopeError(err);
    // Messages carry text from the node (its stderr, names): nothing in them may drive the terminal.
    process.stderr.write(`procscope: ${formatError(error).split('\n').map(visibleText).join('\n')}\n`);
    return EXIT_FAILURE;
  }
}
