/**
 * npm run bench: procscope against the plainest way to read the same files and against ps, ss and lsns,
 * over the same SSH connection to a loopback sshd, under a load it builds (N processes, ~10 fds each, 500
 * sockets, some in their own network namespaces); and the renderer at 10,000 rows in headless Chromium.
 * Prints a table (median, min, max of RUNS) and one line of JSON. Compare ratios: machines differ.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCollectOutput } from '../shared/collect/frame';
import { doneMarker } from '../shared/collect/protocol';
import { OVERVIEW, buildCollectScript } from '../shared/collect/script';
import { assembleSnapshot } from '../shared/snapshot/assemble';
import { applyDelta } from '../shared/snapshot/refresh';
import { diffSnapshots } from '../shared/diff/diff';
import { jsonChunks } from '../shared/snapshot/json';
import { gzipSync } from 'node:zlib';
import type { Snapshot } from '../shared/snapshot/types';
import { collectSnapshot, refreshSnapshot, unwrapReply } from '../electron/engine/collect';
import { openSession } from '../electron/engine/open';
import type { NodeSession } from '../electron/engine/session';
import { startServer } from '../electron/serve/server';
import { generateKey, makeTempDir, sshdUnavailable, startSshd } from '../test/helpers/sshd';
import { addNodeInUi, browserUnavailable, launchChromium, timedKeystroke } from '../test/helpers/browser';
import { type Load, startLoad } from './load';
import { TICK_CATEGORIES, tickCpuMs } from './tick-cpu';
import { syntheticSnapshot } from './synthetic';
import { fleetBench } from './fleet';
import { type FirstReadFigures, firstReadPhase, startBusyLoops } from './busy';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
/** --quick: the first read and the collector's cost, quiet and busy, at --processes only (under 5 minutes) */
const QUICK = process.argv.includes('--quick');
/** --live-only: the live tab in Chromium at --large processes (or --processes), nothing else */
const LIVE_ONLY = process.argv.includes('--live-only');
const N = arg('--processes', 2000);
/** the second phase's number of processes; 0 for none */
const LARGE = arg('--large', QUICK ? 0 : 10000);
const RUNS = Math.max(3, arg('--runs', QUICK ? 3 : 5));
const ROWS = arg('--rows', 10000);
/** the fleet row's larger size (and 10); 0 for none */
const FLEET = arg('--fleet', QUICK ? 0 : 50);

interface Row {
  name: string;
  ms: number[];
  bytes?: number[];
}
let rows: Row[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

async function measure(name: string, runs: number, once: () => Promise<number | void>): Promise<Row> {
  const row: Row = { name, ms: [], bytes: [] };
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const bytes = await once();
    row.ms.push(performance.now() - t0);
    if (typeof bytes === 'number') row.bytes!.push(bytes);
  }
  if (row.bytes!.length === 0) delete row.bytes;
  rows.push(row);
  process.stderr.write(`  ${name}: median ${fmt(median(row.ms))} ms\n`);
  return row;
}

/** Runs a plain command in the connection's persistent shell, as procscope's own scripts run: same channel, no login shell. */
async function runRaw(session: NodeSession, command: string): Promise<number> {
  const marker = `@@bench-done-${Math.random().toString(36).slice(2)}@@`;
  const r = await session.runScript(`{ ${command}
} </dev/null
printf '\\n%s\\n' '${marker}'
`, { endMarker: Buffer.from(`\n${marker}\n`) });
  return r.stdout.length - marker.length - 2;
}

function countFds(): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      n += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      /* gone */
    }
  }
  return n;
}

const FILES = '/proc/[0-9]*/stat /proc/[0-9]*/status /proc/[0-9]*/cmdline /proc/[0-9]*/cgroup /proc/[0-9]*/cpuset /proc/[0-9]*/task/*/children /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 /proc/net/unix /proc/net/raw /proc/net/raw6 /etc/passwd';
const LINKS = "find /proc/[0-9]*/exe /proc/[0-9]*/cwd /proc/[0-9]*/fd /proc/[0-9]*/ns -maxdepth 1 -type l -printf '%p %l\\n' 2>/dev/null";
/** The plainest batched read of the same files and links, its bytes sent to the client as procscope's are. */
const FLOOR = `cat ${FILES} 2>/dev/null\n${LINKS}\n`;
/** The cheapest reads of the same data: head -c (few system calls per file, buffered output) and one find. */
const TIGHT_FLOOR = `head -q -c 1048576 ${FILES} 2>/dev/null\n${LINKS}\n`;
/** What a refresh must read at least: every process's stat line. */
const STAT_FLOOR = 'head -q -c 1024 /proc/[0-9]*/stat 2>/dev/null';
const PS = 'ps -eo pid,ppid,user,stat,nlwp,rss,comm,args';

