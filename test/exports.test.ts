/**
 * `procscope snapshot --format ndjson|csv|osquery` of this machine, with a live process of odd name, argv and
 * sockets, each read back by a parser written here, and checked against the kernel (osquery's shape field by field).
 */
import { readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli';
import { type OddProcess, ODD_ARGV, ODD_COMM, startOddProcess } from './helpers/odd-process';
import { makeTempDir } from './helpers/sshd';

/** RFC 4180: quoted cells may hold commas, doubled quotes and line breaks; records end in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) throw new Error('the CSV does not end with a CRLF');
  return rows;
}

/** What the kernel says of a process: its start by the node's clock, in seconds since the epoch. */
function kernelStart(pid: number): { iso: string; seconds: number } {
  const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
  const clk = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout);
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const ms = Math.round((btime + ticks / clk) * 1000);
  return { iso: new Date(ms).toISOString(), seconds: Math.floor(ms / 1000) };
}

const nsInode = (pid: number, type: string) => readlinkSync(`/proc/${pid}/ns/${type}`).replace(/^\w+:\[(\d+)\]$/, '$1');

describe('exports other tools read', () => {
  let dir: string;
  let odd: OddProcess;
  const argv = () => [process.execPath, join(__dirname, 'fixtures', 'odd-process.js'), ...ODD_ARGV];
  const exported = async (format: string) => {
    const out = join(dir, `snap.${format}`);
    const r = await runCli(['snapshot', '--format', format, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    return readFileSync(out, 'utf8');
  };

  beforeAll(async () => {
    dir = makeTempDir('exports');
    odd = await startOddProcess(dir);
  });
  afterAll(() => {
    odd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ndjson: one process per line, with OpenTelemetry\'s names', async () => {
    const records = (await exported('ndjson')).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = records.find((r) => r['process.pid'] === odd.pid)!;
    expect(mine).toMatchObject({
      'host.name': hostname(),
      'process.parent_pid': process.pid,
      'process.executable.name': ODD_COMM,
      'process.executable.path': realpathSync(process.execPath),
      'process.command_args': argv(),
      'process.owner': 'root',
      'process.real_user.id': 0,
      'process.creation.time': kernelStart(odd.pid).iso,
      'procscope.namespace.net': Number(nsInode(odd.pid, 'net')),
      'container.id': null,
    });
    expect(new Set(records.map((r) => r['process.pid'])).size).toBe(records.length);
  });

  it('csv: the same columns, one process per row, read back by an RFC 4180 parser', async () => {
    const [header, ...rows] = parseCsv(await exported('csv'));
    // The host, then the process table's columns in its order (shared/process-columns.ts), then the rest.
    expect(header!.slice(0, 4)).toEqual(['host.name', 'process.pid', 'process.parent_pid', 'process.owner']);
    expect(header).toContain('process.executable.name');
    expect(header).not.toContain('process.command_args');
    const col = (name: string) => header!.indexOf(name);
    const mine = rows.find((r) => r[col('process.pid')] === String(odd.pid))!;
    expect(mine).toHaveLength(header!.length);
    expect(mine[col('process.executable.name')]).toBe(ODD_COMM);
    expect(mine[col('process.command_line')]).toBe(argv().map((a) => (a === '' || /[\s"'\\]/.test(a) ? JSON.stringify(a) : a)).join(' '));
    expect(mine[col('process.creation.time')]).toBe(kernelStart(odd.pid).iso);
    // A login shell's "-bash" reads as text, never as a formula, in a spreadsheet.
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+@]/);
  });

  it('osquery: result-log lines in the shape of processes, listening_ports, process_open_sockets, process_namespaces', async () => {
    const lines = (await exported('osquery')).trimEnd().split('\n').map((l) => JSON.parse(l) as { name: string; hostIdentifier: string; calendarTime: string; unixTime: number; epoch: number; counter: number; numerics: boolean; decorations: Record<string, string>; columns: Record<string, string>; action: string });
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(['name', 'hostIdentifier', 'calendarTime', 'unixTime', 'epoch', 'counter', 'numerics', 'decorations', 'columns', 'action']);
      expect(l.action).toBe('added');
      expect(l.numerics).toBe(false);
      expect(l.hostIdentifier).toBe(hostname());
      expect(l.calendarTime).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \d{4} UTC$/);
      for (const v of Object.values(l.columns)) expect(typeof v).toBe('string');
    }
    const table = (name: string) => lines.filter((l) => l.name === `procscope_${name}`).map((l) => l.columns);
    const extra = ['container_id', 'container_name', 'container_runtime', 'pod_uid', 'pod_name', 'pod_namespace'];

    const proc = table('processes').find((c) => c.pid === String(odd.pid))!;
    expect(Object.keys(proc)).toEqual(['pid', 'name', 'path', 'cmdline', 'state', 'cwd', 'root', 'uid', 'gid', 'euid', 'egid', 'suid', 'sgid', 'on_disk', 'wired_size', 'resident_size', 'total_size', 'user_time', 'system_time', 'disk_bytes_read', 'disk_bytes_written', 'start_time', 'parent', 'pgroup', 'threads', 'nice', 'cgroup_path', ...extra]);
    const status = readFileSync(`/proc/${odd.pid}/status`, 'utf8');
    expect(proc).toMatchObject({
      name: ODD_COMM,
      path: realpathSync(process.execPath),
      cmdline: argv().join(' '),
      cwd: realpathSync(process.cwd()),
      uid: '0',
      euid: '0',
      parent: String(process.pid),
      on_disk: '1',
      start_time: String(kernelStart(odd.pid).seconds),
      threads: /^Threads:\s+(\d+)$/m.exec(status)![1],
      container_id: '',
    });

    const ns = table('process_namespaces').find((c) => c.pid === String(odd.pid))!;
    expect(ns).toEqual({ pid: String(odd.pid), ...Object.fromEntries(['cgroup', 'ipc', 'mnt', 'net', 'pid', 'user', 'uts'].map((t) => [`${t}_namespace`, nsInode(odd.pid, t)])) });

    const listening = table('listening_ports').filter((c) => c.pid === String(odd.pid));
    expect(Object.keys(listening[0]!)).toEqual(['pid', 'fd', 'socket', 'family', 'protocol', 'net_namespace', 'port', 'address', 'path', ...extra]);
    expect(listening).toContainEqual(expect.objectContaining({ port: String(odd.ports.tcp4), address: '127.0.0.1', protocol: '6', family: '2', net_namespace: nsInode(odd.pid, 'net') }));
    expect(listening).toContainEqual(expect.objectContaining({ port: String(odd.ports.tcp6), address: '::1', protocol: '6', family: '10' }));
    expect(listening).toContainEqual(expect.objectContaining({ port: String(odd.ports.udp4), address: '127.0.0.1', protocol: '17', family: '2' }));
    expect(listening).toContainEqual(expect.objectContaining({ path: odd.unixPath, protocol: '0', family: '1' }));
    // The fd is the one the kernel lists for that socket.
    const tcp = listening.find((c) => c.port === String(odd.ports.tcp4))!;
    expect(readlinkSync(`/proc/${odd.pid}/fd/${tcp.fd}`)).toBe(`socket:[${tcp.socket}]`);

    const open = table('process_open_sockets').filter((c) => c.pid === String(odd.pid));
    expect(Object.keys(open[0]!)).toEqual(['pid', 'fd', 'socket', 'family', 'protocol', 'net_namespace', 'local_address', 'remote_address', 'local_port', 'remote_port', 'path', 'state', ...extra]);
    expect(open).toContainEqual(expect.objectContaining({ local_address: '127.0.0.1', local_port: String(odd.ports.clientPort), remote_address: '127.0.0.1', remote_port: String(odd.ports.tcp4), state: 'ESTABLISHED', protocol: '6' }));
  });

  it('refuses a format it does not know, naming those it does', async () => {
    const r = await runCli(['snapshot', '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad --format: xml \(one of json, ndjson, csv, osquery\)/);
  });
});
