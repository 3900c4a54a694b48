/**
 * The fleet view: every saved node by group, with its state, process and container counts and load; one search box
 * that asks a question of them all, its matches listed as nodes answer, each a click away from the process's detail.
 */
import { type FormEvent, useState } from 'react';
import type { FleetMatch, FleetNodeStatus, SavedNode } from '../../../shared/api';
import { FLEET_TIMEOUT_RANGE } from '../../../shared/settings';
import { visibleText } from '../../../shared/visible';
import { plural } from '../../../shared/words';
import { fleetNodeState, nodesByGroup } from '../store/fleet';
import { useStore } from '../store';
import { useNow } from './common';

function destination(n: SavedNode): string {
  if (n.kind === 'command') return `$ ${n.command ?? ''}`;
  return `${n.user ? `${n.user}@` : ''}${n.host}${n.port ? `:${n.port}` : ''}`;
}

/** "12 s ago", "5 min ago" */
function age(iso: string | undefined, now: number): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

function NodeRow({ node, status, now }: { node: SavedNode; status: FleetNodeStatus | undefined; now: number }) {
  const state = fleetNodeState(status);
  const openNode = useStore((s) => s.connect);
  const load = status?.load;
  return (
    <tr data-testid={`fleet-node-${node.name}`} className={`fleet-node ${state.replace(' ', '-')}`}>
      <td>
        <button type="button" className="link" title={`open ${node.name}`} onClick={() => void openNode(node.id)}>
          {visibleText(node.name)}
        </button>
        <div className="muted">{visibleText(destination(node))}</div>
      </td>
      <td>
        <span className={`badge state-${state.replace(' ', '-')}`} data-testid="fleet-state" title={state === 'stale' ? `as of ${status?.answeredAt ? new Date(status.answeredAt).toLocaleTimeString() : '?'}; its connection was closed since` : undefined}>
          {state}
        </span>
        {state === 'failed' && status?.error ? (
          <div className="fleet-error" data-testid="fleet-error" role="note">
            {visibleText(status.error.message)}
            {status.error.hint ? <span className="muted"> {visibleText(status.error.hint)}</span> : null}
          </div>
        ) : null}
      </td>
      <td className="num" data-testid="fleet-processes">{status?.processes ?? ''}</td>
      <td className="num" data-testid="fleet-containers">{status?.containers ?? ''}</td>
      <td className="num" data-testid="fleet-load" title={load ? `1, 5 and 15 minutes; ${load.running} of ${load.tasks} tasks runnable` : undefined}>
        {load ? `${load.one.toFixed(2)} ${load.five.toFixed(2)} ${load.fifteen.toFixed(2)}` : ''}
      </td>
      <td className="muted">
        {visibleText(status?.hostname ?? '')}
        {status?.answeredAt ? <div>{age(status.answeredAt, now)}{status.ms !== undefined ? ` · ${status.ms} ms` : ''}</div> : null}
      </td>
    </tr>
  );
}

function NodeGroups({ text }: { text: string }) {
  const nodes = useStore((s) => s.nodes);
  const statuses = useStore((s) => s.fleetStatus);
  const askFleet = useStore((s) => s.askFleet);
  const running = useStore((s) => s.fleetRun?.running ?? false);
  const now = useNow(5000);
  return (
    <div className="fleet-groups" data-testid="fleet-groups">
      {nodesByGroup(nodes).map(([group, members]) => {
        const failed = members.filter((n) => statuses.get(n.id)?.state === 'failed').length;
        return (
          <section key={group} className="fleet-group" data-testid={`fleet-group-${group}`}>
            <h3>
              {visibleText(group)} <span className="muted">{plural(members.length, 'node')}{failed ? `, ${failed} failed` : ''}</span>{' '}
              <button
                type="button"
                className="link"
                data-testid={`fleet-ask-group-${group}`}
                disabled={running}
                title={text.trim() ? `ask ${text.trim()} of this group only` : "refresh this group's states"}
                onClick={() => void askFleet(text.trim(), members.map((n) => n.id))}
              >
                {text.trim() ? 'ask this group' : 'refresh this group'}
              </button>
            </h3>
            <table className="fleet-table">
              <thead>
                <tr>
                  <th>Node</th>
                  <th>State</th>
                  <th className="num">Processes</th>
                  <th className="num">Containers</th>
                  <th className="num">Load</th>
                  <th>Host name</th>
                </tr>
              </thead>
              <tbody>
                {members.map((n) => (
                  <NodeRow key={n.id} node={n} status={statuses.get(n.id)} now={now} />
                ))}
              </tbody>
            </table>
          </section>
        );
      })}
    </div>
  );
}

function where(m: FleetMatch): string {
  if (!m.containerId) return '';
  return `${m.pod ? `pod ${m.pod}, ` : ''}${m.container ?? m.containerId.slice(0, 12)}`;
}

