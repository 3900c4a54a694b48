/** Containers: runtime, id, pod and names, QoS, init, pid count; one container's processes (host and container pids), namespaces and sockets. */
import { useMemo } from 'react';
import type { SnapshotContainer } from '../../../shared/snapshot/types';
import { containerLabel, shortId } from '../../../shared/containers/summary';
import { type ContainerTotals, type SnapshotIndex, filterByText, formatKb, nextSort, sortRows } from '../model';
import type { ContainerResources } from '../../../shared/containers/resources';
import { markClass, rowsWithChanges } from '../compare';
import { canAct } from '../store/actions';
import { type TableSort, useComparison, useStore, useTabField, useView } from '../store';
import { visibleText } from '../../../shared/visible';
import { FilterBar, Pending, PidLink, isPending, markColumn } from './common';
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
      {c.confirmed === false ? (
        <p className="unreadable" data-testid="container-unconfirmed">
          Not confirmed: {c.runtime}'s own state, readable here, does not list this container. Its cgroup is named like one of {c.runtime}'s; someone allowed to create cgroups may have made it.
        </p>
      ) : null}
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
          <tr><th>Runtime's state</th><td data-testid="container-confirmed">{c.confirmed === true ? 'lists it' : c.confirmed === false ? 'does not list it' : 'not checked (not readable, or not a runtime procscope checks)'}</td></tr>
          <tr><th>Image</th><td data-testid="container-image">{c.image ? visibleText(c.image) : imageUnread(c)}</td></tr>
          <tr><th>Uses</th><td data-testid="container-use">CPU {(index.containerTotals.get(c.id)?.cpu ?? 0).toFixed(1)}%, RSS {formatKb(index.containerTotals.get(c.id)?.rssKb ?? 0) || '0 K'} (its processes, summed)</td></tr>
          {c.resources ? (
            <tr>
              <th>cgroup v{c.resources.cgroup}</th>
              <td data-testid="container-resources" data-memory-max={c.resources.memoryMaxBytes ?? ''} data-cpu-max={c.resources.cpuMaxCores ?? ''} data-pids-max={c.resources.pidsMax ?? ''}>
                memory {memoryText(c.resources) || 'not read'}; CPU limit {cpuLimitText(c.resources) || 'not read'}
                {c.resources.throttledPeriods !== undefined ? ` (throttled ${c.resources.throttledPeriods} times, ${((c.resources.throttledUsec ?? 0) / 1e6).toFixed(1)} s)` : ''}; pids {pidsText(c.resources) || 'not read'}
                {c.resources.oomKills !== undefined ? `; ${c.resources.oomKills} OOM kills` : ''}
                <span className="muted"> (as of the last full read)</span>
              </td>
            </tr>
          ) : (
            <tr><th>cgroup</th><td className="muted">no limits read (not a cgroup procscope reads resources of, or no access)</td></tr>
          )}
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
              <td>{pidInside(c, m)}{m.zombie ? <span className="badge" title="exited, not yet reaped by its parent">zombie</span> : null}</td>
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

interface PodRow {
  uid: string;
  name: string;
  qos: string;
  containers: number;
  cpu: number;
  rssKb: number;
  /** the sum of its containers' memory limits; null when one has none */
  memoryMaxBytes: number | null;
}

/** Kubernetes containers grouped by pod: QoS and totals (its pause container's processes count too). */
/** Why a container shows no image: said, not left blank. */
function imageUnread(c: SnapshotContainer): string {
  if (c.runtime === 'containerd' && c.podUid == null) return "not read: containerd keeps it in its metadata database (ctr c ls shows it), which procscope does not read";
  if (c.runtime === 'other' || c.runtime === 'lxc' || c.runtime === 'systemd-nspawn') return 'none recorded: this runtime keeps no image name procscope reads';
  return "not read: the runtime's state that names it was not readable";
}

