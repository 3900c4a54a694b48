/** The tabs of connected nodes and imported snapshots, and the active one's views. Each part selects only the fields it draws. */
import type { SnapshotPartial } from '../../../shared/snapshot/types';
import { visibleText } from '../../../shared/visible';
import { plural } from '../../../shared/words';
import { type Tab, type View, isStale, nextDelay, useShownIndex, useStore, useTabField, useView } from '../store';
import { ErrorBox, useNow } from './common';
import { ContainersView } from './ContainersView';
import { ErrorBoundary } from './ErrorBoundary';
import { ErrorsView } from './ErrorsView';
import { FleetView } from './FleetView';
import { HistoryBar } from './HistoryBar';
import { NamespacesView } from './NamespacesView';
import { NodeOverview } from './NodeOverview';
import { ProcessDetail } from './ProcessDetail';
import { ProcessesView } from './ProcessesView';
import { SocketsView } from './SocketsView';

const VIEWS: [View, string][] = [
  ['processes', 'Processes'],
  ['namespaces', 'Namespaces'],
  ['sockets', 'Sockets'],
  ['containers', 'Containers'],
  ['errors', 'Could not read'],
];

/** What a stale tab is doing: reconnecting (with what it has received), or when it tries again, counting down. */
function staleState(tab: Tab, now: number): string {
  const state = tab.status?.state;
  if (state === 'connecting') return 'reconnecting…';
  if (state === 'collecting' && tab.status?.bytes) return `reconnecting… (collecting ${formatBytes(tab.status.bytes)})`;
  if (tab.failures > 0) return `retry in ${Math.max(0, Math.round(((tab.retryAt ?? now + nextDelay(tab)) - now) / 1000))} s`;
  return tab.loading ? 'full read running' : 'waiting for the node';
}

const formatBytes = (b: number) => (b < 1024 * 1024 ? `${(b / 1024).toFixed(0)} KiB` : `${(b / 1024 / 1024).toFixed(1)} MB`);

function stateText(tab: Pick<Tab, 'kind' | 'loading' | 'status'>): string {
  if (tab.kind === 'import') return 'read-only';
  if (tab.loading && tab.status?.state === 'collecting') return `collecting${tab.status.bytes ? ` ${(tab.status.bytes / 1024).toFixed(0)} KiB` : ''}…`;
  return tab.status?.state ?? '';
}

function TabButton({ id }: { id: string }) {
  const tab = useStore((s) => s.tabs.get(id));
  const active = useStore((s) => s.activeTab === id);
  const setActiveTab = useStore((s) => s.setActiveTab);
  const closeTab = useStore((s) => s.closeTab);
  const now = useNow();
  if (!tab) return null;
  const stale = isStale(tab, now);
  return (
    <div className={`tab ${active ? 'active' : ''} ${tab.status?.state === 'failed' ? 'failed' : ''} ${stale ? 'stale' : ''}`} role="tab" aria-selected={active}>
      <button type="button" className="tab-label" data-testid={`tab-${tab.label}`} onClick={() => setActiveTab(id)}>
        {visibleText(tab.label)} <span className="muted">{stale ? 'stale' : stateText(tab)}</span>
      </button>
      <button type="button" className="icon" aria-label={`close ${tab.label}`} data-testid={`close-tab-${tab.label}`} onClick={() => void closeTab(id)}>
        ✕
      </button>
    </div>
  );
}

function FleetTabButton() {
  const fleetOpen = useStore((s) => s.fleetOpen);
  const openFleet = useStore((s) => s.openFleet);
  const nodes = useStore((s) => s.nodes.length);
  if (nodes === 0 && !fleetOpen) return null;
  return (
    <div className={`tab ${fleetOpen ? 'active' : ''}`} role="tab" aria-selected={fleetOpen}>
      <button type="button" className="tab-label" data-testid="tab-fleet" onClick={() => openFleet(true)}>
        Fleet <span className="muted">{plural(nodes, 'node')}</span>
      </button>
    </div>
  );
}

export function TabsBar() {
  const order = useStore((s) => s.tabOrder);
  return (
    <div className="tabs" role="tablist" data-testid="tabs">
      <FleetTabButton />
      {order.map((id) => (
        <TabButton key={id} id={id} />
      ))}
    </div>
  );
}

const INTERVALS = [1000, 2000, 5000, 10000, 30000];

