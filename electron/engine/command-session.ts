/**
 * A node reached through any command that gives a POSIX shell on its stdin and stdout: `ssh -T web-1 sh` (the
 * system ssh, with its agent, certificates and ControlMaster), `docker exec -i CONTAINER sh`, `nsenter -t 1 -a sh`,
 * `kubectl debug node/NODE -it --image=busybox -- chroot /host sh`. The command runs here, once, under /bin/sh; the
 * collector's scripts go to it one after another, as to the persistent shell of an SSH connection.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ProcscopeFailure } from '../../shared/errors';
import { visibleText } from '../../shared/visible';
import { PersistentShell, type ShellChannel } from './persistent-shell';
import type { NodeSession } from './session';

export interface CommandSessionOptions {
  /** how long the command may take to answer as a shell (a pod to start, a login) */
  answerMs?: number;
}

/** The command's stdin, stdout and stderr as a channel to a shell; its end kills it. */
function commandChannel(command: string): Promise<ShellChannel> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const events = new EventEmitter();
    child.stdout.on('data', (b: Buffer) => events.emit('data', b));
    child.on('exit', (code) => events.emit('exit', code));
    child.on('close', () => events.emit('close'));
    child.stdin.on('error', () => {});
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    child.once('error', (e) => reject(new ProcscopeFailure({ kind: 'not-found', message: `Cannot run /bin/sh for the command: ${e.message}` })));
    child.once('spawn', () =>
      resolve({
        on: (event: string, listener: (...args: unknown[]) => void) => events.on(event, listener),
        once: (event: string, listener: () => void) => events.once(event, listener),
        stderr: child.stderr,
        write: (text: string) => child.stdin.write(text),
        end: () => {
          child.stdin.end();
          setTimeout(kill, 1000).unref();
        },
        destroy: kill,
      } as ShellChannel),
    );
  });
}

export function commandSession(command: string, options: CommandSessionOptions = {}): NodeSession {
  const target = `via ${command}`;
  const shell = new PersistentShell(() => commandChannel(command), target);
  let answered: Promise<void> | null = null;
  let closed = false;

  /** Asks the command's shell to print a word it can only print by running what it was sent. */
  const checkShell = async () => {
    const token = randomBytes(8).toString('hex');
    const marker = Buffer.from(`procscope-shell-${token}\n`);
    const answerMs = options.answerMs ?? 60_000;
    let reply;
    try {
      reply = await shell.run(`printf '%s-%s-%s\\n' procscope shell ${token}\n`, marker, { deadlineMs: answerMs });
    } catch (err) {
      const said = err instanceof ProcscopeFailure ? err.error.message : String(err);
      throw new ProcscopeFailure({ kind: 'connection', message: `${visibleText(command)} did not answer as a POSIX shell within ${answerMs / 1000} s (${said}).`, hint: 'The command must end in a shell reading its standard input, as in: ssh -T HOST sh' });
    }
    if (!reply.stdout.subarray(-marker.length).equals(marker)) {
      const stderr = reply.stderr.trim().split('\n').slice(-3).join(' / ');
      throw new ProcscopeFailure({
        kind: 'connection',
        message: `${visibleText(command)} ended (exit ${reply.code ?? 'unknown'}) before it answered as a shell${stderr ? `: ${visibleText(stderr)}` : ''}.`,
        hint: 'The command must end in a shell reading its standard input, as in: ssh -T HOST sh',
      });
    }
  };

  return {
    target,
    compressFull: true,
    async runScript(script, runOptions = {}) {
      if (closed) throw new ProcscopeFailure({ kind: 'connection', message: `${target} is closed.` });
      if (runOptions.sudo) throw new ProcscopeFailure({ kind: 'unsupported', message: 'sudo is part of the command here, not an option.', hint: "Put it in the command: --via 'ssh -T HOST sudo -n sh'." });
      if (!runOptions.endMarker) throw new Error('a command session runs scripts that end with their own marker');
      answered ??= checkShell().catch((err: unknown) => {
        answered = null;
        throw err;
      });
      await answered;
      return shell.run(script, runOptions.endMarker, runOptions);
    },
    isOpen: () => !closed,
    close() {
      closed = true;
      void shell.close();
    },
  };
}
