/** Live refresh against the live kernel: new and exited processes, CPU% from tick deltas, fds of a watched pid. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { untilArgv } from './helpers/kernel';
import { parseLoadavg } from '../shared/proc/loadavg';
import { parseCpuStat } from '../shared/proc/cpu-stat';
import { parseMeminfo } from '../shared/proc/meminfo';
import { parsePressure } from '../shared/proc/pressure';
import { applyDelta } from '../shared/snapshot/refresh';
import { collectSnapshot, refreshSnapshot } from '../electron/engine/collect';
import { localSession } from '../electron/engine/session';
import { schemaErrors } from './helpers/schema';

const children: ChildProcess[] = [];
const start = (cmd: string, args: string[]) => {
  const c = spawn(cmd, args, { stdio: 'ignore' });
  children.push(c);
  return c;
};
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kernelOverview = () => ({
  cpu: parseCpuStat(readFileSync('/proc/stat', 'latin1'))!,
  memory: parseMeminfo(readFileSync('/proc/meminfo', 'latin1'))!,
  psi: (() => {
    try {
      return parsePressure(readFileSync('/proc/pressure/cpu', 'latin1'));
    } catch {
      return null;
    }
  })(),
});

describe('live refresh', () => {
  it('adds new processes in full, drops exited ones, and measures CPU% over the interval', async () => {
    const session = localSession();
    const doomed = start('sleep', ['600']);
    const burner = start('/bin/sh', ['-c', 'while :; do :; done']);
    const idler = start('sleep', ['602']);
    await untilArgv(doomed.pid, (argv) => argv[0] === 'sleep');
    await untilArgv(idler.pid, (argv) => argv[0] === 'sleep');
    await untilArgv(burner.pid, (argv) => argv[2] === 'while :; do :; done');
    // What the kernel says the burner used, over a window that holds the one procscope measures.
    const ticksOf = (pid: number) => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]);
    };
    const kernelStart = { ticks: ticksOf(burner.pid!), at: performance.now() };
    const loadBefore = parseLoadavg(readFileSync('/proc/loadavg', 'latin1'))!;
    const kernelBefore = kernelOverview();
    const first = await collectSnapshot(session);
    const kernelAfter = kernelOverview();
    const loadAfter = parseLoadavg(readFileSync('/proc/loadavg', 'latin1'))!;
    // The overview is the kernel's, read during the collection: counters between the test's readings around it.
    const between = (value: number | undefined, a: number, b: number) => {
      expect(value).toBeGreaterThanOrEqual(a);
      expect(value).toBeLessThanOrEqual(b);
    };
    between(first.node.cpu?.all.total, kernelBefore.cpu.all.total, kernelAfter.cpu.all.total);
    between(first.node.cpu?.all.busy, kernelBefore.cpu.all.busy, kernelAfter.cpu.all.busy);
    expect(first.node.cpu!.cores.map((c) => c.core)).toEqual(kernelAfter.cpu.cores.map((c) => c.core));
    expect(first.node.memory!.totalKb).toBe(kernelAfter.memory.totalKb);
    expect(first.node.memory!.swapTotalKb).toBe(kernelAfter.memory.swapTotalKb);
    if (kernelAfter.psi) between(first.node.pressure?.cpu?.some.totalUs, kernelBefore.psi!.some.totalUs, kernelAfter.psi.some.totalUs);
    else expect(first.node.pressure?.cpu).toBeUndefined();
    // A single reading's CPU share is since boot.
    expect(first.node.cpuPercent).toBeCloseTo((first.node.cpu!.all.busy / first.node.cpu!.all.total) * 100, 6);
    // The node's load as the kernel had it during the read (the 15-minute average moves by hundredths in seconds).
    expect(first.node.load!.fifteen).toBeGreaterThanOrEqual(Math.min(loadBefore.fifteen, loadAfter.fifteen) - 0.05);
    expect(first.node.load!.fifteen).toBeLessThanOrEqual(Math.max(loadBefore.fifteen, loadAfter.fifteen) + 0.05);
    expect(first.node.load!.tasks).toBeGreaterThanOrEqual(first.processes.length);
    expect(first.processes.some((p) => p.pid === doomed.pid)).toBe(true);
    doomed.kill('SIGKILL');
    const fresh = start('sleep', ['601']);
    await sleep(1000);
    const ticksBefore = ticksOf(burner.pid!);
    const delta = await refreshSnapshot(session, first, { detailPids: [burner.pid!] });
    const ticksAfter = ticksOf(burner.pid!);
    // A refresh reads the load and the overview again; the refreshed view's CPU share is the one between the two readings.
    expect(delta.load!.running).toBeGreaterThanOrEqual(1);
    const refreshed = applyDelta(first, delta).node;
    expect(refreshed.load).toEqual(delta.load);
    const [b, a] = [first.node.cpu!.all, delta.overview!.cpu!.all];
    expect(a.total).toBeGreaterThan(b.total);
    expect(refreshed.cpuPercent).toBeCloseTo(((a.busy - b.busy) / (a.total - b.total)) * 100, 6);
    // The burner keeps a core busy: the machine is at least that busy in the interval, shared machine or not.
    expect(Math.max(...refreshed.corePercents!.map((c) => c ?? 0))).toBeGreaterThan(20);
    expect(delta.removed).toContain(doomed.pid);
    expect(delta.added.find((p) => p.pid === fresh.pid)?.cmdline).toEqual(['sleep', '601']);
    const burn = delta.updated.find((u) => u.pid === burner.pid)!;
    // The CPU time procscope read is the kernel's at the moment of the refresh: between the readings just before
    // and just after it. (An average over another window would not do: on a shared machine the burner's share of a
    // core swings from second to second.)
    expect(burn.cpuTicks).toBeGreaterThanOrEqual(ticksBefore);
    expect(burn.cpuTicks).toBeLessThanOrEqual(ticksAfter);
    expect(kernelStart.ticks).toBeLessThanOrEqual(first.processes.find((p) => p.pid === burner.pid)!.cpuTicks!);
    // Its CPU% is that time over the node's own clock between the two reads, and a busy loop is busy.
    const clk = first.node.clockTicks ?? 100;
    const seconds = delta.uptimeSec! - first.node.uptimeSec!;
    const used = (burn.cpuTicks - first.processes.find((p) => p.pid === burner.pid)!.cpuTicks!) / clk;
    expect(burn.cpuPercent).toBeCloseTo(Math.min((used / seconds) * 100, 100), 0);
    expect(burn.cpuPercent).toBeGreaterThan(10);
    // An idle process is in the refreshed view at (near) 0%, whether or not the delta had to mention it.
    const idle = applyDelta(first, delta).processes.find((p) => p.pid === idler.pid);
    expect(idle?.cpuPercent).toBeLessThan(5);
    const watched = delta.fds.find((f) => f.pid === burner.pid)!;
    expect(watched.fds!.map((f) => [f.fd, f.target])).toEqual(
      readdirSync(`/proc/${burner.pid}/fd`).map(Number).sort((a, b) => a - b).map((fd) => [fd, readlinkSync(`/proc/${burner.pid}/fd/${fd}`)]),
    );

    const next = applyDelta(first, delta);
    expect(schemaErrors(next)).toEqual([]);
    expect(next.processes.some((p) => p.pid === doomed.pid)).toBe(false);
    expect(next.processes.find((p) => p.pid === fresh.pid)?.name).toBe('sleep');
    expect(next.processes.find((p) => p.pid === burner.pid)?.cpuPercent).toBe(burn.cpuPercent);
    const status = readFileSync(`/proc/${burner.pid}/status`, 'utf8');
    expect(next.processes.find((p) => p.pid === burner.pid)?.threads).toBe(Number(/Threads:\s*(\d+)/.exec(status)![1]));
    expect(next.namespaces.flatMap((n) => n.pids)).not.toContain(doomed.pid);
  });

  it('carries only the processes whose numbers moved: an idle one stands as it was, a busy one moves', async () => {
    const session = localSession();
    const idler = start('sleep', ['603']);
    const burner = start('/bin/sh', ['-c', 'while :; do :; done']);
    await untilArgv(idler.pid, (argv) => argv[0] === 'sleep');
    await untilArgv(burner.pid, (argv) => argv[2] === 'while :; do :; done');
    let snapshot = await collectSnapshot(session);
    // The first tick may move the idler's CPU% from "unknown" to 0; from then on nothing of it moves.
    snapshot = applyDelta(snapshot, await refreshSnapshot(session, snapshot));
    await sleep(200);
    const delta = await refreshSnapshot(session, snapshot);
    expect(delta.updated.map((u) => u.pid)).not.toContain(idler.pid);
    expect(delta.removed).not.toContain(idler.pid);
    expect(delta.updated.find((u) => u.pid === burner.pid)?.cpuTicks).toBeGreaterThan(snapshot.processes.find((p) => p.pid === burner.pid)!.cpuTicks!);
    const next = applyDelta(snapshot, delta);
    const before = snapshot.processes.find((p) => p.pid === idler.pid)!;
    expect(next.processes.find((p) => p.pid === idler.pid)).toBe(before);
    // What it stands at is what the kernel still says in the file procscope reads (stat: status's VmRSS is summed
    // over the CPUs' counters, stat's resident pages are not, and the two differ by pages on an idle process).
    const fields = readFileSync(`/proc/${idler.pid}/stat`, 'latin1').split(') ')[1]!.split(' ');
    expect(before.state).toBe(fields[0]);
    expect(before.rssKb).toBe((Number(fields[21]) * snapshot.node.pageSize!) / 1024);
  });

  it('sends much less than a full snapshot, and the same data compressed or not', async () => {
    const session = localSession();
    const measure = async (compress: boolean) => {
      let bytes = 0;
      const snap = await collectSnapshot(session, { compress, onProgress: (b) => (bytes = b) });
      // A refresh reads new processes in full, and on a shared machine others start some: of three refreshes in a
      // row, the size of one that found no new process is the compact part (the smallest, if each found some).
      const sizes: { bytes: number; added: number }[] = [];
      let current = snap;
      for (let i = 0; i < 3; i++) {
        let refreshBytes = 0;
        const delta = await refreshSnapshot(session, current, { compress, onProgress: (b) => (refreshBytes = b) });
        current = applyDelta(current, delta);
        sizes.push({ bytes: refreshBytes, added: delta.added.length });
      }
      const quiet = sizes.filter((x) => x.added === 0);
      const refreshBytes = Math.min(...(quiet.length > 0 ? quiet : sizes).map((x) => x.bytes));
      return { snap, bytes, refreshBytes };
    };
    const plain = await measure(false);
    const gz = await measure(true);
    console.log(`full snapshot: ${plain.bytes} bytes plain, ${gz.bytes} gzip; refresh: ${plain.refreshBytes} plain, ${gz.refreshBytes} gzip; ${plain.snap.processes.length} processes`);
    expect(gz.bytes).toBeLessThan(plain.bytes / 2);
    expect(plain.refreshBytes).toBeLessThan(plain.bytes / 5);
    expect(plain.refreshBytes / plain.snap.processes.length).toBeLessThan(300);
    // The same processes either way (counts may differ: a shared machine starts and ends processes meanwhile).
    for (const pid of [1, process.ppid, process.pid]) expect(gz.snap.processes.some((p) => p.pid === pid) && plain.snap.processes.some((p) => p.pid === pid), `pid ${pid}`).toBe(true);
    expect(gz.snap.processes.find((p) => p.pid === process.pid)?.cmdline).toEqual(plain.snap.processes.find((p) => p.pid === process.pid)?.cmdline);
    // Two full reads of the whole host and six refreshes: beside another suite (its scale test holds thousands of
    // processes) that took over 60 s here.
  }, 240_000);
});
