/** The procscope command line: `procscope snapshot [TARGET]` and friends. */
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfigDir } from '../app/stores';
import { startServer } from '../serve/server';
import { parseArgs } from 'node:util';
import { type ProcscopeError, formatError, toProcscopeError } from '../../shared/errors';
import { schemaErrors } from '../../shared/snapshot/validate';
import { collectSnapshot } from '../engine/collect';
import { type OpenOptions, openSession } from '../engine/open';
import { askHidden } from './prompt';
import { formatContainerTable } from '../../shared/containers/summary';

const HELP = `procscope: look inside a Linux node over SSH.

Usage:
  procscope snapshot [TARGET] [options]   write a process snapshot (procscope.snapshot/v1 JSON)
  procscope containers [TARGET] [options] list the node's containers: id, runtime, pod/name, init pid, pid count
  procscope serve [--port N]              serve the app to a browser on this machine (loopback only, with a token)
  procscope --help | --version

TARGET is "local" (the default: this machine, through /bin/sh), or an SSH
destination [user@]host[:port], or a Host alias from ~/.ssh/config.

Options (as OpenSSH's):
  -o, --output FILE        write the JSON to FILE instead of standard output
  -p, --port PORT          SSH port
  -l, --login USER         user to log in as
  -i, --identity FILE      private key (repeatable); a passphrase is asked for, or read from $PROCSCOPE_PASSPHRASE
  -J, --jump HOSTS         jump hosts, comma-separated [user@]host[:port] (ProxyJump)
  -F, --ssh-config FILE    ssh config file (default ~/.ssh/config)
      --known-hosts FILE   known_hosts file (default ~/.ssh/known_hosts)
      --accept-new         accept and record the host key of a host not yet known (never a changed one)
      --sudo               run the collector under "sudo -n" to see every process's fds
      --no-agent           do not use ssh-agent ($SSH_AUTH_SOCK)
      --pretty             indent the JSON
      --json               (containers) print the containers as JSON instead of a table
      --names-root DIR     read container name files (run/containerd, var/log/pods, var/lib/docker) under DIR

Passwords are asked on the terminal, or read from $PROCSCOPE_PASSWORD.
A snapshot with per-process errors (a process that exited, an fd table it may not read) still exits 0;
exit 1 means no snapshot (the message says why and how to fix it), 2 a usage error.
`;

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
      'known-hosts': { type: 'string' },
      'accept-new': { type: 'boolean' },
      sudo: { type: 'boolean' },
      'no-agent': { type: 'boolean' },
      pretty: { type: 'boolean' },
      json: { type: 'boolean' },
      'names-root': { type: 'string' },
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
    askSecret: async (req) =>
      interactive ? askHidden(req.kind === 'password' ? `${req.subject}'s password: ` : `Enter passphrase for key '${req.subject}': `) : null,
    onUnknownKey: async (key) => {
      if (values['accept-new']) {
        process.stderr.write(`procscope: permanently added ${key.host} (${key.keyType} ${key.fingerprint}) to the known hosts.\n`);
        return 'accept-always';
      }
      return 'reject';
    },
  };
}

class UsageError extends Error {}

async function snapshotCommand(positionals: string[], values: Parsed['values']): Promise<number> {
  if (positionals.length > 1) throw new UsageError(`one TARGET at most, got: ${positionals.join(' ')}`);
  const session = await openSession(positionals[0], openOptionsFrom(values));
  try {
    const snapshot = await collectSnapshot(session, collectOptionsFrom(values));
    const problems = schemaErrors(snapshot);
    if (problems.length > 0) process.stderr.write(`procscope: warning: this snapshot does not match the schema (a bug; please report it): ${problems.join('; ')}\n`);
    const json = JSON.stringify(snapshot, null, values.pretty ? 2 : undefined) + '\n';
    if (values.output && values.output !== '-') writeFileSync(values.output, json);
    else await writeStdout(json);
    const s = snapshot;
    process.stderr.write(
      `procscope: ${s.node.hostname} (${s.node.target}): ${s.processes.length} processes, ${s.sockets.length} sockets, ` +
        `${s.namespaces.length} namespaces, ${s.errors.length} errors, ${Buffer.byteLength(json)} bytes, ${s.node.durationMs} ms` +
        `${values.output && values.output !== '-' ? ` -> ${values.output}` : ''}\n`,
    );
    return 0;
  } finally {
    session.close();
  }
}

function collectOptionsFrom(values: Parsed['values']) {
  return { sudo: values.sudo ?? false, ...(values['names-root'] ? { namesRoot: values['names-root'] } : {}) };
}

async function containersCommand(positionals: string[], values: Parsed['values']): Promise<number> {
  if (positionals.length > 1) throw new UsageError(`one TARGET at most, got: ${positionals.join(' ')}`);
  const session = await openSession(positionals[0], openOptionsFrom(values));
  try {
    const snapshot = await collectSnapshot(session, collectOptionsFrom(values));
    const text = values.json ? JSON.stringify(snapshot.containers, null, 2) + '\n' : formatContainerTable(snapshot.containers);
    if (values.output && values.output !== '-') writeFileSync(values.output, text);
    else await writeStdout(text);
    return 0;
  } finally {
    session.close();
  }
}

async function serveCommand(positionals: string[], values: Parsed['values']): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`serve takes no TARGET; connect from the app`);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) throw new UsageError(`bad port: ${values.port}`);
  const server = await startServer({
    port,
    staticDir: join(__dirname, '..', '..', 'renderer'),
    configDir: defaultConfigDir(),
    ...(values['known-hosts'] ? { knownHostsFile: values['known-hosts'] } : {}),
    ...(values['ssh-config'] ? { sshConfigPath: values['ssh-config'] } : {}),
    ...(values['names-root'] ? { namesRoot: values['names-root'] } : {}),
  });
  process.stdout.write(`procscope: serving the app at ${server.url}\nOpen it in a browser on this machine. Press Ctrl-C to stop.\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = process.stdout.fd === 1 ? createWriteStream('', { fd: 1, autoClose: false }) : process.stdout;
    out.on('error', reject);
    out.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

export async function main(argv: string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(`procscope: ${(err as Error).message}\nTry 'procscope --help'.\n`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`procscope ${require('../../../package.json').version}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  try {
    switch (command) {
      case 'snapshot':
        return await snapshotCommand(rest, values);
      case 'containers':
        return await containersCommand(rest, values);
      case 'serve':
        return await serveCommand(rest, values);
      case undefined:
        process.stdout.write(HELP);
        return EXIT_USAGE;
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`procscope: ${err.message}\nTry 'procscope --help'.\n`);
      return EXIT_USAGE;
    }
    const error: ProcscopeError = toProcscopeError(err);
    process.stderr.write(`procscope: ${formatError(error)}\n`);
    return EXIT_FAILURE;
  }
}
