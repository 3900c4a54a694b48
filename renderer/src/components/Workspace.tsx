/** The tabs of connected nodes and imported snapshots, and the active one's views. */
import { useEffect } from 'react';
import { type View, type Tab, nextDelay, useActiveTab, useStore } from '../store';
import { ErrorBox } from './common';
import { ContainersView } from './ContainersView';
import { NamespacesView } from './NamespacesView';
import { ProcessDetail } from './ProcessDetail';
import { ProcessesView } from './ProcessesView';
import { SocketsView } from './SocketsView';

const VIEWS: [View, string][] = [
  ['processes', 'Processes'],
  ['namespaces', 'Namespaces'],
  ['sockets', 'Sockets'],
  ['containers', 'Containers'],
];

function stateText(tab: Tab): string {
  if (tab.kind === 'import') return 'read-only';
  if (tab.loading && tab.status?.state === 'collecting') return `collecting${tab.status.bytes ? ` ${(tab.status.bytes / 1024).toFixed(0)} KiB` : ''}…`;
  return tab.status?.state ?? '';
}

export function TabsBar() {
  const order = useStore((s) => s.tabOrder);
  const tabs = useStore((s) => s.tabs);
  const active = useStore((s) => s.activeTab);
  const setActiveTab = useStore((s) => s.setActiveTab);
  const closeTab = useStore((s) => s.closeTab);
  return (
    <div className="tabs" role="tablist" data-testid="tabs">
      {order.map((id) => {
        const tab = tabs.get(id)!;
        return (
          <div key={id} className={`tab ${id === active ? 'active' : ''} ${tab.status?.state === 'failed' ? 'failed' : ''}`} role="tab" aria-selected={id === active}>
            <button type="button" className="tab-label" data-testid={`tab-${tab.label}`} onClick={() => setActiveTab(id)}>
              {tab.label} <span className="muted">{stateText(tab)}</span>
            </button>
            <button type="button" className="icon" aria-label={`close ${tab.label}`} onClick={() => void closeTab(id)}>
              ✕
            </button>
          </div>
        );
      })}
    </div>
  );
}

/** Runs the active tab's live refresh: the next one starts when the last is done, after the interval (or the backoff). */
function useLiveLoop(tab: Tab | null) {
  const liveTick = useStore((s) => s.liveTick);
  const id = tab?.id;
  const running = tab !== null && tab.kind === 'live' && tab.live && tab.index !== null;
  const delay = tab ? nextDelay(tab) : 0;
  const ticks = tab?.ticks;
  const failures = tab?.failures;
  useEffect(() => {
    if (!running || !id) return;
    const timer = setTimeout(() => void liveTick(id), delay);
    return () => clearTimeout(timer);
  }, [running, id, delay, ticks, failures, liveTick]);
}

const INTERVALS = [1000, 2000, 5000, 10000, 30000];

function LiveControls({ tab }: { tab: Tab }) {
  const setLive = useStore((s) => s.setLive);
  const node = tab.index?.snapshot.node;
  return (
    <span className="live-controls">
      <label className="toggle">
        <input type="checkbox" data-testid="live-toggle" checked={tab.live} onChange={(e) => setLive(tab.id, e.target.checked)} /> Live
      </label>
      <select data-testid="live-interval" value={tab.intervalMs} onChange={(e) => setLive(tab.id, tab.live, Number(e.target.value))} aria-label="refresh interval">
        {INTERVALS.map((ms) => (
          <option key={ms} value={ms}>
            every {ms / 1000} s
          </option>
        ))}
      </select>
      {tab.staleSince ? (
        <span className="badge stale" data-testid="stale-badge" title="refreshes are failing; retrying with backoff">
          stale since {new Date(tab.staleSince).toLocaleTimeString()} · retry in {Math.round(nextDelay(tab) / 1000)} s
        </span>
      ) : node ? (
        <span className="muted" data-testid="updated-at">
          updated {new Date(node.collectedAt).toLocaleTimeString()}
        </span>
      ) : null}
    </span>
  );
}

