/**
 * Sockets, like `ss -tunaxp`: proto, state, queues, local, remote, the processes holding it and their user,
 * the process at the other end of a local connection, the net namespace and its container. Every column sorts;
 * "listening" is `ss -l`'s (bound UDP included), and ":PORT" filters on that port exactly.
 */
import { useMemo } from 'react';
import type { SnapshotSocket } from '../../../shared/snapshot/types';
import { visibleText } from '../../../shared/visible';
import { type SnapshotIndex, containerText, filterSockets, nextSort, nsKey, peerPids, sortRows } from '../model';
import { markClass, rowsWithChanges } from '../compare';
import { type TableSort, useComparison, useStore, useTabField, useView } from '../store';
import { FilterBar, Pending, PidLink, isPending, markColumn } from './common';
import { type Column, VirtualTable } from './VirtualTable';
import { netnsLabel } from '../../../shared/snapshot/netns-name';

const holders = (index: SnapshotIndex, pids: number[]) => pids.map((p) => `${visibleText(index.byPid.get(p)?.name ?? '?')}(${p})`).join(' ');

function socketColumns(index: SnapshotIndex): Column<SnapshotSocket>[] {
  const host = index.snapshot.node.hostNamespaces?.net;
  const user = (s: SnapshotSocket) => (s.uid === undefined ? '' : visibleText(index.userByUid.get(s.uid) ?? String(s.uid)));
  const netns = (s: SnapshotSocket) => (s.netns === host ? 'host' : s.netns == null ? '?' : visibleText(netnsLabel(s.netns, index.namespaceByKey.get(nsKey('net', s.netns))?.paths)));
  return [
    { key: 'proto', title: 'PROTO', width: '60px', render: (s) => (s.type && s.proto === 'unix' ? `u_${s.type.slice(0, 3)}` : s.proto) },
    { key: 'state', title: 'STATE', width: '90px', render: (s) => visibleText(s.state) },
    { key: 'rxQueue', title: 'RECV-Q', width: '64px', align: 'right', render: (s) => s.rxQueue ?? '' },
    { key: 'txQueue', title: 'SEND-Q', width: '64px', align: 'right', render: (s) => s.txQueue ?? '' },
    {
      key: 'local',
      title: 'LOCAL',
      width: 'minmax(150px, 1.3fr)',
      render: (s) => (s.ambiguous ? <span className="unreadable" title="two rows of /proc/net/unix claim this inode: one was forged by a socket name with a newline">name unknown: rows disagree</span> : visibleText(s.local) || '*'),
      text: (s) => visibleText(s.local),
    },
    { key: 'remote', title: 'REMOTE', width: 'minmax(130px, 1fr)', render: (s) => visibleText(s.remote) || '*', text: (s) => visibleText(s.remote) },
    {
      key: 'owners',
      title: 'PROCESSES',
      width: 'minmax(150px, 1.1fr)',
      render: (s) => (s.pids.length === 0 ? <span className="muted">none visible</span> : s.pids.map((p) => <PidLink key={p} pid={p} label={`${index.byPid.get(p)?.name ?? '?'}(${p})`} />)),
      text: (s) => holders(index, s.pids),
    },
    { key: 'user', title: 'USER', width: '90px', render: user, text: user },
    {
      key: 'peer',
      title: 'OTHER END',
      width: 'minmax(120px, 0.9fr)',
      render: (s) => peerPids(index, s).map((p) => <PidLink key={p} pid={p} label={`${index.byPid.get(p)?.name ?? '?'}(${p})`} />),
      text: (s) => holders(index, peerPids(index, s)),
    },
    { key: 'container', title: 'CONTAINER', width: '130px', render: (s) => visibleText(containerText(index, s.containerId)), text: (s) => visibleText(containerText(index, s.containerId)) },
    { key: 'netns', title: 'NET NS', width: '100px', render: netns },
  ];
}

