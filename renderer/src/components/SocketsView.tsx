/** Sockets, like ss -tunaxp: proto, local, remote, state, owner processes, net namespace; listening and proto filters. */
import { useMemo } from 'react';
import type { SnapshotSocket } from '../../../shared/snapshot/types';
import { type SnapshotIndex, filterSockets } from '../model';
import { useStore } from '../store';
import { visibleText } from '../../../shared/visible';
import { PidLink, shortId } from './common';
import { type Column, VirtualTable } from './VirtualTable';

export function SocketsView({ index }: { index: SnapshotIndex }) {
  const listeningOnly = useStore((s) => s.socketListeningOnly);
  const proto = useStore((s) => s.socketProto);
  const setSocketFilter = useStore((s) => s.setSocketFilter);
  const text = useStore((s) => s.socketText);
  const setSocketText = useStore((s) => s.setSocketText);
  const host = index.snapshot.node.hostNamespaces?.net;
  const rows = useMemo(() => filterSockets(index.snapshot.sockets, listeningOnly, proto, text, index), [index, listeningOnly, proto, text]);
  const columns: Column<SnapshotSocket>[] = useMemo(
    () => [
      { key: 'proto', title: 'PROTO', width: '60px', render: (s) => (s.type && s.proto === 'unix' ? `u_${s.type.slice(0, 3)}` : s.proto) },
      { key: 'state', title: 'STATE', width: '90px', render: (s) => s.state },
      { key: 'local', title: 'LOCAL', width: 'minmax(160px, 1.4fr)', render: (s) => (s.ambiguous ? <span className="unreadable" title="two rows of /proc/net/unix claim this inode: one was forged by a socket name with a newline">name unknown: rows disagree</span> : visibleText(s.local) || '*') },
      { key: 'remote', title: 'REMOTE', width: 'minmax(140px, 1fr)', render: (s) => visibleText(s.remote) || '*' },
      {
        key: 'owners',
        title: 'PROCESSES',
        width: 'minmax(160px, 1.2fr)',
        render: (s) => (s.pids.length === 0 ? <span className="muted">none visible</span> : s.pids.map((p) => <PidLink key={p} pid={p} label={`${visibleText(index.byPid.get(p)?.name ?? '?')}(${p})`} />)),
      },
      { key: 'netns', title: 'NET NS', width: '150px', render: (s) => (s.netns === host ? 'host' : s.containerId ? `${s.netns} ${shortId(s.containerId)}` : String(s.netns ?? '?')) },
    ],
    [index, host],
  );
  return (
    <div className="view">
      <div className="toolbar">
        <input className="filter" data-testid="socket-filter" placeholder="Filter: address, port, pid or process name" value={text} onChange={(e) => setSocketText(e.target.value)} />
        <label className="toggle">
          <input type="checkbox" data-testid="listening-only" checked={listeningOnly} onChange={(e) => setSocketFilter(e.target.checked, proto)} /> Listening only
        </label>
        <select data-testid="socket-proto" value={proto} onChange={(e) => setSocketFilter(listeningOnly, e.target.value)}>
          {['all', 'tcp', 'udp', 'unix', 'raw'].map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <span className="count">
          {rows.length} of {index.snapshot.sockets.length} sockets
        </span>
      </div>
      <VirtualTable testId="socket-table" rows={rows} columns={columns} rowKey={(s) => `${s.netns}:${s.proto}:${s.inode}`} selectedKey={null} onSelect={() => {}} />
    </div>
  );
}
