/**
 * Exports other tools read, one line at a time:
 * - ndjson: one process per line, named by OpenTelemetry's process, container, k8s and host semantic conventions
 *   (process.pid, process.parent_pid, process.executable.path, process.command_args, container.id, k8s.pod.uid...);
 *   what OpenTelemetry has no name for is under procscope.*;
 * - csv: the same columns, one process per row (RFC 4180), the argv as one command line;
 * - osquery: result-log lines ("added" events, all values strings as with numerics=false) of osquery's processes,
 *   process_open_sockets, listening_ports and process_namespaces tables, with container and pod columns osquery
 *   lacks on containerd nodes.
 */
import { isListening } from '../snapshot/listening';
import type { Snapshot, SnapshotContainer, SnapshotProcess, SnapshotSocket } from '../snapshot/types';
import { PROCESS_COLUMN_DEFS, type ProcessColumnDef, plainColumnContext } from '../process-columns';


export const EXPORT_FORMATS = ['json', 'ndjson', 'csv', 'osquery'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

type Value = string | number | boolean | null | string[];

function containersById(s: Snapshot): Map<string, SnapshotContainer> {
  return new Map(s.containers.map((c) => [c.id, c]));
}

/**
 * One process as OpenTelemetry-named attributes: the host, every column of the process table that names an export
 * attribute (process-columns.ts), then what the table has no column for.
 */
export function processRecord(s: Snapshot, p: SnapshotProcess, containers = containersById(s), ctx = plainColumnContext(s)): Record<string, Value> {
  const c = p.containerId ? containers.get(p.containerId) : undefined;
  const record: Record<string, Value> = { 'host.name': s.node.hostname };
  for (const def of PROCESS_COLUMN_DEFS as readonly ProcessColumnDef[]) if (def.export) record[def.export.name] = (def.export.value ?? def.value)(ctx, p);
  Object.assign(record, {
    'process.executable.path': p.exe,
    'process.command_args': p.cmdline,
    'process.real_user.id': p.uid,
    'process.user.id': p.euid ?? p.uid,
    'process.group.id': p.gid,
    'process.working_directory': p.cwd ?? null,
    'container.id': p.containerId,
    'container.name': c?.name ?? null,
    'container.runtime': c?.runtime ?? null,
    'k8s.pod.uid': c?.podUid ?? null,
    'k8s.pod.name': c?.podName ?? null,
    'k8s.namespace.name': c?.podNamespace ?? null,
    'k8s.container.name': c?.podName ? (c.name ?? null) : null,
    'procscope.start_ticks': p.startTicks ?? null,
    'procscope.boot_id': s.node.bootId ?? null,
    'procscope.nspid': p.nspid.map(String),
  });
  for (const type of NAMESPACE_TYPES) record[`procscope.namespace.${type}`] = p.namespaces[type] ?? null;
  return record;
}

const NAMESPACE_TYPES = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'] as const;

export function* ndjsonLines(s: Snapshot): Generator<string> {
  const containers = containersById(s);
  const ctx = plainColumnContext(s);
  for (const p of s.processes) yield JSON.stringify(processRecord(s, p, containers, ctx)) + '\n';
}

/**
 * A CSV cell: quoted when it holds a comma, quote or line break. A cell a spreadsheet would run as a formula
 * (= + - @, a tab or a carriage return first) gets a leading ' (OWASP's CSV injection advice): text from a node
 * must never become a formula on the responder's laptop.
 */
export function csvCell(value: Value): string {
  if (value === null) return '';
  let text = Array.isArray(value) ? value.join(' ') : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const NO_PROCESS: SnapshotProcess = { pid: 0, ppid: 0, name: '', state: '', uid: 0, gid: 0, threads: 1, cmdline: [], exe: null, nspid: [], namespaces: {}, cgroups: [], fds: null, containerId: null };

/** The columns of the CSV: those of processRecord, the argv as one command line only. */
export function csvColumns(s: Snapshot): string[] {
  return Object.keys(processRecord(s, NO_PROCESS)).filter((k) => k !== 'process.command_args');
}

export function* csvLines(s: Snapshot): Generator<string> {
  const containers = containersById(s);
  const columns = csvColumns(s);
  yield columns.join(',') + '\r\n';
  const ctx = plainColumnContext(s);
  for (const p of s.processes) {
    const record = processRecord(s, p, containers, ctx);
    yield columns.map((k) => csvCell(record[k] ?? null)).join(',') + '\r\n';
  }
}

/** "127.0.0.1:80" / "[::1]:22" / "*:53" as address and port; a unix path as itself with port 0. */
export function splitEndpoint(endpoint: string): { address: string; port: number } {
  const m = /^\[?(.*?)\]?:(\d+|\*)$/.exec(endpoint);
  if (!m) return { address: endpoint, port: 0 };
  return { address: m[1] === '*' ? '0.0.0.0' : m[1]!, port: m[2] === '*' ? 0 : Number(m[2]) };
}

/** osquery's names of TCP states (from ss's); other protocols have none there. */
const OSQUERY_TCP_STATE: Record<string, string> = {
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECV',
  'NEW-SYN-RECV': 'SYN_RECV',
  'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2',
  'TIME-WAIT': 'TIME_WAIT',
  UNCONN: 'CLOSE',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
};

const FAMILY: Record<string, number> = { tcp: 2, udp: 2, raw: 2, udplite: 2, tcp6: 10, udp6: 10, raw6: 10, udplite6: 10, unix: 1 };
const PROTOCOL: Record<string, number> = { tcp: 6, tcp6: 6, udp: 17, udp6: 17, udplite: 136, udplite6: 136, raw: 255, raw6: 255, unix: 0 };

/** osquery's calendarTime: "Sun Nov 29 09:00:00 2026 UTC". */
function calendarTime(date: Date): string {
  const [day, , , , time] = date.toUTCString().split(' ');
  const month = date.toUTCString().split(' ')[2];
  return `${day!.replace(',', '')} ${month} ${String(date.getUTCDate()).padStart(2, '0')} ${time} ${date.getUTCFullYear()} UTC`;
}

function osqueryLine(s: Snapshot, table: string, columns: Record<string, string | number | null>): string {
  const at = new Date(s.node.collectedAt);
  const strings: Record<string, string> = {};
  for (const [k, v] of Object.entries(columns)) strings[k] = v === null ? '' : String(v);
  return (
    JSON.stringify({
      name: `procscope_${table}`,
      hostIdentifier: s.node.hostname,
      calendarTime: calendarTime(at),
      unixTime: Math.floor(at.getTime() / 1000),
      epoch: 0,
      counter: 0,
      numerics: false,
      decorations: { host_uuid: s.node.bootId ?? '', hostname: s.node.hostname, procscope_target: s.node.target },
      columns: strings,
      action: 'added',
    }) + '\n'
  );
}

function containerColumns(c: SnapshotContainer | undefined): Record<string, string | null> {
  return {
    container_id: c?.id ?? null,
    container_name: c?.name ?? null,
    container_runtime: c?.runtime ?? null,
    pod_uid: c?.podUid ?? null,
    pod_name: c?.podName ?? null,
    pod_namespace: c?.podNamespace ?? null,
  };
}

function socketHolders(s: Snapshot, sock: SnapshotSocket, byPid: Map<number, SnapshotProcess>): { pid: number; fd: number | null }[] {
  const rows = sock.pids.flatMap((pid): { pid: number; fd: number | null }[] => {
    const fds = byPid.get(pid)?.fds?.filter((f) => f.socketInode === sock.inode) ?? [];
    return fds.length > 0 ? fds.map((f) => ({ pid, fd: f.fd })) : [{ pid, fd: null }];
  });
  return rows.length > 0 ? rows : [{ pid: -1, fd: null }];
}

export function* osqueryLines(s: Snapshot): Generator<string> {
  const containers = containersById(s);
  const byPid = new Map(s.processes.map((p) => [p.pid, p]));
  const startSeconds = (p: SnapshotProcess) => (p.startedAt ? Math.floor(Date.parse(p.startedAt) / 1000) : -1);
  for (const p of s.processes) {
    const c = p.containerId ? containers.get(p.containerId) : undefined;
    yield osqueryLine(s, 'processes', {
      pid: p.pid,
      name: p.name,
      path: p.exe ?? '',
      cmdline: p.cmdline.join(' '),
      state: p.state,
      cwd: p.cwd ?? '',
      root: '',
      uid: p.uid,
      gid: p.gid,
      euid: p.euid ?? p.uid,
      egid: -1,
      suid: -1,
      sgid: -1,
      on_disk: p.exe == null ? -1 : p.exe.endsWith(' (deleted)') ? 0 : 1,
      wired_size: 0,
      resident_size: p.rssKb == null ? -1 : p.rssKb * 1024,
      total_size: -1,
      user_time: -1,
      system_time: -1,
      disk_bytes_read: -1,
      disk_bytes_written: -1,
      start_time: startSeconds(p),
      parent: p.ppid,
      pgroup: -1,
      threads: p.threads,
      nice: -1,
      cgroup_path: p.cgroups.find((g) => g.hierarchy === 0)?.path ?? p.cgroups[0]?.path ?? '',
      ...containerColumns(c),
    });
    const ns = (type: string) => (p.namespaces[type] !== undefined ? String(p.namespaces[type]) : '');
    yield osqueryLine(s, 'process_namespaces', {
      pid: p.pid,
      cgroup_namespace: ns('cgroup'),
      ipc_namespace: ns('ipc'),
      mnt_namespace: ns('mnt'),
      net_namespace: ns('net'),
      pid_namespace: ns('pid'),
      user_namespace: ns('user'),
      uts_namespace: ns('uts'),
    });
  }
  for (const sock of s.sockets) {
    const local = splitEndpoint(sock.local);
    const remote = splitEndpoint(sock.remote);
    const unix = sock.proto === 'unix';
    const c = sock.containerId ? containers.get(sock.containerId) : undefined;
    for (const h of socketHolders(s, sock, byPid)) {
      const common = { pid: h.pid, fd: h.fd ?? -1, socket: sock.inode, family: FAMILY[sock.proto] ?? -1, protocol: PROTOCOL[sock.proto] ?? -1, net_namespace: sock.netns ?? '' };
      yield osqueryLine(s, 'process_open_sockets', {
        ...common,
        local_address: unix ? '' : local.address,
        remote_address: unix ? '' : remote.address,
        local_port: unix ? 0 : local.port,
        remote_port: unix ? 0 : remote.port,
        path: unix ? sock.local : '',
        state: sock.proto.startsWith('tcp') ? (OSQUERY_TCP_STATE[sock.state] ?? sock.state) : '',
        ...containerColumns(c),
      });
      if (isListening(sock)) {
        yield osqueryLine(s, 'listening_ports', { ...common, port: unix ? 0 : local.port, address: unix ? '' : local.address, path: unix ? sock.local : '', ...containerColumns(c) });
      }
    }
  }
}

export function exportLines(s: Snapshot, format: Exclude<ExportFormat, 'json'>): Generator<string> {
  return format === 'ndjson' ? ndjsonLines(s) : format === 'csv' ? csvLines(s) : osqueryLines(s);
}