async function rendererBench(): Promise<{ initialPaintMs: number[]; keystrokeMs: number[] } | string> {
  const rendererDir = join(__dirname, '..', '..', 'dist', 'renderer');
  const why = browserUnavailable(rendererDir);
  if (why) return why;
  const dir = mkdtempSync(join(tmpdir(), 'procscope-bench-ui-'));
  const file = join(dir, 'synthetic.json');
  writeFileSync(file, JSON.stringify(syntheticSnapshot(ROWS)));
  const server = await startServer({ staticDir: rendererDir, configDir: dir });
  const browser = await launchChromium();
  try {
    const initialPaintMs: number[] = [];
    const keystrokeMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
      await page.goto(server.url);
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('import-snapshot').click()]);
      const t0 = performance.now();
      await chooser.setFiles(file);
      await page.locator('[data-testid="process-table-body"] [aria-rowindex="1"]').waitFor();
      initialPaintMs.push(performance.now() - t0);
      for (const ch of 'worker-42') keystrokeMs.push(await timedKeystroke(page, ch));
      await page.close();
    }
    return { initialPaintMs, keystrokeMs };
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A figure against its target, marked met or missed. */
function target(what: string, value: number, bound: number, digits = 2): string {
  return `${(what + ':').padEnd(50)} ${value.toFixed(digits).padStart(8)}   target ≤ ${bound}   ${value <= bound ? 'met' : 'MISSED'}`;
}

const CLI = join(__dirname, '..', '..', 'bin', 'procscope.js');