function Matches() {
  const run = useStore((s) => s.fleetRun);
  const nodes = useStore((s) => s.nodes);
  const openMatch = useStore((s) => s.openFleetMatch);
  if (!run || run.text === '' || run.error) return null;
  const nameOf = new Map(nodes.map((n) => [n.id, n.name]));
  const failed = run.answer?.failed ?? [];
  return (
    <section className="fleet-matches" data-testid="fleet-matches">
      <h3>
        {run.matches.length} matches{run.answer ? ` on ${new Set(run.matches.map((m) => m.nodeId)).size} of ${run.answer.answered} nodes that answered` : ''} <span className="muted">for {visibleText(run.answer?.query ?? run.text)}</span>
      </h3>
      {run.matches.length ? (
        <table className="fleet-table">
          <thead>
            <tr>
              <th>Node</th>
              <th className="num">PID</th>
              <th>Name</th>
              <th>User</th>
              <th>Container</th>
              <th>Matched</th>
            </tr>
          </thead>
          <tbody>
            {run.matches.map((m) => {
              const node = nameOf.get(m.nodeId) ?? m.nodeId;
              return (
                <tr key={`${m.nodeId}:${m.pid}`} data-testid={`fleet-match-${node}-${m.pid}`}>
                  <td>{visibleText(node)}</td>
                  <td className="num">
                    <button type="button" className="link" title={`open process ${m.pid} on ${node}`} data-testid="fleet-open-match" onClick={() => void openMatch(m.nodeId, m.pid)}>
                      {m.pid}
                    </button>
                  </td>
                  <td>{visibleText(m.name)}</td>
                  <td>{visibleText(m.user ?? '?')}</td>
                  <td>{visibleText(where(m))}</td>
                  <td className="muted">{visibleText(m.matched.join('; '))}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {failed.length ? (
        <div className="fleet-failed" data-testid="fleet-failed" role="note">
          {failed.length} nodes did not answer:
          <ul>
            {failed.map((f) => (
              <li key={f.nodeId}>
                <strong>{visibleText(nameOf.get(f.nodeId) ?? f.nodeId)}</strong>: {visibleText(f.error.message)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

function Progress() {
  const run = useStore((s) => s.fleetRun);
  const statuses = useStore((s) => s.fleetStatus);
  if (!run) return null;
  const states = run.nodeIds.map((id) => statuses.get(id)?.state);
  const done = states.filter((s) => s === 'answered' || s === 'failed').length;
  const failed = states.filter((s) => s === 'failed').length;
  return (
    <p className="muted" data-testid="fleet-progress" role="status">
      {run.running ? `Asking ${run.nodeIds.length} nodes: ${done} answered or failed (${failed} failed)…` : `${run.nodeIds.length - failed} of ${run.nodeIds.length} nodes answered${failed ? `; ${failed} failed` : ''}.`}
    </p>
  );
}

/** The per-node deadline, kept in settings.json: a loaded fleet needs more than the default. */
function DeadlineSetting() {
  const saved = useStore((s) => s.fleetTimeoutSec);
  const setFleetTimeout = useStore((s) => s.setFleetTimeout);
  const [text, setText] = useState<string | null>(null);
  const commit = () => {
    if (text === null) return;
    const sec = Number(text);
    void setFleetTimeout(text.trim() !== '' && Number.isInteger(sec) ? sec : null).then(() => setText(null));
  };
  return (
    <label className="fleet-deadline" title="how long each node may take to answer, connection included; a node past it fails with that reason">
      each node within{' '}
      <input
        data-testid="fleet-timeout"
        type="number"
        min={FLEET_TIMEOUT_RANGE.min}
        max={FLEET_TIMEOUT_RANGE.max}
        value={text ?? (saved === null ? '' : String(saved))}
        placeholder="60"
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit();
          }
        }}
      />{' '}
      s
    </label>
  );
}

export function FleetView() {
  const nodes = useStore((s) => s.nodes.length);
  const askFleet = useStore((s) => s.askFleet);
  const running = useStore((s) => s.fleetRun?.running ?? false);
  const error = useStore((s) => s.fleetRun?.error ?? null);
  const setNodeDialog = useStore((s) => s.setNodeDialog);
  const text = useStore((s) => s.fleetText);
  const setText = useStore((s) => s.setFleetText);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) void askFleet(text.trim());
  };
  if (nodes === 0) {
    return (
      <div className="welcome" data-testid="fleet-view">
        <h2>No saved nodes yet</h2>
        <p>Add nodes, or import them from an inventory: a file of hosts, an Ansible inventory, ~/.ssh/config or kubectl.</p>
        <button type="button" onClick={() => setNodeDialog({ mode: 'inventory' })}>
          Import an inventory…
        </button>
      </div>
    );
  }
  return (
    <div className="fleet" data-testid="fleet-view">
      <form className="fleet-search" onSubmit={submit} role="search">
        <input
          data-testid="fleet-query"
          aria-label="ask every node"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="port:6443 · name:^kube · cmdline:RE · exe:/usr/bin/agent · container:3f2a · pod:NAME · user:www-data"
        />
        <button type="submit" className="primary" data-testid="fleet-ask" disabled={running || text.trim() === ''}>
          {running ? 'Asking…' : `Ask ${plural(nodes, 'node')}`}
        </button>
        <button type="button" data-testid="fleet-refresh" disabled={running} title="each node's state, counts and load" onClick={() => void askFleet('')}>
          Refresh states
        </button>
        <DeadlineSetting />
      </form>
      {error ? (
        <p className="route error" data-testid="fleet-query-error" role="alert">
          {visibleText(error.message)} {error.hint ? <span className="muted">{visibleText(error.hint)}</span> : null}
        </p>
      ) : null}
      <Progress />
      <Matches />
      <NodeGroups text={text} />
    </div>
  );
}
