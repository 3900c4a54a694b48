/** Namespaces, like lsns: type, inode, process count, the lowest pid and its command, the owning container. */
import { useMemo } from 'react';
import type { SnapshotNamespace } from '../../../shared/snapshot/types';
import { type SnapshotIndex, nsKey } from '../model';
import { useStore } from '../store';
import { visibleText } from '../../../shared/visible';
import { ContainerLink, PidLink } from './common';
import { type Column, VirtualTable } from './VirtualTable';

export function NamespacesView({ index }: { index: SnapshotIndex }) {
  const selected = useStore((s) => s.selectedNamespace);
  const selectNamespace = useStore((s) => s.selectNamespace);
  const rows = index.snapshot.namespaces;
  const columns: Column<SnapshotNamespace>[] = useMemo(
    () => [
      { key: 'type', title: 'TYPE', width: '70px', render: (n) => n.type },
      { key: 'inode', title: 'NS', width: '110px', render: (n) => n.inode },
      { key: 'nprocs', title: 'NPROCS', width: '70px', align: 'right', render: (n) => n.pids.length },
      { key: 'pid', title: 'PID', width: '70px', align: 'right', render: (n) => n.pids[0] ?? '' },
      { key: 'owner', title: 'OWNER', width: '150px', render: (n) => (n.host ? 'host' : n.containerId ? n.containerId.slice(0, 12) : '') },
      {
        key: 'command',
        title: 'COMMAND',
        width: 'minmax(200px, 1fr)',
        // A namespace no process is in is known by where it is mounted (ip netns add NAME: /run/netns/NAME).
        render: (n) => (n.pids.length === 0 && n.paths ? <span className="muted">mounted at {visibleText(n.paths.join(', '))}</span> : visibleText(index.commandLine.get(n.pids[0] ?? -1) ?? '')),
      },
    ],
    [index],
  );
  const ns = selected ? index.namespaceByKey.get(selected) : undefined;
  return (
    <div className="view split">
      <VirtualTable testId="namespace-table" rows={rows} columns={columns} rowKey={(n) => nsKey(n.type, n.inode)} selectedKey={selected} onSelect={(n) => selectNamespace(nsKey(n.type, n.inode))} />
      {ns ? (
        <div className="members" data-testid="namespace-members">
          <h3>
            {ns.type} namespace {ns.inode} {ns.host ? <span className="badge host">the host's</span> : null}
            {ns.containerId ? <> of container <ContainerLink id={ns.containerId} /></> : null}
          </h3>
          <ul className="plain">
            {ns.pids.map((pid) => (
              <li key={pid}>
                <PidLink pid={pid} /> {visibleText(index.byPid.get(pid)?.name ?? '')} <span className="muted">{visibleText(index.commandLine.get(pid) ?? '')}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