/** Runs a command to its end; its wall time, and its peak RSS (as the kernel counts it) when asked. */
function timed(args: string[]): Promise<{ ms: number; peakKb: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // The child reports its own peak: VmHWM, the high-water mark of its own memory. Not getrusage's ru_maxrss: Linux
    // carries that across fork and exec, so a child of this bench reported the bench's size (427 MB for 227).
    const wrapped = ['-e', `const [cli, ...a] = process.argv.slice(1); process.on('exit', () => process.stderr.write('PEAK_KB ' + /VmHWM:\\s*(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'latin1'))[1] + '\\n')); if (cli !== '-') { process.argv = [process.argv[0], cli, ...a]; require(cli); }`, ...args];
    const child = spawn(process.execPath, wrapped, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited with ${code}: ${err.slice(-500)}`));
      resolve({ ms, peakKb: Number(/PEAK_KB (\d+)/.exec(err)?.[1] ?? 0) });
    });
  });
}

/** The CLI as a user runs it: its start (--help, against a bare node), and a whole snapshot over SSH with its peak memory. */
async function cliBench(node: Node, runs: number, withStart: boolean) {
  const nodeStart: Row = { name: 'node -e 0 (a bare start)', ms: [] };
  const help: Row = { name: 'procscope --help', ms: [] };
  const snapshot: Row = { name: 'procscope snapshot over SSH, end to end (CLI)', ms: [] };
  const peakKb: number[] = [];
  const out = join(tmpdir(), `procscope-bench-${process.pid}.json`);
  for (let i = 0; i < runs; i++) {
    if (withStart) {
      nodeStart.ms.push((await timed(['-'])).ms);
      help.ms.push((await timed([CLI, '--help'])).ms);
    }
    const run = await timed([CLI, 'snapshot', `root@127.0.0.1:${node.port}`, '-i', node.identity, '--known-hosts', node.knownHosts, '-o', out]);
    snapshot.ms.push(run.ms);
    peakKb.push(run.peakKb);
  }
  rmSync(out, { force: true });
  if (withStart) rows.push(nodeStart, help);
  rows.push(snapshot);
  process.stderr.write(`  CLI: ${withStart ? `--help ${fmt(median(help.ms))} ms (node ${fmt(median(nodeStart.ms))} ms), ` : ''}snapshot ${fmt(median(snapshot.ms))} ms, peak ${(median(peakKb) / 1024).toFixed(0)} MB\n`);
  return { node: withStart ? nodeStart : null, help: withStart ? help : null, snapshot, peakKb };
}

interface LiveUi {
  rows: number;
  tickMs: number[];
  keystrokeMs: number[];
  /** ticks that changed numbers only, and ticks where processes came or went */
  numbersMs: number[];
  churnMs: number[];
  /** ticks while the rest of the full read was still coming in */
  landingMs: number[];
  /** the page's main-thread CPU per tick (the wall time adds the node's collector, which shares the machine) */
  cpuMs: number[];
}

/**
 * The app in Chromium with a live tab on the bench's node: each tick's time from the refresh reply reaching the
 * page to the frame painted after the table changed (apply the delta, re-index, render, paint), and filter
 * keystrokes while it ticks.
 */
async function liveRendererBench(node: Node): Promise<LiveUi | string> {
  const rendererDir = join(__dirname, '..', '..', 'dist', 'renderer');
  const why = browserUnavailable(rendererDir);
  if (why) return why;
  const dir = mkdtempSync(join(tmpdir(), 'procscope-bench-live-'));
  const server = await startServer({ staticDir: rendererDir, configDir: dir, knownHostsFile: node.knownHosts });
  const browser = await launchChromium();
  let stopChurn = () => {};
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    await page.addInitScript(() => {
      const w = window as unknown as { __ticks: number[]; __churn: boolean[]; WebSocket: typeof WebSocket };
      w.__ticks = [];
      // per tick: did processes come or go (a full re-derivation), or did only numbers change?
      w.__churn = [];
      let replyAt: number | null = null;
      let churn = false;
      const Native = w.WebSocket;
      w.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          // Registered before the app's own handler, so it sees the reply first.
          this.addEventListener('message', (e) => {
            if (typeof e.data === 'string' && e.data.includes('"updated":[')) {
              replyAt = performance.now();
              performance.mark('procscope-reply');
              churn = !(e.data.includes('"added":[]') && e.data.includes('"removed":[]'));
            }
          });
        }
      };
      new MutationObserver(() => {
        if (replyAt === null) return;
        const t0 = replyAt;
        const c = churn;
        replyAt = null;
        requestAnimationFrame(() =>
          setTimeout(() => {
            w.__ticks.push(performance.now() - t0);
            w.__churn.push(c);
            performance.mark('procscope-painted');
          }, 0),
        );
      }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.goto(server.url);
    await addNodeInUi(page, { name: 'bench', host: '127.0.0.1', port: node.port, user: 'root', identity: node.identity });
    await page.locator('[data-testid="process-table-body"] [aria-rowindex="1"]').waitFor({ timeout: 60_000 });
    const rowCount = Number(await page.getByTestId('process-table-body').getAttribute('aria-rowcount'));
    await page.getByTestId('live-interval').selectOption('1000');
    await page.getByTestId('live-toggle').check();
    // The ticks that land beside the rest of the full read (its sockets, namespaces and containers painted in the
    // same frames) are reported apart: the target is a tick of a tab that has all of its snapshot.
    await page.getByTestId('reading-rest').waitFor({ state: 'detached', timeout: 180_000 });
    // Processes that come and go, as on a busy node (cron jobs, health checks): ten start every second and live three.
    const churner = spawn('sh', ['-c', 'while :; do for i in 1 2 3 4 5 6 7 8 9 10; do sleep 3 & done; sleep 1; done'], { stdio: 'ignore', detached: true });
    stopChurn = () => {
      try {
        process.kill(-churner.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const landingMs = await page.evaluate(() => (window as unknown as { __ticks: number[]; __churn: boolean[] }).__ticks.splice(0));
    await page.evaluate(() => (window as unknown as { __churn: boolean[] }).__churn.splice(0));
    await browser.startTracing(page, { categories: TICK_CATEGORIES });
    const ticks = () => page.evaluate(() => (window as unknown as { __ticks: number[] }).__ticks.length);
    const deadline = Date.now() + 60_000;
    while ((await ticks()) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    // Keystrokes while it ticks: one every 300 ms, so some land while a tick is applied.
    const keystrokeMs: number[] = [];
    for (const ch of 'sleep 36') {
      await new Promise((r) => setTimeout(r, 300));
      keystrokeMs.push(await timedKeystroke(page, ch));
    }
    await page.getByTestId('process-filter').fill('');
    while ((await ticks()) < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const { tickMs, churn } = await page.evaluate(() => {
      const w = window as unknown as { __ticks: number[]; __churn: boolean[] };
      return { tickMs: w.__ticks, churn: w.__churn };
    });
    const trace = await browser.stopTracing();
    if (process.env.PROCSCOPE_BENCH_TRACE) writeFileSync(process.env.PROCSCOPE_BENCH_TRACE, trace);
    const cpuMs = tickCpuMs(trace);
    if (cpuMs.length === 0) return 'the trace held no tick: its CPU could not be measured';
    if (tickMs.length === 0) return 'the live tab did not tick within a minute';
    const churnMs = tickMs.filter((_, i) => churn[i]);
    const numbersMs = tickMs.filter((_, i) => !churn[i]);
    process.stderr.write(`  renderer live: ${tickMs.length} ticks at ${rowCount} rows: numbers only ${numbersMs.map(fmt).join(', ')} ms; processes came or went ${churnMs.map(fmt).join(', ')} ms; before the full read landed ${landingMs.map(fmt).join(', ') || 'none'} ms; main-thread CPU per tick ${cpuMs.map(fmt).join(', ')} ms\n`);
    return { rows: rowCount, tickMs, keystrokeMs, numbersMs, churnMs, landingMs, cpuMs };
  } finally {
    stopChurn();
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One key, known_hosts and loopback sshd for every phase. */
interface Node {
  port: number;
  identity: string;
  knownHosts: string;
  open(sshCompression?: boolean): Promise<NodeSession>;
}

/**
 * What changed, at this size: diffSnapshots of two snapshots taken a moment apart (in this process, and through the
 * CLI as a user runs it: read both files, compare, write the JSON), and the size of one recording (a gzipped
 * snapshot, as procscope record writes it).
 */
async function historyBench(session: NodeSession, earlier: Snapshot, runs: number) {
  const later = await collectSnapshot(session);
  const dir = mkdtempSync(join(tmpdir(), 'procscope-bench-diff-'));
  try {
    const [a, b] = [join(dir, 'a.json'), join(dir, 'b.json')];
    writeFileSync(a, JSON.stringify(earlier));
    writeFileSync(b, JSON.stringify(later));
    const diff = await measure(`procscope diff of two ${later.processes.length}-process snapshots, in process`, runs, async () => {
      diffSnapshots(earlier, later);
    });
    const cliDiff = await measure(`procscope diff A B --json, end to end (CLI)`, runs, async () => {
      await timed([CLI, 'diff', a, b, '--json', '-o', join(dir, 'diff.json')]);
    });
    // What any reader of the two files pays before it compares a thing: Node starting, reading them, JSON.parse.
    const parseOnly = join(dir, 'parse-only.js');
    writeFileSync(parseOnly, "for (const f of process.argv.slice(2)) JSON.parse(require('fs').readFileSync(f, 'utf8'));\n");
    const parseFloor = await measure('floor: node reading and JSON.parse of both files', runs, async () => {
      await timed([parseOnly, a, b]);
    });
    const gz: number[] = [];
    for (const s of [earlier, later]) gz.push(gzipSync(Buffer.from([...jsonChunks(s, 0)].join(''))).length);
    return { diff, cliDiff, parseFloor, recordingBytes: median(gz) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What one size of load measured: its rows (the table) and the figures the targets are checked against. */
interface Phase {
  processes: number;
  fds: number;
  rows: Row[];
  figures: Record<string, number | null>;
  live: LiveUi | string | null;
}

async function phase(node: Node, load: Load, full: boolean, cleanups: (() => unknown)[]): Promise<Phase> {
  rows = [];
  const processes = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).length;
  const fds = countFds();
  const runs = full ? RUNS : Math.max(3, Math.ceil(RUNS / 2));
  process.stderr.write(`procscope bench: ${processes} processes, ${fds} fds, ${load.sockets} sockets (${load.netnsSockets} in 4 network namespaces); ${runs} runs each\n`);
  let snap: Snapshot | null = null;
  let bytes = 0;
  const onProgress = (b: number) => (bytes = b);
  if (full) {
    await measure('procscope full snapshot, new SSH connection', runs, async () => {
      const s = await node.open();
      snap = await collectSnapshot(s, { onProgress });
      s.close();
      return bytes;
    });
  }
  const session = await node.open();
  cleanups.push(() => session.close());
  const fullRow = await measure('procscope full snapshot, open connection', runs, async () => {
    snap = await collectSnapshot(session, { onProgress });
    return bytes;
  });
  if (full) {
    await measure('procscope full snapshot, open connection (gzip on the node)', runs, async () => {
      await collectSnapshot(session, { compress: true, onProgress });
      return bytes;
    });
    const sshZ = await node.open(true);
    cleanups.push(() => sshZ.close());
    await measure('procscope full snapshot, ssh zlib', runs, async () => {
      await collectSnapshot(sshZ, { compress: false, onProgress });
      return bytes;
    });
  }
  let prev = snap!;
  const refresh = await measure('procscope live refresh, open connection', runs, async () => {
    const delta = await refreshSnapshot(session, prev, { onProgress });
    prev = applyDelta(prev, delta);
    return bytes;
  });
  if (full) {
    const parse: number[] = [];
    for (let i = 0; i < runs; i++) {
      const nonce = 'ab'.repeat(16);
      const raw = await session.runScript(buildCollectScript(nonce), { endMarker: Buffer.from(doneMarker(nonce)) });
      const t0 = performance.now();
      const r = unwrapReply(raw, nonce);
      assembleSnapshot(parseCollectOutput(r.stdout, r.stderr, nonce), { target: 'bench', collectedAt: new Date() });
      parse.push(performance.now() - t0);
    }
    rows.push({ name: 'procscope parse + assembly in Node (of the above)', ms: parse });
  }
  const history = await historyBench(session, snap!, runs);
  const floor = await measure('floor: one batched cat + find of the same files, sent', runs, () => runRaw(session, FLOOR));
  const tight = await measure('tight floor: head -c + find of the same files, sent', runs, () => runRaw(session, TIGHT_FLOOR));
  const statFloor = await measure('refresh floor: head -c of every /proc/<pid>/stat, sent', runs, () => runRaw(session, STAT_FLOOR));
  // What the node-at-a-glance part of every read adds: the part alone, against a round trip that reads nothing.
  await measure('an empty round trip (true), sent', runs, () => runRaw(session, 'true'));
  await measure('the overview alone (loadavg, /proc/stat cpu lines, meminfo, PSI), sent', runs, () => runRaw(session, `mark() { printf '\\n@@x %s\\n' "$1"; }\n${OVERVIEW}`));
  const cli = await cliBench(node, runs, full);
  if (full) {
    await measure(`ps -eo … (alone)`, runs, () => runRaw(session, PS));
    await measure('ss -tunaxp (alone)', runs, () => runRaw(session, 'ss -tunaxp'));
    await measure('lsns (alone)', runs, () => runRaw(session, 'lsns'));
  }
  const peers = await measure('ps + ss -tunaxp + lsns, one exec', runs, () => runRaw(session, `${PS}; ss -tunaxp; lsns`));
  let live: LiveUi | string | null = null;
  if (!full) {
    live = await liveRendererBench(node);
    if (typeof live !== 'string') {
      rows.push({ name: `renderer: live tick to paint, ${live.rows} rows`, ms: live.tickMs });
      rows.push({ name: `renderer: filter keystroke to paint while live, ${live.rows} rows`, ms: live.keystrokeMs });
    }
  }
  const m = (r: Row) => median(r.ms);
  const mb = (r: Row) => median(r.bytes ?? [0]);
  return {
    processes,
    fds,
    rows,
    live,
    figures: {
      full_vs_ps_ss_lsns: m(fullRow) / m(peers),
      full_vs_floor: m(fullRow) / m(floor),
      full_vs_tight_floor: m(fullRow) / m(tight),
      cli_snapshot_vs_ps_ss_lsns: m(cli.snapshot) / m(peers),
      cli_snapshot_vs_floor: m(cli.snapshot) / m(floor),
      cli_help_vs_node: cli.help ? m(cli.help) / m(cli.node!) : null,
      cli_peak_mb: median(cli.peakKb) / 1024,
      refresh_vs_stat_floor: m(refresh) / m(statFloor),
      refresh_bytes_per_process: mb(refresh) / snap!.processes.length,
      full_bytes_per_process: mb(fullRow) / snap!.processes.length,
      diff_ms: m(history.diff),
      cli_diff_ms: m(history.cliDiff),
      diff_parse_floor_ms: m(history.parseFloor),
      recording_bytes: history.recordingBytes,
    },
  };
}

function table(p: Phase): string[] {
  const width = Math.max(...p.rows.map((r) => r.name.length));
  const m = (r: Row) => median(r.ms);
  return [
    `${'what'.padEnd(width)}  median ms     min ms     max ms   bytes (median)`,
    ...p.rows.map((r) => `${r.name.padEnd(width)}  ${fmt(m(r)).padStart(9)}  ${fmt(Math.min(...r.ms)).padStart(9)}  ${fmt(Math.max(...r.ms)).padStart(9)}   ${r.bytes ? String(median(r.bytes)).padStart(10) : ''}`),
  ];
}

/** Every target line, printed as it is known: a row that fails later loses none of these. */
const printed: string[] = [];
function say(line: string): void {
  printed.push(line);
  process.stdout.write(line + '\n');
}

/**
 * The first read and the collector's node CPU at this load, quiet and then busy (a busy loop per core): each
 * figure printed with met/MISSED as soon as its phase ends; a phase that fails says so and the others go on.
 */
async function firstReadTargets(node: Node, runs: number, cleanups: (() => unknown)[]): Promise<FirstReadFigures[]> {
  const session = await node.open();
  cleanups.push(() => session.close());
  const figures: FirstReadFigures[] = [];
  for (const busy of [false, true]) {
    const loops = busy ? startBusyLoops() : null;
    if (loops) cleanups.push(() => loops.stop());
    try {
      const f = await firstReadPhase(busy ? 'busy' : 'quiet', session, runs, { floor: FLOOR, peers: `${PS}; ss -tunaxp; lsns` }, (l) => process.stderr.write(l + '\n'));
      figures.push(f);
      const at = `${f.processes} processes, ${f.label}`;
      say(target(`first read (table) / ps aux, ${at}`, f.firstReadMs / f.psAuxMs, 1.5));
      say(target(`procscope ps read / ps aux, ${at}`, f.psVerbMs / f.psAuxMs, 1.5));
      say(target(`full read / (ps + ss + lsns), ${at}`, f.fullMs / f.peersMs, f.processes > 5000 ? 0.7 : 1.0));
      say(target(`node CPU of a full read / floor's (cat + find), ${at}`, f.fullCpuS / f.floorCpuS, 1.1));
      say(`   ${at}: ps aux ${fmt(f.psAuxMs)} ms (node CPU ${f.psAuxCpuS.toFixed(2)} s), first read ${fmt(f.firstReadMs)} ms (bytes in at ${fmt(f.firstArrivedMs)} ms, then parsed and assembled), ps verb ${fmt(f.psVerbMs)} ms, full ${fmt(f.fullMs)} ms (node CPU ${f.fullCpuS.toFixed(2)} s), floor ${fmt(f.floorMs)} ms (${f.floorCpuS.toFixed(2)} s), ps + ss + lsns ${fmt(f.peersMs)} ms`);
    } catch (err) {
      say(`first read, ${busy ? 'busy' : 'quiet'}: MISSED (the phase failed: ${(err as Error).message})`);
    } finally {
      loops?.stop();
    }
  }
  return figures;
}

