/**
 * The local log of every action taken on a node's processes, by the app or the CLI: one JSON line per process
 * (time, node, pid, start time, action, outcome), in the config directory, readable by its owner only.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ActionResult, type ProcessAction, describeAction } from '../../shared/actions/actions';

export const ACTION_LOG = 'actions.log';

export interface ActionLogEntry {
  time: string;
  node: string;
  pid: number;
  startTicks: number;
  action: string;
  outcome: ActionResult['outcome'];
  message: string;
  sudo: boolean;
  by: 'app' | 'cli';
}

export function logActions(configDir: string, node: string, action: ProcessAction, results: ActionResult[], how: { sudo: boolean; by: 'app' | 'cli' }): string {
  const file = join(configDir, ACTION_LOG);
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const time = new Date().toISOString();
  const lines = results.map((r): ActionLogEntry => ({ time, node, pid: r.pid, startTicks: r.startTicks, action: describeAction(action), outcome: r.outcome, message: r.message, sudo: how.sudo, by: how.by }));
  appendFileSync(file, lines.map((l) => JSON.stringify(l) + '\n').join(''), { mode: 0o600 });
  return file;
}
