/** What the verbs share: the connection to a node, the read's options, writing the output, the fleet's bounds. */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ProcscopeFailure } from '../../shared/errors';
import { QUERY_FIELDS, QueryError, queryFromFields } from '../../shared/fleet/query-text';
import type { Inventory } from '../../shared/fleet/inventory';
import { jsonChunks } from '../../shared/snapshot/json';
import type { Snapshot } from '../../shared/snapshot/types';
import { visibleText } from '../../shared/visible';
import type { OpenOptions } from '../engine/open';
import type { NodeSession } from '../engine/session';
import type { FleetArgs } from './fleet';
import { askHidden } from './prompt';
import { type LOGIN_OPTIONS, type NODE_OPTIONS, type OUTPUT_OPTION, type READ_OPTIONS, type SSH_OPTIONS, UsageError, type Values } from './verb';

type SshValues = Values<typeof SSH_OPTIONS>;
type NodeValues = Values<typeof NODE_OPTIONS>;
type ReadValues = Values<typeof READ_OPTIONS>;

export function openOptionsFrom(values: SshValues): OpenOptions {
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

/** The node the command line names: TARGET over SSH (or this machine), or --via COMMAND's shell. */
export async function sessionFor(positionals: string[], values: NodeValues): Promise<NodeSession> {
  if (values.via === undefined) {
    const { openSession } = await import('../engine/open');
    return openSession(positionals[0], openOptionsFrom(values));
  }
  if (positionals.length > 0) throw new UsageError(`--via takes the place of TARGET: give one or the other, not ${positionals[0]} too`);
  if (values.via.trim() === '') throw new UsageError('--via needs a command, as in --via \'ssh -T web-1 sh\'');
  const { commandSession } = await import('../engine/command-session');
  return commandSession(values.via, { sudo: values.sudo ?? false });
}

export function atMostOneTarget(positionals: string[]): void {
  if (positionals.length > 1) throw new UsageError(`one TARGET at most, got: ${positionals.join(' ')}`);
}

export function collectOptionsFrom(values: ReadValues) {
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
export function outputPath(values: Values<typeof OUTPUT_OPTION>): string | null {
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

let stdoutGuarded = false;

/** Writes the pieces to standard output, one after another; a reader that closed early (| head) is no error. Returns the bytes written. */
export async function writeStdout(pieces: string | Iterable<string>): Promise<number> {
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

/** A snapshot as JSON and a newline, piece by piece: one string of it all would cost tens of MB at 10,000 processes. */
export function* jsonLines(snapshot: Snapshot, pretty: boolean): Generator<string> {
  yield* jsonChunks(snapshot, pretty ? 2 : 0);
  yield '\n';
}

/** The nodes a fleet command asks: --inventory (read through -F's ssh config), or the TARGETs. */
export function fleetArgs(values: { inventory?: string; 'ssh-config'?: string }, targets: string[]): FleetArgs {
  return { ...(values.inventory ? { inventory: values.inventory } : {}), targets, ...(values['ssh-config'] ? { sshConfigPath: values['ssh-config'] } : {}) };
}

/** The inventory entries left out, each with its reason, on standard error. */
export function reportLeftOut(inv: Inventory): void {
  for (const p of inv.problems) process.stderr.write(`procscope: ${visibleText(inv.source)}${p.line ? ` line ${p.line}` : ''}: left out: ${visibleText(p.message)}\n`);
}

export function fleetQueryFrom(values: Partial<Record<(typeof QUERY_FIELDS)[number], string>>) {
  try {
    return queryFromFields(Object.fromEntries(QUERY_FIELDS.flatMap((f) => (values[f] === undefined ? [] : [[f, String(values[f])]]))));
  } catch (err) {
    if (err instanceof QueryError) throw new UsageError(err.message.replace(/^bad /, 'bad --'));
    throw err;
  }
}

/** Per-node deadline and parallelism of the fleet commands. */
export function fleetBounds(values: { parallel?: string; timeout?: string }) {
  const parallel = values.parallel === undefined ? 16 : Number(values.parallel);
  if (!(Number.isInteger(parallel) && parallel > 0 && parallel <= 256)) throw new UsageError(`bad --parallel: ${values.parallel} (1 to 256)`);
  const timeout = values.timeout === undefined ? 60 : Number(values.timeout);
  if (!(timeout > 0)) throw new UsageError(`bad --timeout: ${values.timeout} (seconds, more than 0)`);
  return { parallel, timeout };
}

/** The connection options of a fleet command: no -p (a node's port comes from its inventory entry). */
export function fleetOpenOptions(values: Values<typeof LOGIN_OPTIONS> & { inventory?: string }, timeout: number): OpenOptions {
  const { port: _port, ...openOptions } = openOptionsFrom({ ...values, port: undefined });
  // The hosts of ssh-config:FILE are its aliases: they resolve through that file.
  const configInventory = values.inventory?.startsWith('ssh-config:') ? values.inventory.slice('ssh-config:'.length) : '';
  if (configInventory && !openOptions.sshConfigPath) openOptions.sshConfigPath = configInventory;
  // A node that never finishes its handshake is given up at its deadline, not ssh2's own 20 s later.
  openOptions.readyTimeoutMs = timeout * 1000;
  return openOptions;
}
