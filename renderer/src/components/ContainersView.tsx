/** Containers: runtime, id, pod and names, QoS, init, pid count; one container's processes (host and container pids), namespaces and sockets. */
import { useMemo } from 'react';
import type { SnapshotContainer } from '../../../shared/snapshot/types';
import { containerLabel, shortId } from '../../../shared/containers/summary';
import { type SnapshotIndex, filterByText, nextSort, sortRows } from '../model';
import { markClass, rowsWithChanges } from '../compare';
import { canAct } from '../actions';
import { type TableSort, useComparison, useStore, useTabField, useView } from '../store';
import { visibleText } from '../../../shared/visible';
import { FilterBar, PidLink, markColumn } from './common';
import { type Column, VirtualTable } from './VirtualTable';

function ContainerDetail({ index, c }: { index: SnapshotIndex; c: SnapshotContainer }) {
  const sockets = index.snapshot.sockets.filter((s) => s.containerId === c.id);
  const actions = useStore(canAct);
  const requestAction = useStore((s) => s.requestAction);
  return (
    <div className="members" data-testid="container-detail">
      <h3>
        {c.runtime} {visibleText(c.id)}
        {actions ? (
          <button type="button" data-testid="container-act" title="signal or renice every process of this container" onClick={() => requestAction(c.pids)}>
            Signal its {c.pids.length} processes…
          </button>
        ) : null}
      </h3>
      {c.conflict ? (
        <p className="unreadable" data-testid="container-conflict">
          This id also names another cgroup: someone allowed to create cgroups may have named one after a real container. Each is shown apart; trust neither blindly.
        </p>
      ) : null}
      <table className="kv">
        <tbody>
          <tr><th>Name</th><td>{containerLabel(c)}</td></tr>
          <tr><th>Pod UID</th><td>{visibleText(c.podUid ?? '–')} {c.qosClass ? `(${visibleText(c.qosClass)})` : ''}</td></tr>
          <tr><th>Hostname</th><td>{c.hostname ? visibleText(c.hostname) : '–'}</td></tr>
          <tr><th>Cgroup</th><td>{visibleText(c.cgroupPath)}</td></tr>
          {c.namespace ? <tr><th>containerd namespace</th><td data-testid="container-namespace">{visibleText(c.namespace)}</td></tr> : null}
          {c.ociRuntime ? <tr><th>OCI runtime</th><td>{c.ociRuntime}</td></tr> : null}
          <tr><th>Members</th><td data-testid="container-checked">{c.membersChecked ? 'confirmed by its cgroup.procs' : 'from each process\'s /proc/<pid>/cgroup (no cgroup.procs to compare on this hierarchy)'}</td></tr>
          <tr><th>Shares with host</th><td data-testid="container-shares">{visibleText((c.sharesHost ?? []).join(', ')) || 'nothing'}</td></tr>
          <tr><th>Namespaces</th><td>{visibleText(Object.entries(c.namespaces ?? {}).map(([t, i]) => `${t}:${i}`).join('  '))}{c.namespacesError ? <span className="unreadable"> (incomplete: {visibleText(c.namespacesError)})</span> : null}</td></tr>
        </tbody>
      </table>
      <h3>Processes ({c.pids.length})</h3>
      <table className="grid" data-testid="container-processes">
        <thead>
          <tr><th>HOST PID</th><th>PID INSIDE</th><th>NAME</th><th>COMMAND LINE</th></tr>
        </thead>
        <tbody>
          {c.pidMap.map((m) => (
            <tr key={m.hostPid}>
              <td><PidLink pid={m.hostPid} /></td>
              <td>{m.containerPid ?? '–'}{m.hostPid === c.initPid ? ' (init)' : ''}{m.zombie ? <span className="badge" title="exited, not yet reaped by its parent">zombie</span> : null}</td>
              <td>{visibleText(index.byPid.get(m.hostPid)?.name ?? '')}</td>
              <td className="muted">{visibleText(index.commandLine.get(m.hostPid) ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Sockets ({sockets.length})</h3>
      <ul className="plain" data-testid="container-sockets">
        {sockets.map((s) => (
          <li key={`${s.inode}:${s.local}>${s.remote}`}>
            {s.proto} {visibleText(s.local) || '(unnamed)'} {s.remote ? `→ ${visibleText(s.remote)}` : ''} {visibleText(s.state)}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Two findings may share an id (a conflict), never an id and a cgroup. */
const containerKey = (c: SnapshotContainer) => `${c.id} ${c.cgroupPath}`;

function containerValue(c: SnapshotContainer, column: string): string | number {
  switch (column) {
    case 'init':
      return c.initPid ?? -1;
    case 'pids':
      return c.pids.length;
    case 'name':
      return containerLabel(c);
    case 'runtime':
      return c.ociRuntime ?? c.runtime;
    case 'qos':
      return c.qosClass ?? '';
    default:
      return c.id;
  }
}

export function ContainersView({ index }: { index: SnapshotIndex }) {
  const selected = useView('selectedContainer');
  const text = useView('containerText');
  const sort = useView('containerSort');
  const patchView = useStore((s) => s.patchView);
  const columns: Column<SnapshotContainer>[] = useMemo(
    () => [
      { key: 'runtime', title: 'RUNTIME', width: '120px', render: (c) => `${c.ociRuntime ?? c.runtime}${c.conflict ? ' ⚠' : ''}` },
      { key: 'id', title: 'ID', width: '120px', render: (c) => visibleText(shortId(c.id)), text: (c) => visibleText(c.id) },
      { key: 'name', title: 'POD / NAME', width: 'minmax(200px, 1fr)', render: (c) => containerLabel(c), text: (c) => containerLabel(c) },
      { key: 'qos', title: 'QOS', width: '100px', render: (c) => visibleText(c.qosClass ?? '') },
      { key: 'init', title: 'INIT PID', width: '80px', align: 'right', render: (c) => c.initPid ?? '' },
      { key: 'pids', title: 'PIDS', width: '60px', align: 'right', render: (c) => c.pids.length },
    ],
    [],
  );
  const comparison = useComparison();
  const compareLabel = useTabField('compare')?.label ?? '';
  const changesOnly = useView('changesOnly');
  const rows = useMemo(() => {
    const haystack = (c: SnapshotContainer) => [c.id, c.runtime, c.ociRuntime ?? '', containerLabel(c), c.podUid ?? '', c.namespace ?? '', c.hostname ?? '', c.cgroupPath].join('\u0000');
    return rowsWithChanges(sortRows(filterByText(index.snapshot.containers, text, haystack), containerValue, sort), comparison?.containers ?? null, changesOnly, (gone) => filterByText(gone, text, haystack));
  }, [index, text, sort, comparison, changesOnly]);
  const shownColumns = useMemo(() => [...(comparison ? [markColumn<SnapshotContainer>(comparison.containers.markOf, compareLabel)] : []), ...columns], [columns, comparison, compareLabel]);
  const c = selected ? index.containerById.get(selected) : undefined;
  return (
    <div className="view split">
      <FilterBar
        name="container"
        placeholder="Filter: id, name, pod, runtime, namespace or cgroup"
        text={text}
        onText={(containerText) => patchView({ containerText })}
        shown={rows.length}
        total={index.snapshot.containers.length}
        noun="containers"
      />
      <VirtualTable
        testId="container-table"
        rows={rows}
        columns={shownColumns}
        rowKey={(x) => (comparison?.containers.markOf(x) === '-' ? `gone:${containerKey(x)}` : containerKey(x))}
        rowClass={(x) => markClass(comparison?.containers.markOf(x) ?? null)}
        selectedKey={c ? containerKey(c) : null}
        onSelect={(x) => patchView({ selectedContainer: x.id })}
        sortKey={sort?.column}
        descending={sort?.descending}
        onSort={(key) => patchView({ containerSort: nextSort<TableSort>(sort, key, key === 'pids') })}
        emptyText={text ? 'No container matches.' : 'No containers on this node.'}
      />
      {c ? <ContainerDetail index={index} c={c} /> : null}
    </div>
  );
}
