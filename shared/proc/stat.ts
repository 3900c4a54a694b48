/** /proc/<pid>/stat: one line; comm sits between the first '(' and the LAST ')' and may hold anything, newlines included. */
import { parseFailure } from '../errors';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  ttyNr: number;
  utime: number;
  stime: number;
  priority: number;
  nice: number;
  numThreads: number;
  startTicks: number;
  vsizeBytes: number;
  rssPages: number;
}

export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) parseFailure('stat', 'no "(comm)" in the line');
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state); field N of proc(5) is rest[N - 3].
  const field = (n: number): number => {
    const value = Number(rest[n - 3]);
    if (!Number.isFinite(value)) parseFailure('stat', `field ${n} is not a number`);
    return value;
  };
  const state = rest[0] ?? '';
  if (!Number.isInteger(pid) || !/^[A-Za-z]$/.test(state)) parseFailure('stat', 'bad pid or state');
  return {
    pid,
    comm: text.slice(open + 1, close),
    state,
    ppid: field(4),
    pgrp: field(5),
    session: field(6),
    ttyNr: field(7),
    utime: field(14),
    stime: field(15),
    priority: field(18),
    nice: field(19),
    numThreads: field(20),
    startTicks: field(22),
    vsizeBytes: field(23),
    rssPages: field(24),
  };
}