/**
 * A member's pid inside: its pid in the container's pid namespace, "(init)" only for pid 1 there. A container that
 * shares the host's pid namespace (--pid host) has no pid of its own and no init: its topmost process is said so.
 */
function pidInside(c: SnapshotContainer, m: SnapshotContainer['pidMap'][number]): string {
  if (m.containerPid !== null) return `${m.containerPid}${m.containerPid === 1 ? ' (init)' : ''}`;
  const hostPidNs = c.sharesHost?.includes('pid');
  const topmost = m.hostPid === c.initPid ? ' (topmost)' : '';
  return hostPidNs ? `${m.hostPid}, the host's pid namespace${topmost}` : `–${topmost}`;
}

export function podRows(index: SnapshotIndex): PodRow[] {
  const pods = new Map<string, PodRow>();
  for (const c of index.snapshot.containers) {
    if (!c.podUid) continue;
    const row = pods.get(c.podUid) ?? pods.set(c.podUid, { uid: c.podUid, name: c.podName ? `${c.podNamespace ? `${c.podNamespace}/` : ''}${c.podName}` : c.podUid, qos: c.qosClass ?? '', containers: 0, cpu: 0, rssKb: 0, memoryMaxBytes: 0 }).get(c.podUid)!;
    const t = index.containerTotals.get(c.id);
    row.cpu += t?.cpu ?? 0;
    row.rssKb += t?.rssKb ?? 0;
    if (c.sandbox) continue;
    row.containers++;
    const max = c.resources?.memoryMaxBytes;
    row.memoryMaxBytes = row.memoryMaxBytes === null || max === null || max === undefined ? null : row.memoryMaxBytes + max;
  }
  return [...pods.values()].sort((a, b) => b.cpu - a.cpu || a.name.localeCompare(b.name));
}