function LiveControls({ tab }: { tab: Tab }) {
  const setLive = useStore((s) => s.setLive);
  const now = useNow();
  const stale = isStale(tab, now);
  const since = tab.staleSince ? new Date(tab.staleSince) : tab.updatedAt !== null ? new Date(tab.updatedAt) : null;
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
      {stale && since ? (
        <span className="badge stale" data-testid="stale-badge" title={tab.failures > 0 ? 'refreshes are failing; retrying with backoff' : 'no new data for several intervals'}>
          stale since {since.toLocaleTimeString()} · {staleState(tab, now)}
        </span>
      ) : tab.updatedAt !== null ? (
        <span className="muted" data-testid="updated-at">
          updated {new Date(tab.updatedAt).toLocaleTimeString()}
        </span>
      ) : null}
    </span>
  );
}

function TabHeader({ tab }: { tab: Tab }) {
  const refresh = useStore((s) => s.refresh);
  const exportSnapshot = useStore((s) => s.exportSnapshot);
  const selectedPid = useView('selectedPid');
  const node = tab.index?.snapshot.node;
  return (
    <div className="tab-header" data-testid="tab-header">
      <div className="tab-info">
        {tab.kind === 'import' ? (
          <span className="badge readonly" data-testid="readonly-badge">
            Imported from {visibleText(tab.importedFrom ?? '')}: read-only
          </span>
        ) : null}
        {node ? (
          <span data-testid="node-info">
            <strong>{visibleText(node.hostname)}</strong> {visibleText(node.target)} · kernel {visibleText(node.kernel)} · taken {new Date(node.collectedAt).toLocaleString()}
            {node.durationMs !== undefined ? ` in ${node.durationMs} ms` : ''}
            {node.viaSudo ? ' · via sudo' : ''}
          </span>
        ) : null}
        {node?.partial ? <PartialView partial={node.partial} total={tab.index?.snapshot.processes.length ?? 0} /> : null}
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

/** The header reads the whole tab (it shows most of it); the views below read only the index. */
function ActiveTabHeader() {
  const tab = useStore((s) => (s.activeTab ? s.tabs.get(s.activeTab) : undefined));
  return tab ? <TabHeader tab={tab} /> : null;
}

/** While a first read is on screen: what is still coming. */
function FirstReadProgress() {
  const pending = useTabField('index')?.snapshot.node.pending;
  return pending ? <Progress /> : null;
}

function Progress() {
  const state = useTabField('status')?.state;
  const bytes = useTabField('status')?.bytes;
  const pending = useTabField('index')?.snapshot.node.pending;
  const received = bytes ? ` (${(bytes / 1024).toFixed(0)} KiB received)` : '';
  if (pending) {
    return (
      <div className="progress first-read" data-testid="reading-rest" role="status">
        The process table is shown; still reading {pending.join(', ')}{received}…
      </div>
    );
  }
  return (
    <div className="progress" data-testid="collecting">
      {state === 'connecting' ? 'Connecting…' : `Collecting${received}…`}
    </div>
  );
}

function TabError() {
  const error = useTabField('error');
  const kind = useTabField('kind');
  const id = useTabField('id');
  const hasIndex = useTabField('index') != null;
  const nodeId = useTabField('nodeId');
  const refresh = useStore((s) => s.refresh);
  const closeTab = useStore((s) => s.closeTab);
  const connect = useStore((s) => s.connect);
  if (!error || !id) return null;
  // A tab whose connection never opened has nothing to refresh: retrying opens the node again.
  const retry = kind !== 'live' ? undefined : hasIndex || !nodeId ? () => void refresh(id) : () => void closeTab(id).then(() => connect(nodeId));
  return <ErrorBox error={error} onRetry={retry} />;
}

/** What the connection said on the way: a ProxyCommand's stderr, a host key recorded without asking. */
function ConnectionLog() {
  const log = useStore((s) => (s.activeTab ? s.tabs.get(s.activeTab)?.status?.log : undefined));
  if (!log?.length) return null;
  return (
    <details className="connection-log" data-testid="connection-log">
      <summary>Connection log ({log.length})</summary>
      <pre>{log.map((l) => visibleText(l)).join('\n')}</pre>
    </details>
  );
}

function ViewButtons() {
  const index = useShownIndex();
  const view = useView('view');
  const setView = useStore((s) => s.setView);
  if (!index) return null;
  const count: Record<View, number> = {
    processes: index.snapshot.processes.length,
    namespaces: index.snapshot.namespaces.length,
    sockets: index.snapshot.sockets.length,
    containers: index.snapshot.containers.length,
    errors: index.snapshot.errors.length,
  };
  return (
    <div className="views" role="tablist">
      {VIEWS.map(([v, label]) => (
        <button type="button" key={v} role="tab" aria-selected={view === v} className={view === v ? 'active' : ''} data-testid={`view-${v}`} onClick={() => setView(v)}>
          {label}
          <span className="muted"> {count[v]}</span>
        </button>
      ))}
    </div>
  );
}

function Content() {
  const index = useShownIndex();
  const id = useTabField('id');
  const view = useView('view');
  const selectedPid = useView('selectedPid');
  const detailOpen = useView('detailOpen');
  if (!index) return null;
  const detail = detailOpen && selectedPid !== null ? index.byPid.get(selectedPid) : undefined;
  return (
    <div className="content">
      <ErrorBoundary key={`${id}:${view}`} what={`The ${view} view`}>
        {view === 'processes' ? (
          <ProcessesView index={index} />
        ) : view === 'namespaces' ? (
          <NamespacesView index={index} />
        ) : view === 'sockets' ? (
          <SocketsView index={index} />
        ) : view === 'containers' ? (
          <ContainersView index={index} />
        ) : (
          <ErrorsView index={index} />
        )}
      </ErrorBoundary>
      {detail ? (
        <ErrorBoundary key={`${id}:${detail.pid}`} what={`Process ${detail.pid}`}>
          <ProcessDetail index={index} process={detail} />
        </ErrorBoundary>
      ) : null}
    </div>
  );
}

export function Workspace() {
  const hasTab = useStore((s) => s.activeTab !== null);
  const fleetOpen = useStore((s) => s.fleetOpen);
  const hasIndex = useTabField('index') != null;
  const loading = useTabField('loading');
  if (fleetOpen) {
    return (
      <ErrorBoundary what="The fleet view">
        <FleetView />
      </ErrorBoundary>
    );
  }
  if (!hasTab) {
    return (
      <div className="welcome" data-testid="welcome">
        <h2>Connect to a node</h2>
        <p>Pick "This machine", or add a node reached over SSH. Nothing is installed on the node: procscope reads /proc through one command per snapshot.</p>
      </div>
    );
  }
  return (
    <div className="workspace">
      <ActiveTabHeader />
      {hasIndex ? <NodeOverview /> : null}
      <TabError />
      <ConnectionLog />
      {hasIndex ? (
        <>
          {loading ? <FirstReadProgress /> : null}
          <HistoryBar />
          <ViewButtons />
          <Content />
        </>
      ) : loading ? (
        <Progress />
      ) : null}
    </div>
  );
}

/** One line: how many processes were not read in full, the way to the list, and advice only where it helps. */
function PartialView({ partial, total }: { partial: SnapshotPartial; total: number }) {
  const setView = useStore((s) => s.setView);
  const n = partial.processes ?? Math.max(partial.namespacesUnreadable, partial.fdsUnreadable);
  return (
    <div className="partial" data-testid="partial-view" role="note" title="their namespaces or open files were not read, so namespace members, containers' namespaces and socket holders may miss them">
      Partial view: {n} of {total} {total === 1 ? 'process' : 'processes'} not read in full.{' '}
      <button type="button" className="link" data-testid="partial-view-errors" onClick={() => setView('errors')}>
        Could not read
      </button>
      {partial.hint ? ` ${visibleText(partial.hint)}` : ''}
    </div>
  );
}

export function StatusBar() {
  const label = useTabField('label');
  const kind = useTabField('kind');
  const loading = useTabField('loading');
  const status = useTabField('status');
  const errors = useStore((s) => (s.activeTab ? (s.tabs.get(s.activeTab)?.index?.snapshot.errors.length ?? null) : null));
  const notice = useStore((s) => s.notice);
  const setNotice = useStore((s) => s.setNotice);
  const setView = useStore((s) => s.setView);
  return (
    <footer className="status" data-testid="status-bar">
      <span>{label !== undefined && kind ? `${visibleText(label)}: ${stateText({ kind, loading: loading ?? false, status: status ?? null })}` : 'Not connected'}</span>
      {errors !== null ? (
        <button type="button" className="link" data-testid="errors-link" title="processes that exited while read, or files the login may not read" onClick={() => setView('errors')}>
          {errors} could not be read
        </button>
      ) : null}
      {notice ? (
        <span className={`notice ${notice.kind}`} data-testid="notice" role={notice.kind === 'error' ? 'alert' : 'status'}>
          {visibleText(notice.text)}
          {notice.hint ? ` ${visibleText(notice.hint)}` : ''}
          <button type="button" className="icon" aria-label="dismiss" onClick={() => setNotice(null)}>
            ✕
          </button>
        </span>
      ) : null}
    </footer>
  );
}
