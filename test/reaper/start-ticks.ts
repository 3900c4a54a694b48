import { readFileSync } from 'node:fs';
import { parseStat } from '../../shared/proc/stat';

/** A process's start time (stat field 22), which with its pid names it; null once it is gone or unreadable. */
export function startTicksOf(pid: number): number | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'latin1')).startTicks;
  } catch {
    return null;
  }
}
