/**
 * The fleet row of the bench: `procscope find --port N` across loopback sshd nodes (each the init of its own pid
 * namespace, with a listener on the port in a few of them), run as a user runs it (the built CLI), asking 16 at a
 * time against asking node after node (--parallel 1); wall time and the CLI's peak memory, at 10 and at 50 nodes.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Sshd, generateKey, startSshd } from '../test/helpers/sshd';

const PORT = 47443;

export interface FleetRow {
  nodes: number;
  parallelMs: number;
  sequentialMs: number;
  parallelPeakMb: number;
  /** `find --name` 16 at a time: a question not about a port reads no network or fd tables */
  nameMs: number;
}

type Timed = (args: string[]) => Promise<{ ms: number; peakKb: number }>;

export async function fleetBench(dir: string, cli: string, timed: Timed, sizes: number[], cleanups: (() => unknown)[]): Promise<FleetRow[]> {
  const key = generateKey(dir, 'id_fleet_bench');
  const sleep = join(dir, 'fleet-bench-agent');
  copyFileSync('/bin/sleep', sleep);
  const most = Math.max(...sizes);
  const listen = (i: number) =>
    i % 10 === 0 ? `unshare --net ${JSON.stringify(process.execPath)} -e "require('net').createServer().listen(${PORT}, '0.0.0.0'); setInterval(() => {}, 1e9)" &` : '';
  const nodes: Sshd[] = [];
  // Started ten at a time: fifty sshd key loads at once would measure the machine, not procscope.
  for (let i = 0; i < most; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, most - i) }, (_, k) =>
        startSshd({ wrap: ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', 'sh', '-c', `${sleep} 3600 &\n${listen(i + k)}\nexec "$@"`, `bench-node-${i + k}`], logLevel: 'ERROR' }),
      ),
    );
    nodes.push(...batch);
  }
  cleanups.push(() => Promise.all(nodes.map((n) => n.stop())));
  for (const n of nodes) n.authorize('root', key.publicLine);
  const knownHosts = join(dir, 'fleet_known_hosts');
  writeFileSync(knownHosts, nodes.map((n) => n.knownHostsLine()).join('\n') + '\n');
  const rows: FleetRow[] = [];
  for (const size of sizes) {
    const inventory = join(dir, `fleet-${size}`);
    writeFileSync(inventory, nodes.slice(0, size).map((n) => `root@127.0.0.1:${n.port}`).join('\n') + '\n');
    const find = (parallel: number, question = ['--port', String(PORT)]) => timed([cli, 'find', '--inventory', inventory, '--known-hosts', knownHosts, '-i', key.privatePath, ...question, '--parallel', String(parallel), '--json']);
    await find(16); // warm: sshd's first connections load their keys
    const parallel = await find(16);
    const sequential = await find(1);
    const byName = await find(16, ['--name', '^fleet-bench-agent$']);
    rows.push({ nodes: size, parallelMs: parallel.ms, sequentialMs: sequential.ms, parallelPeakMb: parallel.peakKb / 1024, nameMs: byName.ms });
    process.stderr.write(`  fleet: find --port across ${size} nodes: ${parallel.ms.toFixed(0)} ms 16 at a time, ${sequential.ms.toFixed(0)} ms node after node; peak ${(parallel.peakKb / 1024).toFixed(0)} MB; find --name ${byName.ms.toFixed(0)} ms\n`);
  }
  return rows;
}
