/** The human summary of `procscope containers`: one line per container. */
import type { SnapshotContainer } from '../snapshot/types';
import { visibleText } from '../visible';

/** A container id as people write it: the first 12 hex digits of a 64-digit id, other ids whole. */
export function shortId(id: string): string {
  return id.length === 64 ? id.slice(0, 12) : id;
}

export function containerLabel(c: SnapshotContainer): string {
  const namespace = c.runtime === 'podman' ? [] : [c.podNamespace ?? '?'];
  const parts = c.podName ? [...namespace, c.podName, ...(c.sandbox ? [] : [c.name ?? '?'])] : [c.name ?? '-'];
  return visibleText(parts.join('/') + (c.sandbox ? ' (sandbox)' : ''));
}

export function formatContainerTable(containers: SnapshotContainer[]): string {
  const rows = [
    ['ID', 'RUNTIME', 'POD / NAME', 'INIT PID', 'PIDS'],
    ...containers.map((c) => [visibleText(shortId(c.id)), c.runtime, containerLabel(c), String(c.initPid ?? '-'), String(c.pids.length)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  if (containers.length === 0) lines.push('(no containers)');
  return lines.join('\n') + '\n';
}
