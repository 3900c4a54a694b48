/**
 * What a pid is right now, for a confirmation before acting on it from the command line: its stat, status and
 * cmdline, and the node's passwd for its user's name, framed by a nonce the node's processes cannot see or forge.
 */
import { parseCmdline } from '../proc/cmdline';
import { parsePasswd } from '../proc/passwd';
import { parseStat } from '../proc/stat';
import { parseStatus } from '../proc/status';
import { UsageError, fail, internalFailure } from '../errors';

export interface LookedProcess {
  pid: number;
  name: string;
  user: string;
  uid: number;
  state: string;
  nice: number;
  startTicks: number;
  cmdline: string[];
}

const FILES = ['stat', 'status', 'cmdline'] as const;

export function buildLookScript(pid: number, nonce: string): string {
  if (!Number.isInteger(pid) || pid <= 0 || pid >= 2 ** 31) throw new UsageError(`not a pid: ${pid}`);
  if (!/^[0-9a-f]{32}$/.test(nonce)) internalFailure('nonce must be 32 lowercase hex digits');
  return [...FILES.map((f) => `printf '\\n@@${nonce} ${f}\\n'; cat /proc/${pid}/${f} 2>/dev/null`), `printf '\\n@@${nonce} passwd\\n'; cat /etc/passwd 2>/dev/null`, `printf '\\n@@${nonce} done\\n'`].join('\n') + '\n';
}

/** The process, or null when the pid does not exist (its stat was empty). */
export function parseLookReply(text: string, nonce: string): LookedProcess | null {
  const parts = new Map<string, string>();
  const chunks = text.split(`\n@@${nonce} `);
  for (const chunk of chunks.slice(1)) {
    const nl = chunk.indexOf('\n');
    parts.set(nl < 0 ? chunk : chunk.slice(0, nl), nl < 0 ? '' : chunk.slice(nl + 1));
  }
  if (!parts.has('done')) fail({ kind: 'connection', message: 'the reply stopped short', hint: 'The connection may have dropped; try again.' });
  const statText = parts.get('stat') ?? '';
  if (statText.trim() === '') return null;
  const stat = parseStat(statText);
  const status = parseStatus(parts.get('status') ?? '');
  const uid = status.uids[0] ?? -1;
  return {
    pid: stat.pid,
    name: stat.comm,
    user: parsePasswd(parts.get('passwd') ?? '').get(uid) ?? String(uid),
    uid,
    state: stat.state,
    nice: stat.nice,
    startTicks: stat.startTicks,
    cmdline: parseCmdline(parts.get('cmdline') ?? ''),
  };
}
