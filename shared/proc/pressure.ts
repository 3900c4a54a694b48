/**
 * /proc/pressure/{cpu,memory,io} (PSI): "some avg10=2.81 avg60=19.44 avg300=35.32 total=10995956333", and a
 * "full" line: the share of time some (or all) tasks waited for the resource, over 10 s, 1 min and 5 min.
 */

export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** microseconds waited in all */
  totalUs: number;
}

export interface Pressure {
  some: PressureLine;
  full?: PressureLine;
}

export function parsePressure(text: string): Pressure | null {
  const lines: Partial<Pressure> = {};
  for (const line of text.split('\n')) {
    const m = /^(some|full) avg10=(\d+(?:\.\d+)?) avg60=(\d+(?:\.\d+)?) avg300=(\d+(?:\.\d+)?) total=(\d+)\s*$/.exec(line);
    if (m) lines[m[1] as 'some' | 'full'] = { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), totalUs: Number(m[5]) };
  }
  return lines.some ? { some: lines.some, ...(lines.full ? { full: lines.full } : {}) } : null;
}