async function main(): Promise<void> {
  const why = sshdUnavailable();
  if (why) throw new Error(`the bench needs a loopback sshd: ${why}`);
  const started = performance.now();
  process.stderr.write(`procscope bench: building the load (${N} processes)…\n`);
  let load: Load | null = null;
  const dir = makeTempDir('bench');
  const cleanups: (() => unknown)[] = [() => load?.teardown(), () => rmSync(dir, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanup().then(() => process.exit(143)));
  try {
    load = await startLoad(N, 440, 4, 15);
    const sshd = await startSshd();
    cleanups.push(() => sshd.stop());
    const key = generateKey(dir, 'id');
    sshd.authorize('root', key.publicLine);
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, sshd.knownHostsLine() + '\n');
    const node: Node = {
      port: sshd.port,
      identity: key.privatePath,
      knownHosts,
      open: (sshCompression = false) =>
        openSession(`root@127.0.0.1:${sshd.port}`, { identityFiles: [key.privatePath], knownHostsFile: knownHosts, agentSocket: null, sshCompression, onUnknownKey: async () => 'reject' }),
    };
    if (LIVE_ONLY) {
      if (LARGE > load.processes) await load.grow(LARGE - load.processes);
      const live = await liveRendererBench(node);
      const line = typeof live === 'string' ? `renderer live tick: skipped (${live})` : target(`renderer live tick, main-thread CPU, max ms, ${live.rows} rows`, Math.max(...live.cpuMs), 50, 1);
      process.stdout.write(`${line}\nBENCH_JSON ${JSON.stringify({ liveOnly: true, live })}\n`);
      return;
    }
    const firstSmall = await firstReadTargets(node, RUNS, cleanups);
    if (QUICK) {
      process.stdout.write(`BENCH_JSON ${JSON.stringify({ quick: true, runs: RUNS, firstRead: firstSmall })}\n(took ${((performance.now() - started) / 1000).toFixed(0)} s in all)\n`);
      return;
    }
    const small = await phase(node, load, true, cleanups);
    const ui = await rendererBench();
    if (typeof ui !== 'string') {
      small.rows.push({ name: `renderer: import and first paint, ${ROWS} rows`, ms: ui.initialPaintMs });
      small.rows.push({ name: `renderer: filter keystroke to paint, ${ROWS} rows`, ms: ui.keystrokeMs });
    }
    let large: Phase | null = null;
    let firstLarge: FirstReadFigures[] = [];
    if (LARGE > small.processes) {
      process.stderr.write(`procscope bench: growing the load to ${LARGE} processes…\n`);
      await load.grow(LARGE - small.processes);
      firstLarge = await firstReadTargets(node, Math.max(3, Math.ceil(RUNS / 2)), cleanups);
      large = await phase(node, load, false, cleanups);
    }

    const fleet = FLEET > 0 ? await fleetBench(dir, CLI, timed, [...new Set([Math.min(10, FLEET), FLEET])], cleanups) : [];

    const s = small.figures;
    const l = large?.figures;
    const live = large?.live;
    const lines = [
      `procscope bench — loopback sshd; ${small.processes} processes, ${small.fds} fds, ${load.sockets} sockets (${load.netnsSockets} in network namespaces), ${RUNS} runs`,
      ...table(small),
      ...(large ? ['', `${large.processes} processes, ${large.fds} fds`, ...table(large)] : []),
      '',
      `targets (ratios of medians in this run)`,
      ...printed,
      target(`CLI snapshot / (ps + ss + lsns), ${small.processes} processes`, s.cli_snapshot_vs_ps_ss_lsns!, 1.0),
      target(`CLI snapshot / floor (sent), ${small.processes} processes`, s.cli_snapshot_vs_floor!, 1.0),
      ...(l && large
        ? [
            target(`CLI snapshot / (ps + ss + lsns), ${large.processes} processes`, l.cli_snapshot_vs_ps_ss_lsns!, 0.7),
            target(`CLI snapshot / floor (sent), ${large.processes} processes`, l.cli_snapshot_vs_floor!, 1.0),
          ]
        : ['(no 10,000-process phase: --large 0)']),
      target('procscope --help / node -e 0', s.cli_help_vs_node!, 1.3),
      target(`live refresh / refresh floor, ${small.processes} processes`, s.refresh_vs_stat_floor!, 2.0),
      target(`live refresh bytes per process, ${small.processes} processes`, s.refresh_bytes_per_process!, 20, 0),
      target(`CLI peak memory, MB, ${large?.processes ?? small.processes} processes`, (l ?? s).cli_peak_mb!, 260, 0),
      ...(l && large ? [target(`procscope diff of two ${large.processes}-process snapshots (CLI), ms`, l.cli_diff_ms!, 1000, 0)] : []),
      `   diffSnapshots alone: ${fmt(s.diff_ms!)} ms at ${small.processes} processes${l ? `, ${fmt(l.diff_ms!)} ms at ${large!.processes}; reading and JSON.parse of both files alone (a bare Node script): ${fmt(l.diff_parse_floor_ms!)} ms` : ''}`,
      `an hour of procscope record at ${small.processes} processes, every 30 s: 120 × ${(s.recording_bytes! / 1024).toFixed(0)} KiB = ${((120 * s.recording_bytes!) / 1024 / 1024).toFixed(1)} MiB${l ? ` (at ${large!.processes}: ${((120 * l.recording_bytes!) / 1024 / 1024).toFixed(1)} MiB)` : ''}`,
      ...(live && typeof live !== 'string'
        ? [
            target(`renderer live tick, main-thread CPU, max ms, ${live.rows} rows`, Math.max(...live.cpuMs), 50, 1),
            `   wall time from the reply to the paint (beside the node's collector on the same cores): median ${fmt(median(live.tickMs))}, max ${fmt(Math.max(...live.tickMs))} ms`,
            `   of which ticks with numbers only: ${live.numbersMs.length ? `median ${fmt(median(live.numbersMs))}, max ${fmt(Math.max(...live.numbersMs))} ms` : 'none'}; with processes come or gone: ${live.churnMs.length ? `median ${fmt(median(live.churnMs))}, max ${fmt(Math.max(...live.churnMs))} ms` : 'none'}`,
            `   ticks while the rest of the first read was still coming (not in the target): ${live.landingMs.length ? live.landingMs.map(fmt).join(', ') + ' ms' : 'none'}`,
            target(`filter keystroke while live, max ms, ${live.rows} rows`, Math.max(...live.keystrokeMs), 50, 1),
          ]
        : [`renderer live tick: skipped (${live ?? 'no large phase'})`]),
      typeof ui === 'string' ? `renderer: skipped (${ui})` : target(`filter keystroke to paint, max ms, ${ROWS} rows imported`, Math.max(...ui.keystrokeMs), 50, 1),
      `full snapshot over an open connection / (ps + ss + lsns): ${s.full_vs_ps_ss_lsns!.toFixed(2)}; / floor: ${s.full_vs_floor!.toFixed(2)}; / tight floor: ${s.full_vs_tight_floor!.toFixed(2)}${l ? `; at ${large!.processes}: ${l.full_vs_ps_ss_lsns!.toFixed(2)}, ${l.full_vs_floor!.toFixed(2)}, ${l.full_vs_tight_floor!.toFixed(2)}` : ''}`,
      ...fleet.map(
        (f) =>
          `fleet: find --port across ${f.nodes} loopback nodes: ${fmt(f.parallelMs)} ms 16 at a time, ${fmt(f.sequentialMs)} ms node after node (${(f.sequentialMs / f.parallelMs).toFixed(1)}× faster); peak memory ${f.parallelPeakMb.toFixed(0)} MB; find --name (no network or fd tables) ${fmt(f.nameMs)} ms`,
      ),
      `(took ${((performance.now() - started) / 1000).toFixed(0)} s in all)`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    const json = (p: Phase) => ({ processes: p.processes, fds: p.fds, rows: p.rows.map((r) => ({ name: r.name, median_ms: median(r.ms), min_ms: Math.min(...r.ms), max_ms: Math.max(...r.ms), ...(r.bytes ? { bytes: median(r.bytes) } : {}) })), figures: p.figures });
    process.stdout.write('BENCH_JSON ' + JSON.stringify({ runs: RUNS, sockets: load.sockets, phases: [json(small), ...(large ? [json(large)] : [])], firstRead: [...firstSmall, ...firstLarge], fleet }) + '\n');
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  process.stderr.write(`procscope bench: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