function TabHeader({ tab }: { tab: Tab }) {
  const refresh = useStore((s) => s.refresh);
  const exportSnapshot = useStore((s) => s.exportSnapshot);
  const selectedPid = useStore((s) => s.selectedPid);
  const node = tab.index?.snapshot.node;
  return (
    <div className="tab-header" data-testid="tab-header">
      <div>
        {tab.kind === 'import' ? (
          <span className="badge readonly" data-testid="readonly-badge">
            Imported from {tab.importedFrom}: read-only
          </span>
        ) : null}
        {node ? (
          <span data-testid="node-info">
            <strong>{node.hostname}</strong> {node.target} · kernel {node.kernel} · taken {new Date(node.collectedAt).toLocaleString()}
            {node.durationMs !== undefined ? ` in ${node.durationMs} ms` : ''}
            {node.viaSudo ? ' · via sudo' : ''}
          </span>
        ) : null}
        {node?.partial ? (
          <div className="partial" data-testid="partial-view" role="note">
            Partial view: the namespaces of {node.partial.namespacesUnreadable} and the open files of {node.partial.fdsUnreadable} processes could not be read, so
            namespace members, containers' namespaces and socket holders are incomplete. {node.partial.hint}
          </div>
        ) : null}
      </div>
      <div className="actions">
        {tab.kind === 'live' ? <LiveControls tab={tab} /> : null}
        {tab.kind === 'live' ? (
          <button type="button" data-testid="refresh" title="a full read: fds, sockets, namespaces, cgroups" disabled={tab.loading} onClick={() => void refresh(tab.id)}>
            {tab.loading ? 'Collecting…' : 'Full refresh'}
          </button>
        ) : null}
        <button type="button" data-testid="export-node" disabled={!tab.index} onClick={() => void exportSnapshot('node')}>
          Export snapshot
        </button>
        <button type="button" data-testid="export-process" disabled={!tab.index || selectedPid === null} onClick={() => void exportSnapshot('process')}>
          Export process tree
        </button>
      </div>
    </div>
  );
}

export function Workspace() {
  const tab = useActiveTab();
  useLiveLoop(tab);
  const view = useStore((s) => s.view);
  const setView = useStore((s) => s.setView);
  const selectedPid = useStore((s) => s.selectedPid);
  const detailOpen = useStore((s) => s.detailOpen);
  const refresh = useStore((s) => s.refresh);
  if (!tab) {
    return (
      <div className="welcome" data-testid="welcome">
        <h2>Connect to a node</h2>
        <p>Pick "This machine", or add a node reached over SSH. Nothing is installed on the node: procscope reads /proc through one command per snapshot.</p>
      </div>
    );
  }
  const index = tab.index;
  const detail = index && detailOpen && selectedPid !== null ? index.byPid.get(selectedPid) : undefined;
  return (
    <div className="workspace">
      <TabHeader tab={tab} />
      {tab.error ? <ErrorBox error={tab.error} onRetry={tab.kind === 'live' ? () => void refresh(tab.id) : undefined} /> : null}
      {index ? (
        <>
          <div className="views" role="tablist">
            {VIEWS.map(([v, label]) => (
              <button type="button" key={v} role="tab" aria-selected={view === v} className={view === v ? 'active' : ''} data-testid={`view-${v}`} onClick={() => setView(v)}>
                {label}
                <span className="muted">
                  {' '}
                  {v === 'processes' ? index.snapshot.processes.length : v === 'namespaces' ? index.snapshot.namespaces.length : v === 'sockets' ? index.snapshot.sockets.length : index.snapshot.containers.length}
                </span>
              </button>
            ))}
          </div>
          <div className="content">
            {view === 'processes' ? <ProcessesView index={index} /> : view === 'namespaces' ? <NamespacesView index={index} /> : view === 'sockets' ? <SocketsView index={index} /> : <ContainersView index={index} />}
            {detail ? <ProcessDetail index={index} process={detail} /> : null}
          </div>
        </>
      ) : tab.loading ? (
        <div className="progress" data-testid="collecting">
          {tab.status?.state === 'connecting' ? 'Connecting…' : `Collecting${tab.status?.bytes ? ` (${(tab.status.bytes / 1024).toFixed(0)} KiB received)` : ''}…`}
        </div>
      ) : null}
    </div>
  );
}

export function StatusBar() {
  const tab = useActiveTab();
  const notice = useStore((s) => s.notice);
  const setNotice = useStore((s) => s.setNotice);
  const errors = tab?.index?.snapshot.errors.length ?? 0;
  return (
    <footer className="status" data-testid="status-bar">
      <span>{tab ? `${tab.label}: ${stateText(tab)}` : 'Not connected'}</span>
      {tab?.index ? <span title="processes that exited while read, or files the login may not read">{errors} could not be read</span> : null}
      {notice ? (
        <span className={`notice ${notice.kind}`} data-testid="notice" role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
          {notice.hint ? ` ${notice.hint}` : ''}
          <button type="button" className="icon" aria-label="dismiss" onClick={() => setNotice(null)}>
            ✕
          </button>
        </span>
      ) : null}
    </footer>
  );
}
