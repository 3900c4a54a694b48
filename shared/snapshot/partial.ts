import type { SnapshotPartial, SnapshotProcess } from './types';

/** What this login could not read, said once for the node, with the way to see it all. */
export function partialView(processes: SnapshotProcess[], node: { viaSudo?: boolean; readerEuid?: number }): { partial?: SnapshotPartial } {
  // A process that exited during the read hides nothing: it is not part of a partial view.
  const hidden = processes.filter((p) => !p.exitedDuringRead && (p.namespacesError !== undefined || p.fds === null));
  if (hidden.length === 0) return {};
  const namespacesUnreadable = hidden.filter((p) => p.namespacesError !== undefined).length;
  const fdsUnreadable = hidden.filter((p) => p.fds === null).length;
  // Advice only where it helps: never "use sudo" to a login that read as root.
  const hint =
    node.viaSudo === true || node.readerEuid === 0 ? 'Read as root: a hardened kernel, a security module (LSM) policy or a sandbox keeps them from root too.'
    : node.readerEuid === undefined ? ''
    : 'Connect as root, or with sudo (--sudo), to read every process.';
  return { partial: { processes: hidden.length, namespacesUnreadable, fdsUnreadable, hint } };
}
