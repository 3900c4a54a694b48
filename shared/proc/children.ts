/** /proc/<pid>/task/<tid>/children: space-separated child pids of that thread. */

export function parseChildren(text: string): number[] {
  return text
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}
