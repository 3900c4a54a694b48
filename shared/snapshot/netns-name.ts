/** The name `ip netns add NAME` gave a network namespace (its bind mount /run/netns/NAME), as lsns and ip netns identify show it. */
const NAMED = /^(?:\/var)?\/run\/netns\/([^/]+)$/;

export function netnsNames(paths: readonly string[] | undefined): string[] {
  return (paths ?? []).flatMap((p) => NAMED.exec(p)?.[1] ?? []);
}

/** "4026532291 (blue)", or the inode alone for a namespace with no name. */
export function netnsLabel(inode: number, paths: readonly string[] | undefined): string {
  const names = netnsNames(paths);
  return names.length ? `${inode} (${names.join(', ')})` : String(inode);
}
