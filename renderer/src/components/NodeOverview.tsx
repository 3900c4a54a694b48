/** The node at a glance, under the tab's header: load, CPU (all and per core), memory, swap, uptime, tasks, pressure; graphs of the last minutes while live. */
import type { SnapshotNode } from '../../../shared/snapshot/types';
import { formatKb } from '../model';
import { formatUptime } from '../overview';
import { useShownIndex, useTabField } from '../store';

/** A small line graph of values (nulls are gaps), scaled to max (or the values' own). */
export function Sparkline({ values, max, testId, title }: { values: (number | null)[]; max?: number; testId: string; title: string }) {
  const w = 120;
  const h = 24;
  const top = max ?? Math.max(1, ...values.map((v) => v ?? 0));
  const points = values.map((v, i) => (v === null ? null : `${((i / Math.max(1, values.length - 1)) * w).toFixed(1)},${(h - (Math.min(v, top) / top) * h).toFixed(1)}`)).filter(Boolean);
  return (
    <svg className="sparkline" width={w} height={h} viewBox={`0 0 ${w} ${h}`} data-testid={testId} data-points={points.length} role="img" aria-label={title}>
      <title>{title}</title>
      <polyline points={points.join(' ')} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v.toFixed(0)}%`);

function Bar({ value, testId, title }: { value: number | null | undefined; testId: string; title: string }) {
  return (
    <span className="bar" data-testid={testId} data-value={value ?? ''} title={title}>
      <span style={{ height: `${Math.max(0, Math.min(100, value ?? 0))}%` }} />
    </span>
  );
}

function Pressure({ node }: { node: SnapshotNode }) {
  const psi = node.pressure;
  if (!psi) return <span className="muted">no PSI on this kernel</span>;
  return (
    <span data-testid="overview-pressure" title="the share of time some task waited for it, over the last 10 s (60 s, 300 s in the tooltip)">
      {(['cpu', 'memory', 'io'] as const).map((k) =>
        psi[k] ? (
          <span key={k} className="psi" title={`${k}: some ${psi[k]!.some.avg10}% / ${psi[k]!.some.avg60}% / ${psi[k]!.some.avg300}% over 10 s, 1 min, 5 min${psi[k]!.full ? `; full ${psi[k]!.full!.avg10}%` : ''}`} data-testid={`psi-${k}`} data-avg10={psi[k]!.some.avg10}>
            {k} {psi[k]!.some.avg10.toFixed(1)}%
          </span>
        ) : null,
      )}
    </span>
  );
}

export function NodeOverview() {
  const index = useShownIndex();
  const samples = useTabField('samples') ?? [];
  const kind = useTabField('kind');
  if (!index) return null;
  const node = index.snapshot.node;
  const mem = node.memory;
  const threads = index.snapshot.processes.reduce((n, p) => n + (p.threads ?? 1), 0);
  const recent = samples.slice(-150);
  return (
    <div className="overview" data-testid="overview">
      <span className="item" data-testid="overview-load" data-fifteen={node.load?.fifteen ?? ''} title={node.load ? `${node.load.running} of ${node.load.tasks} tasks runnable` : undefined}>
        <span className="muted">load</span> {node.load ? `${node.load.one.toFixed(2)} ${node.load.five.toFixed(2)} ${node.load.fifteen.toFixed(2)}` : '–'}
      </span>
      <span className="item" data-testid="overview-cpu" data-value={node.cpuPercent ?? ''} title={kind === 'live' ? 'busy share since the last refresh' : 'busy share since boot (one reading)'}>
        <span className="muted">CPU</span> {pct(node.cpuPercent)}
        <span className="cores" data-testid="overview-cores">
          {(node.corePercents ?? []).map((c, i) => (
            <Bar key={i} value={c} testId={`core-${node.cpu?.cores[i]?.core ?? i}`} title={`cpu${node.cpu?.cores[i]?.core ?? i}: ${pct(c)}`} />
          ))}
        </span>
        {kind === 'live' ? <Sparkline values={recent.map((s) => s.cpu)} max={100} testId="node-cpu-graph" title="CPU%, last minutes" /> : null}
      </span>
      {mem ? (
        <span className="item" data-testid="overview-memory" data-total-kb={mem.totalKb} data-available-kb={mem.availableKb} title={`${formatKb(mem.availableKb)} available, ${formatKb(mem.cachedKb)} cache, ${formatKb(mem.buffersKb)} buffers`}>
          <span className="muted">mem</span> {formatKb(mem.totalKb - mem.availableKb)} / {formatKb(mem.totalKb)}
          {kind === 'live' ? <Sparkline values={recent.map((s) => s.memUsedKb)} max={mem.totalKb} testId="node-mem-graph" title="memory in use, last minutes" /> : null}
        </span>
      ) : null}
      {mem ? (
        <span className="item" data-testid="overview-swap" data-total-kb={mem.swapTotalKb}>
          <span className="muted">swap</span> {mem.swapTotalKb ? `${formatKb(mem.swapTotalKb - mem.swapFreeKb)} / ${formatKb(mem.swapTotalKb)}` : 'none'}
        </span>
      ) : null}
      {node.uptimeSec ? (
        <span className="item" data-testid="overview-uptime">
          <span className="muted">up</span> {formatUptime(node.uptimeSec)}
        </span>
      ) : null}
      <span className="item" data-testid="overview-tasks">
        <span className="muted">tasks</span> {index.snapshot.processes.length} processes, {threads} threads
      </span>
      <span className="item">
        <span className="muted">pressure</span> <Pressure node={node} />
      </span>
    </div>
  );
}
