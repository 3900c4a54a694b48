/** Durations and sizes as people write them on a command line: "30s", "5m", "1h30m", "90" (seconds); "500M", "2G". */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds, or null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) > 0 ? Number(t) : null;
  if (!/^(\d+(\.\d+)?[smhd])+$/.test(t)) return null;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return total > 0 ? total : null;
}

const UNIT_BYTES: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Bytes, or null: "500M", "2G", "64K", "1000" (binary units, an optional B or iB). */
export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B)?$/i.exec(text.trim());
  if (!m) return null;
  const bytes = Math.round(Number(m[1]) * UNIT_BYTES[m[2]!.toUpperCase()]!);
  return bytes > 0 ? bytes : null;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const parts = [Math.floor(s / 3600) ? `${Math.floor(s / 3600)}h` : '', Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : '', s % 60 ? `${s % 60}s` : ''];
  return parts.join('');
}
