/** /proc/loadavg: "0.52 0.58 0.59 3/1234 56789": the 1, 5 and 15 minute load averages, runnable/total tasks, last pid. */

export interface Loadavg {
  one: number;
  five: number;
  fifteen: number;
  /** tasks (threads) runnable now */
  running: number;
  /** tasks (threads) on the node */
  tasks: number;
}

export function parseLoadavg(text: string): Loadavg | null {
  const m = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)\/(\d+)(?: \d+)?\s*$/.exec(text.trim());
  if (!m) return null;
  return { one: Number(m[1]), five: Number(m[2]), fifteen: Number(m[3]), running: Number(m[4]), tasks: Number(m[5]) };
}
