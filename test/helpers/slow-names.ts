/**
 * A full read made slow for real: a container name file under the collector's names root is a FIFO whose
 * writer waits `delayMs` after the collector opens it (as a name file on a slow NFS mount would). Live
 * refreshes do not read names, so only full reads are slowed.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface SlowNames {
  /** pass as namesRoot / --names-root */
  root: string;
  /** stops slowing: a reader waiting now gets an empty file, later ones find no FIFO */
  stop(): void;
}

export function slowNamesRoot(root: string, delayMs: number, id = 'f1f0'.repeat(16)): SlowNames {
  const folder = join(root, 'var', 'lib', 'docker', 'containers', id);
  mkdirSync(folder, { recursive: true });
  const fifo = join(folder, 'config.v2.json');
  execFileSync('mkfifo', [fifo]);
  // Opening the FIFO for writing waits for a reader; then the writer holds it for delayMs before answering. It waits
  // a second before opening it again: a reader sees its end of file only while no writer has the FIFO open, and a
  // writer that reopened at once kept a reader (grep) waiting one cycle after another.
  const writer: ChildProcess = spawn('/bin/sh', ['-c', `trap '' PIPE; while :; do { sleep ${delayMs / 1000}; printf '{"Name":"/slow-name"}'; } > "$0"; sleep 1; done`, fifo], { stdio: 'ignore' });
  return {
    root,
    stop() {
      writer.kill('SIGKILL');
      try {
        // A reader blocked in open() is let go with an empty file.
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // no reader waiting (ENXIO)
      }
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
