/** /proc/meminfo: "MemTotal:       16318416 kB" lines; the figures an overview shows, in kB. */

export interface Meminfo {
  totalKb: number;
  /** what can be given to programs without swapping (MemAvailable; estimated from free + cache on kernels before 3.14) */
  availableKb: number;
  freeKb: number;
  buffersKb: number;
  cachedKb: number;
  swapTotalKb: number;
  swapFreeKb: number;
}

export function parseMeminfo(text: string): Meminfo | null {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?: kB)?\s*$/.exec(line);
    if (m) kb.set(m[1]!, Number(m[2]));
  }
  const total = kb.get('MemTotal');
  if (total === undefined) return null;
  const free = kb.get('MemFree') ?? 0;
  const buffers = kb.get('Buffers') ?? 0;
  const cached = kb.get('Cached') ?? 0;
  return {
    totalKb: total,
    availableKb: kb.get('MemAvailable') ?? free + buffers + cached,
    freeKb: free,
    buffersKb: buffers,
    cachedKb: cached,
    swapTotalKb: kb.get('SwapTotal') ?? 0,
    swapFreeKb: kb.get('SwapFree') ?? 0,
  };
}