function socketValue(index: SnapshotIndex, s: SnapshotSocket, column: string): string | number {
  switch (column) {
    case 'rxQueue':
      return s.rxQueue ?? -1;
    case 'txQueue':
      return s.txQueue ?? -1;
    case 'owners':
      return s.pids[0] ?? -1;
    case 'peer':
      return peerPids(index, s)[0] ?? -1;
    case 'user':
      return s.uid === undefined ? '' : (index.userByUid.get(s.uid) ?? String(s.uid));
    case 'container':
      return containerText(index, s.containerId);
    case 'netns':
      return s.netns ?? -1;
    case 'local':
    case 'remote':
    case 'proto':
    case 'state':
      return s[column];
    default:
      return '';
  }
}

const BIGGEST_FIRST = new Set(['rxQueue', 'txQueue']);

/** Unique per row: sockets no process holds any more (TIME-WAIT) all have inode 0, so their addresses tell them apart. */
const socketKey = (s: SnapshotSocket) => (s.inode !== 0 ? `${s.netns}:${s.proto}:${s.inode}` : `${s.netns}:${s.proto}:0:${s.local}>${s.remote}`);

export function SocketsView({ index }: { index: SnapshotIndex }) {
  const listeningOnly = useView('socketListeningOnly');
  const proto = useView('socketProto');
  const text = useView('socketText');
  const sort = useView('socketSort');
  const patchView = useStore((s) => s.patchView);
  const comparison = useComparison();
  const compareLabel = useTabField('compare')?.label ?? '';
  const changesOnly = useView('changesOnly');
  const rows = useMemo(
    () =>
      rowsWithChanges(sortRows(filterSockets(index.snapshot.sockets, listeningOnly, proto, text, index), (s, c) => socketValue(index, s, c), sort), comparison?.sockets ?? null, changesOnly, (gone) =>
        filterSockets(gone, listeningOnly, proto, text),
      ),
    [index, listeningOnly, proto, text, sort, comparison, changesOnly],
  );
  const columns = useMemo(() => [...(comparison ? [markColumn<SnapshotSocket>(comparison.sockets.markOf, compareLabel)] : []), ...socketColumns(index)], [index, comparison, compareLabel]);
  return (
    <div className="view">
      <FilterBar
        name="socket"
        placeholder="Filter: :PORT, address, pid, process, user or container"
        text={text}
        onText={(socketText) => patchView({ socketText })}
        shown={rows.length}
        total={index.snapshot.sockets.length}
        noun="sockets"
      >
        <label className="toggle" title="as ss -l: TCP listeners and bound sockets with no peer (UDP, raw, unix datagram)">
          <input type="checkbox" data-testid="listening-only" checked={listeningOnly} onChange={(e) => patchView({ socketListeningOnly: e.target.checked })} /> Listening
        </label>
        <select data-testid="socket-proto" value={proto} aria-label="protocol" onChange={(e) => patchView({ socketProto: e.target.value })}>
          {['all', 'tcp', 'udp', 'unix', 'raw'].map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </FilterBar>
      <Pending snapshot={index.snapshot} part="sockets">
        Sockets (the process table came first)
      </Pending>
      <VirtualTable
        testId="socket-table"
        rows={rows}
        columns={columns}
        rowKey={(s) => (comparison?.sockets.markOf(s) === '-' ? `gone:${socketKey(s)}` : socketKey(s))}
        rowClass={(s) => markClass(comparison?.sockets.markOf(s) ?? null)}
        selectedKey={null}
        onSelect={() => {}}
        sortKey={sort?.column}
        descending={sort?.descending}
        onSort={(key) => patchView({ socketSort: nextSort<TableSort>(sort, key, BIGGEST_FIRST.has(key)) })}
        emptyText={isPending(index.snapshot, 'sockets') ? 'Sockets: reading…' : 'No socket matches.'}
      />
    </div>
  );
}
