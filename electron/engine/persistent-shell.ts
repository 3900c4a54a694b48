/**
 * One long-lived `sh -s` on the node per connection: each script is written to its stdin and its reply read
 * up to the script's own end marker. A refresh then costs no new SSH channel, no login shell, no rc files.
 * If the shell goes away, the next script opens a new one. The shell is reached through a channel: an SSH exec
 * channel (sshShellChannel), or the stdin and stdout of a local command (command-session.ts).
 */
import type { Client } from 'ssh2';
import { ProcscopeFailure } from '../../shared/errors';
import { REPLY_LIMIT, runClock, tooLarge } from './run-limits';
import type { RunOptions, ScriptResult } from './session';

/** What the persistent shell needs of a channel to a shell: ssh2's ClientChannel has it, a child process is adapted to it. */
export interface ShellChannel {
  on(event: 'data', listener: (b: Buffer) => void): unknown;
  on(event: 'exit', listener: (code: number | null) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  once(event: 'close', listener: () => void): unknown;
  stderr: { on(event: 'data', listener: (b: Buffer) => void): unknown };
  write(text: string): unknown;
  end(): unknown;
  destroy(): unknown;
}

/**
 * Once the connection is gone, ssh2 still closes each channel when its stream ends (a tick later), and on a
 * compressed connection that write throws "Invalid Zlib instance" out of an event: nothing is left to tell the
 * node, so the channel's close becomes a no-op.
 */
export function closeQuietlyAfter(client: Client, channel: object): void {
  const quiet = () => {
    (channel as { close(): void }).close = () => {};
  };
  client.once('close', quiet);
  (channel as { once(e: 'close', l: () => void): unknown }).once('close', () => client.off('close', quiet));
}

/** An exec channel running `command` on an SSH connection. */
export function sshShellChannel(client: Client, command: string, where: string): () => Promise<ShellChannel> {
  return () =>
    new Promise<ShellChannel>((resolve, reject) => {
      client.exec(command, (err, channel) => {
        if (err) return reject(new ProcscopeFailure({ kind: 'connection', message: `${where} refused to run a command: ${err.message}` }));
        closeQuietlyAfter(client, channel);
        resolve(channel as unknown as ShellChannel);
      });
    });
}

/** The last `n` bytes of `before` followed by `chunk`, copying at most 2n bytes however long the chunk. */
export function lastBytes(before: Buffer, chunk: Buffer, n: number): Buffer {
  return Buffer.concat([before, chunk.subarray(-n)]).subarray(-n);
}

interface Pending {
  marker: Buffer;
  /** the last marker.length bytes received, however they were chunked */
  tail: Buffer;
  out: Buffer[];
  outBytes: number;
  err: Buffer[];
  limit: number;
  clock: ReturnType<typeof runClock>;
  onProgress?: (bytes: number) => void;
  onChunk?: (chunk: Buffer) => void;
  resolve(result: ScriptResult): void;
  reject(err: Error): void;
}

export class PersistentShell {
  private channel: ShellChannel | null = null;
  private opening: Promise<ShellChannel> | null = null;
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private exitCode: number | null = null;

  /** when the channel opened, until its first byte came: how long the node's shell took to start */
  private openedAt: number | null = null;

  constructor(
    private readonly openChannel: () => Promise<ShellChannel>,
    private readonly where: string,
    /** told, once per shell, how long it took from the channel's request to the shell's first byte */
    private readonly onStarted?: (ms: number) => void,
  ) {}

  private open(): Promise<ShellChannel> {
    if (this.channel) return Promise.resolve(this.channel);
    if (!this.opening) this.openedAt = performance.now();
    this.opening ??= this.openChannel().then(
      (channel) => {
        this.opening = null;
        this.channel = channel;
        this.exitCode = null;
        channel.on('data', (b: Buffer) => this.onData(b));
        channel.stderr.on('data', (b: Buffer) => {
          const p = this.pending;
          if (!p) return;
          p.err.push(b);
          p.outBytes += b.length;
          p.clock.heard(p.outBytes);
          if (p.outBytes > p.limit) this.abort(tooLarge(this.where, p.limit));
        });
        channel.on('exit', (code: number | null) => (this.exitCode = code));
        channel.on('close', () => {
          if (this.channel === channel) this.channel = null;
          this.finish();
        });
        return channel;
      },
      (err: unknown) => {
        this.opening = null;
        throw err;
      },
    );
    return this.opening;
  }

  private onData(b: Buffer): void {
    if (this.openedAt !== null) {
      this.onStarted?.(performance.now() - this.openedAt);
      this.openedAt = null;
    }
    const p = this.pending;
    if (!p) return;
    p.out.push(b);
    p.outBytes += b.length;
    p.clock.heard(p.outBytes);
    if (p.outBytes > p.limit) return this.abort(tooLarge(this.where, p.limit));
    p.onProgress?.(p.outBytes);
    p.onChunk?.(b);
    // Is the marker at the end? Keep just enough of the tail, whatever the chunk sizes.
    p.tail = lastBytes(p.tail, b, p.marker.length);
    if (p.tail.equals(p.marker)) this.finish();
  }

  /** Fails the running script and drops the shell: whatever it still prints must not reach the next script. */
  private abort(err: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    p.clock.stop();
    const channel = this.channel;
    this.channel = null;
    channel?.destroy();
    p.reject(err);
  }

  private finish(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    p.clock.stop();
    p.resolve({ stdout: Buffer.concat(p.out), stderr: Buffer.concat(p.err).toString('utf8'), code: this.channel ? 0 : this.exitCode });
  }

  /** Runs scripts one at a time; resolves when the reply ends with `marker`, or the shell closes. */
  run(script: string, marker: Buffer, options: RunOptions = {}): Promise<ScriptResult> {
    const next = this.queue.then(async () => {
      const channel = await this.open();
      return new Promise<ScriptResult>((resolve, reject) => {
        const clock = runClock(this.where, options, (why) => this.abort(why));
        const { onProgress, onChunk } = options;
        this.pending = { marker, tail: Buffer.alloc(0), out: [], outBytes: 0, err: [], limit: options.maxBytes ?? REPLY_LIMIT, clock, ...(onProgress ? { onProgress } : {}), ...(onChunk ? { onChunk } : {}), resolve, reject };
        channel.write(script);
      });
    });
    this.queue = next.catch(() => {});
    return next;
  }

  /** Ends the shell; resolves when its channel is closed (or after a second). */
  close(): Promise<void> {
    const channel = this.channel;
    this.channel = null;
    if (!channel) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 1000);
      channel.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        channel.end();
      } catch {
        // The connection went first (its compression state is gone: ssh2 throws "Invalid Zlib instance"): closed already.
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
