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
import { sudoFailure } from './sudo';
import type { NodeSession } from './session';
import { internalFailure } from '../../shared/errors';

export interface CommandSessionOptions {
  /** how long the command may take to answer as a shell (a pod to start, a login) */
  answerMs?: number;
  /** once the command's shell answers, it becomes `sudo -n /bin/sh`, for every script of the session */
  sudo?: boolean;
}

const SHELL_HINT = 'The command must end in a shell reading its standard input, as in: ssh -T HOST sh';

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

/** Runs the command and waits until it answers as a shell (and sudo, when asked, gave a root one). */
export async function openCommandSession(command: string, options: CommandSessionOptions = {}): Promise<NodeSession> {
  const session = commandSession(command, options);
  try {
    await session.ready();
  } catch (err) {
    session.close();
    throw err;
  }
  return session;
}

/** A session whose command runs when the first script does. */
export function commandSession(command: string, options: CommandSessionOptions = {}): NodeSession & { ready(): Promise<void> } {
  const target = `via ${command}`;
  const shell = new PersistentShell(() => commandChannel(command), target);
  let answered: Promise<void> | null = null;
  let closed = false;

  /** Sends `line` and waits for the word it prints, which only a shell that ran it can print; the reply or why not. */
  const ask = async (line: (token: string) => string, word: string) => {
    const token = randomBytes(8).toString('hex');
    const marker = Buffer.from(`procscope-${word}-${token}\n`);
    const answerMs = options.answerMs ?? 60_000;
    let reply;
    try {
      reply = await shell.run(line(token), marker, { deadlineMs: answerMs });
    } catch (err) {
      const said = err instanceof ProcscopeFailure ? err.error.message : String(err);
      throw new ProcscopeFailure({ kind: 'connection', message: `${visibleText(command)} did not answer as a POSIX shell within ${answerMs / 1000} s (${said}).`, hint: SHELL_HINT });
    }
    return reply.stdout.subarray(-marker.length).equals(marker) ? null : reply;
  };
  const ended = (reply: { code: number | null; stderr: string }, what: string) => {
    const stderr = reply.stderr.trim().split('\n').slice(-3).join(' / ');
    return `${visibleText(command)} ended (exit ${reply.code ?? 'unknown'}) before ${what}${stderr ? `: ${visibleText(stderr)}` : ''}.`;
  };

  const checkShell = async () => {
    const notShell = await ask((token) => `printf '%s-%s-%s\\n' procscope shell ${token}\n`, 'shell');
    if (notShell) throw new ProcscopeFailure({ kind: 'connection', message: ended(notShell, 'it answered as a shell'), hint: SHELL_HINT });
    if (!options.sudo) return;
    // The new shell prints the word before it reads anything, so no script is sent before it can read it.
    const noSudo = await ask((token) => `exec sudo -n /bin/sh -c 'printf "%s-%s-%s\\n" procscope sudo ${token}; exec /bin/sh'\n`, 'sudo');
    if (noSudo) throw new ProcscopeFailure(sudoFailure(target, noSudo.stderr) ?? { kind: 'connection', message: ended(noSudo, 'sudo gave it a root shell') });
  };

  const ready = () =>
    (answered ??= checkShell().catch((err: unknown) => {
      answered = null;
      throw err;
    }));

  return {
    target,
    compressFull: true,
    async runScript(script, runOptions = {}) {
      if (closed) throw new ProcscopeFailure({ kind: 'connection', message: `${target} is closed.` });
      if (runOptions.sudo && !options.sudo) throw new ProcscopeFailure({ kind: 'unsupported', message: `${target} was opened without sudo.`, hint: 'Open it with --sudo.' });
      if (!runOptions.endMarker) internalFailure('a command session runs scripts that end with their own marker');
      if (runOptions.lane === 'side') throw new ProcscopeFailure({ kind: 'unsupported', message: `${target} has one shell: nothing runs beside its current script.` });
      await ready();
      return shell.run(script, runOptions.endMarker, runOptions);
    },
    ready,
    isOpen: () => !closed,
    close() {
      closed = true;
      void shell.close();
    },
  };
}
