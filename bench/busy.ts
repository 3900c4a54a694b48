/**
 * The first read against ps aux, and the collector's CPU on the node against the floor's, on one open SSH
 * connection: quiet, and busy (one busy loop per core, as a node is during an incident). Each run measures every
 * row once, side by side, so load that comes and goes falls on all of them alike. Node CPU is the persistent
 * shell's children's user + system time (the shell's `times`), which a shared machine's load does not inflate as
 * it inflates wall time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { collectFirstRead, collectSnapshot } from '../electron/engine/collect';
import type { NodeSession } from '../electron/engine/session';

export interface FirstReadFigures {
  label: string;
  processes: number;
  /** medians, ms */
  psAuxMs: number;
  firstReadMs: number;
  /** when the first read's bytes were all in, before their parse and assembly */
  firstArrivedMs: number;
  psVerbMs: number;
  fullMs: number;
  peersMs: number;
  floorMs: number;
  /** medians, node CPU seconds */
  fullCpuS: number;
  floorCpuS: number;
  psAuxCpuS: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A plain command in the persistent shell, as procscope's own scripts run; its output's length. */
async function raw(session: NodeSession, command: string): Promise<string> {
  const marker = `@@bench-done-${Math.random().toString(36).slice(2)}@@`;
  const r = await session.runScript(`{ ${command}\n} </dev/null\nprintf '\\n%s\\n' '${marker}'\n`, { endMarker: Buffer.from(`\n${marker}\n`) });
  return r.stdout.toString('latin1').slice(0, -marker.length - 2);
}

/** The shell's children's CPU seconds so far: the second line of `times` ("0m1.230000s 0m0.450000s"). */
async function childCpu(session: NodeSession): Promise<number> {
  const line = (await raw(session, 'times')).trim().split('\n')[1] ?? '';
  const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (secs.length !== 2) throw new Error(`cannot read the shell's times: ${JSON.stringify(line)}`);
  return secs[0]! + secs[1]!;
}

/** One busy loop per core, until stopped. */
export function startBusyLoops(): { stop(): void } {
  const loops: ChildProcess[] = cpus().map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore', detached: true }));
  return {
    stop() {
      for (const l of loops) {
        try {
          process.kill(-l.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }
    },
  };
}

export async function firstReadPhase(label: string, session: NodeSession, runs: number, commands: { floor: string; peers: string }, say: (line: string) => void): Promise<FirstReadFigures> {
  const rows = { psAux: [] as number[], first: [] as number[], arrived: [] as number[], psVerb: [] as number[], full: [] as number[], peers: [] as number[], floor: [] as number[], fullCpu: [] as number[], floorCpu: [] as number[], psAuxCpu: [] as number[] };
  let processes = 0;
  const timedCpu = async (run: () => Promise<unknown>): Promise<[number, number]> => {
    const c0 = await childCpu(session);
    const t0 = performance.now();
    await run();
    const ms = performance.now() - t0;
    return [ms, (await childCpu(session)) - c0];
  };
  for (let i = 0; i < runs; i++) {
    const [psMs, psCpu] = await timedCpu(() => raw(session, 'ps aux'));
    rows.psAux.push(psMs);
    rows.psAuxCpu.push(psCpu);
    let firstAt = 0;
    let arrivedAt = 0;
    const [fullMs, fullCpu] = await timedCpu(async () => {
      const t0 = performance.now();
      const snap = await collectSnapshot(session, { inline: true, onFirstReadArrived: () => (arrivedAt = performance.now() - t0), onFirstRead: () => (firstAt = performance.now() - t0) });
      processes = snap.processes.length;
    });
    rows.full.push(fullMs);
    rows.fullCpu.push(fullCpu);
    rows.first.push(firstAt || fullMs);
    rows.arrived.push(arrivedAt || fullMs);
    const t1 = performance.now();
    await collectFirstRead(session, { inline: true });
    rows.psVerb.push(performance.now() - t1);
    const [floorMs, floorCpu] = await timedCpu(() => raw(session, commands.floor));
    rows.floor.push(floorMs);
    rows.floorCpu.push(floorCpu);
    const t2 = performance.now();
    await raw(session, commands.peers);
    rows.peers.push(performance.now() - t2);
    say(`  ${label}, run ${i + 1}/${runs}: ps aux ${psMs.toFixed(0)} ms, first read ${(firstAt || fullMs).toFixed(0)} ms (its bytes in at ${(arrivedAt || fullMs).toFixed(0)} ms), ps verb ${rows.psVerb.at(-1)!.toFixed(0)} ms, full ${fullMs.toFixed(0)} ms (node CPU ${fullCpu.toFixed(2)} s; floor ${floorCpu.toFixed(2)} s)`);
  }
  return {
    label,
    processes,
    psAuxMs: median(rows.psAux),
    firstReadMs: median(rows.first),
    firstArrivedMs: median(rows.arrived),
    psVerbMs: median(rows.psVerb),
    fullMs: median(rows.full),
    peersMs: median(rows.peers),
    floorMs: median(rows.floor),
    fullCpuS: median(rows.fullCpu),
    floorCpuS: median(rows.floorCpu),
    psAuxCpuS: median(rows.psAuxCpu),
  };
}
