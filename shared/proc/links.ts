/** Targets of the symlinks under /proc/<pid>/ns/ and /proc/<pid>/fd/. */

export interface NamespaceLink {
  type: string;
  inode: number;
}

/** "net:[4026531840]" */
export function parseNamespaceLink(target: string): NamespaceLink | null {
  const m = /^([a-z_]+):\[(\d+)\]$/.exec(target);
  return m ? { type: m[1]!, inode: Number(m[2]) } : null;
}

export type FdKind = 'socket' | 'pipe' | 'anon_inode' | 'file' | 'other';

export interface FdTarget {
  kind: FdKind;
  /** inode for socket:[N] and pipe:[N] */
  inode?: number;
  /** for anon_inode: the kind, e.g. eventfd, [eventpoll] is given as eventpoll */
  anonKind?: string;
  deleted?: boolean;
}

export function parseFdTarget(target: string): FdTarget {
  let m = /^(socket|pipe):\[(\d+)\]$/.exec(target);
  if (m) return { kind: m[1] as 'socket' | 'pipe', inode: Number(m[2]) };
  m = /^anon_inode:\[?([^\]]*)\]?$/.exec(target);
  if (m) return { kind: 'anon_inode', anonKind: m[1] };
  if (target.startsWith('/')) {
    return target.endsWith(' (deleted)') ? { kind: 'file', deleted: true } : { kind: 'file' };
  }
  return { kind: 'other' };
}
