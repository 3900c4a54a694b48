/** A node to run the collector on: this machine through /bin/sh, or an SSH connection. */
import { spawn } from 'node:child_process';
import type { Client } from 'ssh2';
import { ProcscopeFailure } from '../../shared/errors';
import { PersistentShell, closeQuietlyAfter, sshShellChannel } from './persistent-shell';
import { REPLY_LIMIT, type RunBounds, runClock, tooLarge } from './run-limits';
import type { SshConnection } from './ssh/connect';

export interface ScriptResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

export interface RunOptions extends RunBounds {
  /** run under `sudo -n` */
  sudo?: boolean;
  /** bytes of stdout received so far */
  onProgress?: (bytes: number) => void;
  /** each piece of stdout as it arrives, for a reader that starts before the reply ends */
  onChunk?: (chunk: Buffer) => void;
  /** the bytes that end the script's reply: with it, an SSH session runs the script in its persistent shell */
  endMarker?: Buffer;
  /** most bytes of output accepted before the run is stopped (default REPLY_LIMIT) */
  maxBytes?: number;
  /**
   * 'side': beside whatever runs now (a live refresh during a full read), on a second persistent shell over SSH.
   * Only where the session says it is `concurrent`.
   */
  lane?: 'side';
}

export interface NodeSession {
  /** "local" or "user@host:port" */
  readonly target: string;
  /** Runs a POSIX sh script fed on stdin; the command line itself is fixed and holds no data. */
  runScript(script: string, options?: RunOptions): Promise<ScriptResult>;
  /**
   * Whether a full snapshot's reply is gzipped on the node (default: over SSH, yes). Not on a loopback
   * connection: ssh2 moves 100+ MB/s there, and gzip costs the node as much time as it saves.
   */
  readonly compressFull?: boolean;
  /** whether a script can run on the 'side' lane while another runs (not through a command's one shell) */
  readonly concurrent?: boolean;
  /** false once the connection dropped: open a new session */
  isOpen(): boolean;
  close(): void;
}

const SH = ['/bin/sh', '-s'];
const SUDO_SH = ['sudo', '-n', ...SH];

/**
 * Gathers a run's output up to the reply limit (stdout and stderr together). Past it, or past the deadline, it
 * calls `kill` once and `failure()` says why; the caller rejects with it when the run closes.
 */
function collectStreams(
  stdout: NodeJS.ReadableStream,
  stderr: NodeJS.ReadableStream,
  options: RunOptions,
  where: string,
  kill: () => void,
): { out: Buffer[]; err: Buffer[]; failure(): ProcscopeFailure | null; done(): void } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const limit = options.maxBytes ?? REPLY_LIMIT;
  let bytes = 0;
  let failure: ProcscopeFailure | null = null;
  const halt = (why: ProcscopeFailure) => {
    if (failure) return;
    failure = why;
    kill();
  };
  const clock = runClock(where, options, halt);
  const take = (list: Buffer[]) => (b: Buffer) => {
    if (failure) return;
    bytes += b.length;
    clock.heard(bytes);
    if (bytes > limit) return halt(tooLarge(where, limit));
    list.push(b);
    if (list !== out) return;
    options.onProgress?.(bytes);
    options.onChunk?.(b);
  };
  stdout.on('data', take(out));
  stderr.on('data', take(err));
  return { out, err, failure: () => failure, done: () => clock.stop() };
}

/** How a run ended: its output, or why it was stopped. */
function settleRun(streams: ReturnType<typeof collectStreams>, code: number | null, resolve: (r: ScriptResult) => void, reject: (e: Error) => void): void {
  streams.done();
  const failure = streams.failure();
  if (failure) reject(failure);
  else resolve({ stdout: Buffer.concat(streams.out), stderr: Buffer.concat(streams.err).toString('utf8'), code });
}

/** This machine. `shell` replaces /bin/sh (tests run the collector under dash, busybox ash and bash). */
export function localSession(shell: string[] = SH): NodeSession {
  return {
    target: 'local',
    concurrent: true,
    runScript(script, options = {}) {
      const [cmd, ...args] = options.sudo ? ['sudo', '-n', ...shell] : shell;
      return new Promise((resolve, reject) => {
        const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
        const streams = collectStreams(child.stdout, child.stderr, options, 'local', () => child.kill('SIGKILL'));
        child.on('error', (e) => reject(new ProcscopeFailure({ kind: 'not-found', message: `Cannot run ${cmd}: ${e.message}` })));
        child.on('close', (code) => settleRun(streams, code, resolve, reject));
        child.stdin.on('error', () => {});
        child.stdin.end(script);
      });
    },
    isOpen: () => true,
    close() {},
  };
}

function exec(client: Client, command: string, script: string, options: RunOptions, where: string): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, channel) => {
      if (err) {
        reject(new ProcscopeFailure({ kind: 'connection', message: `${where} refused to run a command: ${err.message}` }));
        return;
      }
      closeQuietlyAfter(client, channel);
      const streams = collectStreams(channel, channel.stderr, options, where, () => channel.destroy());
      let code: number | null = null;
      channel.on('exit', (c: number | null) => (code = c));
      channel.on('close', () => settleRun(streams, code, resolve, reject));
      channel.end(script);
    });
  });
}

/** 127.0.0.0/8, ::1 and localhost: this machine, whatever the port. */
export function isLoopback(host: string): boolean {
  return /^127(?:\.\d{1,3}){3}$/.test(host) || host === '::1' || host === '[::1]' || host.toLowerCase() === 'localhost';
}

/** A login shell slower than this to start is named in the connection log: its rc files, most likely. */
export const SLOW_SHELL_MS = 3000;

/** The connection log's line for a shell that took `ms` to start. */
export function shellStartLine(command: string, ms: number): string {
  const s = (ms / 1000).toFixed(1);
  return ms >= SLOW_SHELL_MS
    ? `The login shell took ${s} s to start ${command}: its rc files (~/.bashrc, /etc/profile: pyenv or conda init?) run before every new shell; procscope opens one per connection, so this is paid once.`
    : `The shell on the node answered in ${s} s.`;
}

export function sshSession(connection: SshConnection, target: string, log?: (line: string) => void): NodeSession {
  let lost: Error | null = null;
  connection.client.on('error', (e) => (lost = e));
  connection.client.on('close', () => (lost ??= new Error('connection closed')));
  /** a persistent shell per command and lane, opened on first need */
  const shells = new Map<string, PersistentShell>();
  const shellFor = (command: string, lane: 'main' | 'side') => {
    const key = `${lane} ${command}`;
    let shell = shells.get(key);
    if (!shell) shells.set(key, (shell = new PersistentShell(sshShellChannel(connection.client, command, target), target, log && ((ms) => log(shellStartLine(command, ms))))));
    return shell;
  };
  return {
    target,
    concurrent: true,
    compressFull: connection.jumps.length > 0 || !isLoopback(connection.host.host),
    async runScript(script, options = {}) {
      if (lost) throw new ProcscopeFailure({ kind: 'connection', message: `The connection to ${target} is lost: ${lost.message}`, hint: 'Reconnect.' });
      const command = (options.sudo ? SUDO_SH : SH).join(' ');
      if (options.endMarker) return shellFor(command, options.lane ?? 'main').run(script, options.endMarker, options);
      return exec(connection.client, command, script, options, target);
    },
    isOpen: () => lost === null,
    close() {
      lost ??= new Error('closed');
      // The channels first: ssh2 fails if a compressed channel closes after its connection.
      void Promise.all([...shells.values()].map((s) => s.close()))
        .then(() => connection.close())
        .catch(() => {});
    },
  };
}