function Pods({ index }: { index: SnapshotIndex }) {
  const rows = useMemo(() => podRows(index), [index]);
  if (rows.length === 0) return null;
  return (
    <details className="pods" data-testid="pods">
      <summary>Pods ({rows.length}): QoS and totals</summary>
      <table className="grid">
        <thead>
          <tr><th>POD</th><th>QOS</th><th>CONTAINERS</th><th>CPU%</th><th>RSS</th><th>MEMORY LIMIT</th></tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.uid} data-testid={`pod-${r.uid}`}>
              <td>{visibleText(r.name)}</td>
              <td>{visibleText(r.qos)}</td>
              <td>{r.containers}</td>
              <td>{r.cpu.toFixed(1)}</td>
              <td>{formatKb(r.rssKb)}</td>
              <td>{r.memoryMaxBytes === null ? 'no limit' : formatKb(Math.round(r.memoryMaxBytes / 1024)) || '?'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** Two findings may share an id (a conflict), never an id and a cgroup. */
const containerKey = (c: SnapshotContainer) => `${c.id} ${c.cgroupPath}`;

const bytesKb = (b: number | undefined | null) => (b === undefined || b === null ? undefined : Math.round(b / 1024));
/** "12.0 M / 64.0 M", "12.0 M / no limit" */
export function memoryText(r: ContainerResources | undefined): string {
  if (!r || r.memoryBytes === undefined) return '';
  return `${formatKb(bytesKb(r.memoryBytes))} / ${r.memoryMaxBytes === null ? 'no limit' : r.memoryMaxBytes === undefined ? '?' : formatKb(bytesKb(r.memoryMaxBytes))}`;
}
const cpuLimitText = (r: ContainerResources | undefined) => (!r || r.cpuMaxCores === undefined ? '' : r.cpuMaxCores === null ? 'no limit' : `${Number(r.cpuMaxCores.toFixed(2))} CPU`);
const pidsText = (r: ContainerResources | undefined) => (!r || r.pidsCurrent === undefined ? '' : `${r.pidsCurrent} / ${r.pidsMax === null ? 'max' : (r.pidsMax ?? '?')}`);
/** a limit as a number to sort by: none sorts above any */
const limitValue = (v: number | null | undefined) => (v === null ? Number.MAX_SAFE_INTEGER : (v ?? -1));

function containerValue(c: SnapshotContainer, column: string, totals?: Map<string, ContainerTotals>): string | number {
  const r = c.resources;
  switch (column) {
    case 'cpu':
      return totals?.get(c.id)?.cpu ?? 0;
    case 'rss':
      return totals?.get(c.id)?.rssKb ?? 0;
    case 'memory':
      return r?.memoryBytes ?? -1;
    case 'memoryMax':
      return limitValue(r?.memoryMaxBytes);
    case 'cpuMax':
      return limitValue(r?.cpuMaxCores);
    case 'pidsUsed':
      return r?.pidsCurrent ?? -1;
    case 'oom':
      return r?.oomKills ?? -1;
    case 'throttled':
      return r?.throttledUsec ?? -1;
    case 'image':
      return c.image ?? '';
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
      { key: 'name', title: 'POD / NAME', width: 'minmax(200px, 1fr)', render: (c) => `${containerLabel(c)}${c.confirmed === false ? ' (unconfirmed)' : ''}`, text: (c) => `${containerLabel(c)}${c.confirmed === false ? `: not listed by ${c.runtime}'s own state` : ''}` },
      { key: 'qos', title: 'QOS', width: '100px', render: (c) => visibleText(c.qosClass ?? '') },
      { key: 'init', title: 'INIT PID', width: '80px', align: 'right', render: (c) => c.initPid ?? '' },
      { key: 'pids', title: 'PROCS', width: '60px', align: 'right', render: (c) => c.pids.length },
      { key: 'cpu', title: 'CPU%', width: '60px', align: 'right', render: (c) => (index.containerTotals.get(c.id)?.cpu ?? 0).toFixed(1) },
      { key: 'rss', title: 'RSS', width: '70px', align: 'right', render: (c) => formatKb(index.containerTotals.get(c.id)?.rssKb ?? 0) },
      { key: 'memory', title: 'MEM / LIMIT', width: '130px', align: 'right', render: (c) => memoryText(c.resources) },
      { key: 'cpuMax', title: 'CPU LIMIT', width: '80px', align: 'right', render: (c) => cpuLimitText(c.resources) },
      { key: 'pidsUsed', title: 'PIDS / MAX', width: '80px', align: 'right', render: (c) => pidsText(c.resources) },
      { key: 'oom', title: 'OOM', width: '50px', align: 'right', render: (c) => c.resources?.oomKills ?? '' },
      { key: 'image', title: 'IMAGE', width: 'minmax(120px, 1fr)', render: (c) => visibleText(c.image ?? ''), text: (c) => visibleText(c.image ?? '') },
    ],
    [index],
  );
  const comparison = useComparison();
  const compareLabel = useTabField('compare')?.label ?? '';
  const changesOnly = useView('changesOnly');
  const rows = useMemo(() => {
    const haystack = (c: SnapshotContainer) => [c.id, c.runtime, c.ociRuntime ?? '', containerLabel(c), c.podUid ?? '', c.namespace ?? '', c.hostname ?? '', c.cgroupPath].join('\u0000');
    return rowsWithChanges(sortRows(filterByText(index.snapshot.containers, text, haystack), (c, column) => containerValue(c, column, index.containerTotals), sort), comparison?.containers ?? null, changesOnly, (gone) => filterByText(gone, text, haystack));
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
      <Pods index={index} />
      <Pending snapshot={index.snapshot} part="containers">
        Container names, images, resources and the cgroup.procs check
      </Pending>
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
        onSort={(key) => patchView({ containerSort: nextSort<TableSort>(sort, key, !['runtime', 'id', 'name', 'qos', 'image'].includes(key)) })}
        emptyText={text ? 'No container matches.' : isPending(index.snapshot, 'containers') ? 'Containers: reading…' : 'No containers on this node.'}
      />
      {c ? <ContainerDetail index={index} c={c} /> : null}
    </div>
  );
}
