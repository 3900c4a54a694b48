/**
 * A diff as text for a terminal, like diff(1): "+" came, "-" went, "~" changed, grouped, listeners first (a new
 * listening port is the first thing a responder looks for). Every text from a node goes through visibleText.
 */
import { plural } from '../words';
import { shortId } from '../containers/summary';
import { commandLineText } from '../process-columns';
import { visibleText } from '../visible';
import type { ContainerRef, FieldChange, NamespaceRef, ProcessRef, SnapshotDiff, SocketRef } from './types';

const v = (text: string) => visibleText(text);

function commandLine(p: ProcessRef): string {
  return p.cmdline.length > 0 ? commandLineText(p.cmdline) : `[${p.name}]`;
}

function processLine(p: ProcessRef): string {
  const container = p.containerId ? `  [${p.container ? `${p.container} ` : ''}${shortId(p.containerId)}]` : '';
  const started = p.startedAt ? `  started ${p.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}` : '';
  return v(`${p.pid} ${p.user ?? p.uid} ${commandLine(p)}`) + v(container) + started;
}

function holders(s: SocketRef): string {
  return s.holders.length ? s.holders.map((h) => `${h.pid}/${h.name}`).join(', ') : 'no process';
}

function socketLine(s: SocketRef): string {
  const ends = s.remote && !/^(0\.0\.0\.0|\*|\[::\]):(0|\*)$/.test(s.remote) ? `${s.local} → ${s.remote}` : s.local || '(unnamed)';
  return v(`${s.proto} ${ends} ${s.state}  ${holders(s)}${s.containerId ? `  [${shortId(s.containerId)}]` : ''}`);
}

function containerLine(c: ContainerRef): string {
  const name = c.podName ? `${c.podNamespace ?? '?'}/${c.podName}${c.name ? `/${c.name}` : ''}` : (c.name ?? '-');
  return v(`${c.runtime} ${shortId(c.id)} ${name}  init ${c.initPid ?? '?'}, ${c.processes} process${c.processes === 1 ? '' : 'es'}`);
}

function namespaceLine(n: NamespaceRef): string {
  const where = n.containerId ? `  [${shortId(n.containerId)}]` : '';
  return v(`${n.type} ${n.inode}  ${n.processes} process${n.processes === 1 ? '' : 'es'}${n.paths.length ? `  ${n.paths.join(', ')}` : ''}${where}`);
}

const kb = (n: unknown) => (typeof n === 'number' ? (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} GiB` : `${(n / 1024).toFixed(1)} MiB`) : String(n));

function changeText(c: FieldChange): string {
  const show = (x: FieldChange['before']) => (Array.isArray(x) ? (c.field === 'cmdline' ? commandLineText(x) : x.join(' ')) : c.field === 'rss' ? kb(x) : String(x));
  const name = c.field === 'namespace' ? `${c.detail} namespace` : c.field;
  return v(`${name} ${show(c.before)} → ${show(c.after)}`);
}

/** "+12 processes, -3, 2 changed; +2 listeners, -0; ..." */
export function summaryLine(d: SnapshotDiff): string {
  const s = d.summary;
  const parts = [
    `+${plural(s.processesStarted, 'process', 'processes')}, -${s.processesExited}, ${s.processesChanged} changed`,
    `+${plural(s.listenersAdded, 'listener')}, -${s.listenersRemoved}`,
    `+${plural(s.containersCreated, 'container')}, -${s.containersGone}`,
  ];
  if (d.matching === 'identity') parts.push(`+${plural(s.socketsOpened, 'socket')}, -${s.socketsClosed}`, `+${plural(s.namespacesCreated, 'namespace')}, -${s.namespacesGone}`);
  return parts.join('; ');
}

export function formatDiff(d: SnapshotDiff): string {
  const out: string[] = [];
  const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const node = d.from.hostname === d.to.hostname ? v(d.from.hostname) : `${v(d.from.hostname)} → ${v(d.to.hostname)}`;
  out.push(`procscope diff: ${node}, ${when(d.from.collectedAt)} → ${when(d.to.collectedAt)}`);
  out.push(
    d.matching === 'identity'
      ? 'Matched by identity: a process is its boot id, pid and start time (a reused pid is an exit and a start), a socket its namespace and inode.'
      : `Matched by similarity, because ${v(d.matchingReason ?? 'they are different nodes')}: processes by name and command line, listeners by protocol, port and process, containers by name; sockets and namespaces are not compared.`,
  );
  out.push(summaryLine(d));
  const section = (title: string, lines: string[]) => {
    if (lines.length === 0) return;
    out.push('', `${title} (${lines.length})`, ...lines);
  };
  section('Listeners added', d.listeners.added.map((s) => `+ ${socketLine(s)}`));
  section('Listeners removed', d.listeners.removed.map((s) => `- ${socketLine(s)}`));
  section('Processes started', d.processes.started.map((p) => `+ ${processLine(p)}`));
  section('Processes exited', d.processes.exited.map((p) => `- ${processLine(p)}`));
  section('Processes changed', d.processes.changed.map((c) => `~ ${processLine(c.process)}\n    ${c.changes.map(changeText).join('\n    ')}`));
  section('Containers created', d.containers.created.map((c) => `+ ${containerLine(c)}`));
  section('Containers gone', d.containers.gone.map((c) => `- ${containerLine(c)}`));
  section('Namespaces created', d.namespaces.created.map((n) => `+ ${namespaceLine(n)}`));
  section('Namespaces gone', d.namespaces.gone.map((n) => `- ${namespaceLine(n)}`));
  const inet = (list: SocketRef[]) => list.filter((s) => s.proto !== 'unix');
  const unix = (list: SocketRef[]) => list.filter((s) => s.proto === 'unix').length;
  section('Sockets opened', inet(d.sockets.opened).map((s) => `+ ${socketLine(s)}`));
  section('Sockets closed', inet(d.sockets.closed).map((s) => `- ${socketLine(s)}`));
  if (unix(d.sockets.opened) + unix(d.sockets.closed) > 0) out.push('', `Unix sockets: +${unix(d.sockets.opened)}, -${unix(d.sockets.closed)} (listed in --json)`);
  return out.join('\n') + '\n';
}
