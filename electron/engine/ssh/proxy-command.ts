/**
 * ProxyCommand, as ssh runs it: `$SHELL -c "exec COMMAND"` (tokens already expanded), its stdin and stdout the
 * connection's byte stream, its stderr the connection log; SIGHUP when the connection ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import type { ProcscopeError } from '../../../shared/errors';
import { visibleText } from '../../../shared/visible';

const STDERR_LINES_KEPT = 20;

export class ProxyStream extends Duplex {
  private ended: { code: number | null; signal: NodeJS.Signals | null; spawnError?: string } | null = null;
  private readonly stderrTail: string[] = [];

  constructor(
    private readonly child: ChildProcess,
    private readonly command: string,
    private readonly alias: string,
    log?: (line: string) => void,
  ) {
    super();
    child.stdout!.on('data', (b: Buffer) => {
      if (!this.push(b)) child.stdout!.pause();
    });
    // Its stdin closes when it exits; what ssh2 still writes then is lost with the connection, which `close` reports.
    child.stdin!.on('error', () => {});
    let partial = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      for (const line of lines) this.logLine(line, log);
    });
    child.on('error', (err) => {
      this.ended ??= { code: null, signal: null, spawnError: err.message };
      this.push(null);
    });
    // 'close' comes after its exit and its stdio's end, so the exit status is known before ssh2 sees the end.
    child.on('close', (code, signal) => {
      if (partial) this.logLine(partial, log);
      this.ended ??= { code, signal };
      this.push(null);
    });
  }

  private logLine(line: string, log?: (line: string) => void) {
    const shown = visibleText(line.replace(/\r$/, ''));
    this.stderrTail.push(shown);
    if (this.stderrTail.length > STDERR_LINES_KEPT) this.stderrTail.shift();
    log?.(`ProxyCommand: ${shown}`);
  }

  override _read() {
    this.child.stdout!.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void) {
    if (this.ended || !this.child.stdin!.writable) return callback();
    this.child.stdin!.write(chunk, () => callback());
  }

  override _final(callback: () => void) {
    this.child.stdin!.end();
    callback();
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void) {
    this.stop();
    callback(err);
  }

  /** Ends the command, as ssh does when its connection ends. */
  stop() {
    if (this.ended === null && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGHUP');
  }

  /** Why the connection could not be made, once the command has ended; null while it runs. */
  failure(): ProcscopeError | null {
    if (!this.ended) return null;
    const how = this.ended.spawnError
      ? `could not be started (${this.ended.spawnError})`
      : this.ended.signal
        ? `was killed by ${this.ended.signal}`
        : `exited with status ${this.ended.code}`;
    const said = this.stderrTail.filter((l) => l.trim() !== '').slice(-3).join(' / ');
    return {
      kind: 'connection',
      message: `The ProxyCommand of ${this.alias} ${how} before the SSH connection was made${said ? `: ${said}` : ''}.`,
      hint: `The command was: ${visibleText(this.command)}. Run it in a terminal to see why (ssh -v ${this.alias} does the same).`,
    };
  }
}

export function startProxyCommand(command: string, alias: string, log?: (line: string) => void): ProxyStream {
  const shell = process.env.SHELL || '/bin/sh';
  const child = spawn(shell, ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new ProxyStream(child, command, alias, log);
}
