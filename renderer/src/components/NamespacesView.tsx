/** Namespaces, like lsns: type, inode, process count, the lowest pid and its command, the owning container; sortable and filterable. */
import { useMemo } from 'react';
import type { SnapshotNamespace } from '../../../shared/snapshot/types';
import { type SnapshotIndex, containerText, filterByText, nextSort, nsKey, sortRows } from '../model';
import { type TableSort, useStore, useView } from '../store';
import { visibleText } from '../../../shared/visible';
import { ContainerLink, FilterBar, Pending, PidLink, isPending } from './common';
import { type Column, VirtualTable } from './VirtualTable';
import { netnsLabel, netnsNames } from '../../../shared/snapshot/netns-name';

export function NamespacesView({ index }: { index: SnapshotIndex }) {
  const selected = useView('selectedNamespace');
  const text = useView('namespaceText');
  const sort = useView('namespaceSort');
  const patchView = useStore((s) => s.patchView);
  const owner = (n: SnapshotNamespace) => (n.host ? 'host' : containerText(index, n.containerId));
  const command = (n: SnapshotNamespace) => (n.pids.length === 0 && n.paths ? `mounted at ${n.paths.join(', ')}` : (index.commandLine.get(n.pids[0] ?? -1) ?? ''));
  const rows = useMemo(() => {
    const shown = filterByText(index.snapshot.namespaces, text, (n) => [n.type, n.inode, ...netnsNames(n.paths), owner(n), command(n), ...n.pids].join('\u0000'));
    const valueOf = (n: SnapshotNamespace, column: string): string | number =>
      column === 'nprocs' ? n.pids.length : column === 'pid' ? (n.pids[0] ?? -1) : column === 'inode' ? n.inode : column === 'owner' ? owner(n) : column === 'command' ? command(n) : n.type;
    return sortRows(shown, valueOf, sort);
    // owner and command read only index
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [index, text, sort]);
  const columns: Column<SnapshotNamespace>[] = useMemo(
    () => [
      { key: 'type', title: 'TYPE', width: '70px', render: (n) => n.type },
      { key: 'inode', title: 'NS', width: '150px', render: (n) => visibleText(netnsLabel(n.inode, n.paths)), text: (n) => visibleText([netnsLabel(n.inode, n.paths), ...(n.paths ?? [])].join('  ')) },
      { key: 'nprocs', title: 'NPROCS', width: '70px', align: 'right', render: (n) => n.pids.length },
      { key: 'pid', title: 'PID', width: '70px', align: 'right', render: (n) => n.pids[0] ?? '' },
      { key: 'owner', title: 'OWNER', width: '150px', render: (n) => visibleText(owner(n)), text: (n) => visibleText(owner(n)) },
      {
        key: 'command',
        title: 'COMMAND',
        width: 'minmax(200px, 1fr)',
        // A namespace no process is in is known by where it is mounted (ip netns add NAME: /run/netns/NAME).
        render: (n) => (n.pids.length === 0 && n.paths ? <span className="muted">{visibleText(command(n))}</span> : visibleText(command(n))),
        text: (n) => visibleText(command(n)),
      },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [index],
  );
  const ns = selected ? index.namespaceByKey.get(selected) : undefined;
  return (
    <div className="view split">
      <FilterBar
        name="namespace"
        placeholder="Filter: type, inode, pid, owner or command"
        text={text}
        onText={(namespaceText) => patchView({ namespaceText })}
        shown={rows.length}
        total={index.snapshot.namespaces.length}
        noun="namespaces"
      />
      <Pending snapshot={index.snapshot} part="namespaces">
        Namespaces (the process table came first)
      </Pending>
      <VirtualTable
        testId="namespace-table"
        rows={rows}
        columns={columns}
        rowKey={(n) => nsKey(n.type, n.inode)}
        selectedKey={selected}
        onSelect={(n) => patchView({ selectedNamespace: nsKey(n.type, n.inode) })}
        sortKey={sort?.column}
        descending={sort?.descending}
        onSort={(key) => patchView({ namespaceSort: nextSort<TableSort>(sort, key, key === 'nprocs') })}
        emptyText={isPending(index.snapshot, 'namespaces') ? 'Namespaces: reading…' : 'No namespace matches.'}
      />
      {ns ? (
        <div className="members" data-testid="namespace-members">
          <h3>
            {visibleText(ns.type)} namespace {visibleText(netnsLabel(ns.inode, ns.paths))} {ns.host ? <span className="badge host">the host's</span> : null}
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
