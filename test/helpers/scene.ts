/**
 * A scene for a test: a pid and mount namespace of its own (with its own /proc), where the test starts what it
 * reads and runs the collector, so the read sees the scene and not whatever else the machine runs (another suite's
 * 10,000 processes). Needs root; `sceneUnavailable()` says why not.
 */
import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type NodeSession, localSession } from '../../electron/engine/session';
import { until } from './kernel';

export function sceneUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root for a pid namespace';
  return spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0 ? null : 'unshare --pid --fork --mount-proc fails here';
}

export interface Scene {
  /** the scene's pid 1, as this machine sees it */
  init: number;
  /** starts a program inside: nsenter, and the program it forks in the scene (its pid here and inside) */
  start(argv: string[], options?: SpawnOptions): Promise<{ nsenter: ChildProcess; hostPid: number; pid: number }>;
  /** a session whose shell (argv, reading the script on stdin) runs inside */
  session(shell?: string[]): NodeSession;
  /** the pid a process of the scene has inside it */
  pidInside(hostPid: number): number;
  stop(): void;
}

export async function startScene(): Promise<Scene> {
  const anchor = spawn('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', 'echo ready; exec sleep 100000'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  let said = '';
  anchor.stdout!.on('data', (b: Buffer) => (said += b.toString()));
  await until(() => said.includes('ready') || 'the scene is not ready');
  const init = Number(readFileSync(`/proc/${anchor.pid}/task/${anchor.pid}/children`, 'utf8').trim().split(' ')[0]);
  const enter = (argv: string[]) => ['-t', String(init), '-p', '-m', '--', ...argv];
  const pidInside = (hostPid: number) => {
    const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${hostPid}/status`, 'utf8'))?.[1]?.trim().split(/\s+/);
    return Number(nspid?.[nspid.length - 1]);
  };
  return {
    init,
    async start(argv, options = {}) {
      const nsenter = spawn('nsenter', enter(argv), options);
      const children = () => {
        try {
          return readFileSync(`/proc/${nsenter.pid}/task/${nsenter.pid}/children`, 'utf8').trim();
        } catch {
          return '';
        }
      };
      await until(() => children() !== '' || 'nsenter has not forked yet');
      const hostPid = Number(children().split(' ')[0]);
      return { nsenter, hostPid, pid: pidInside(hostPid) };
    },
    session: (shell = ['sh', '-s']) => localSession(['nsenter', ...enter(shell)]),
    pidInside,
    stop() {
      try {
        process.kill(-anchor.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    },
  };
}
