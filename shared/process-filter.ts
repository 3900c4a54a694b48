/**
 * The process filter of the app's table and of `procscope ps --filter`: lower-cased words, each of which must be
 * found in one of a process's fields (pid, name, user, command line, container id, pod and container names).
 */
import type { SnapshotContainer, SnapshotProcess } from './snapshot/types';

export function filterWords(filter: string): string[] {
  return filter.toLowerCase().split(/\s+/).filter(Boolean);
}

/** What a filter searches of a process: its fields lower-cased, joined by NULs (no word spans two fields). */
export function processHaystack(p: SnapshotProcess, commandLineLower: string, container: SnapshotContainer | undefined): string {
  const others = [String(p.pid), p.name, p.user ?? String(p.uid)].join('\u0000').toLowerCase();
  const where = [p.containerId ?? '', container?.podName ?? '', container?.podNamespace ?? '', container?.name ?? ''].join('\u0000').toLowerCase();
  return `${others}\u0000${commandLineLower}\u0000${where}`;
}

export function matchesWords(haystack: string, words: string[]): boolean {
  return words.every((w) => haystack.includes(w));
}
