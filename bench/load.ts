/**
 * The bench's load on this machine: N processes with about ten open fds each, and sockets on loopback,
 * a few in their own network namespaces. Everything runs in process groups that teardown() kills.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface Load {
  processes: number;
  /** starts `more` sleepers besides the ones running */
  grow(more: number): Promise<void>;
  fdsPerProcess: number;
  sockets: number;
  netnsSockets: number;
  teardown(): void;
}

/** One dash loop that forks the sleepers: each holds fds 3-9 on /dev/null besides stdio. */
const SLEEPERS = `i=0
while [ "$i" -lt "$N" ]; do
  sh -c 'exec 3</dev/null 4</dev/null 5</dev/null 6</dev/null 7</dev/null 8</dev/null 9</dev/null; exec sleep 3600' &
  i=$((i + 1))
done
echo ready
wait`;

/** Listening TCP, UDP and unix sockets, and TCP connections to itself, COUNT in all. */
const SOCKETS = `
const net = require('net'), dgram = require('dgram'), os = require('os'), path = require('path');
const count = +process.env.COUNT, made = [];
let pending = 0;
const done = () => { if (--pending === 0) process.stdout.write('ready\\n'); };
for (let i = 0; made.length < count; i++) {
  const kind = i % 4;
  pending++;
  if (kind === 0) { const s = net.createServer().listen(0, '127.0.0.1', done); made.push(s); }
  else if (kind === 1) { const s = dgram.createSocket('udp4'); s.bind(0, '127.0.0.1', done); made.push(s); }
  else if (kind === 2) { const s = net.createServer().listen(path.join(os.tmpdir(), 'procscope-bench-' + process.pid + '-' + i + '.sock'), done); made.push(s); }
  else { const srv = net.createServer().listen(0, '127.0.0.1', () => { const c = net.connect(srv.address().port, '127.0.0.1', done); made.push(c); }); made.push(srv); }
}
setInterval(() => {}, 1e9);`;

function started(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`${what} exited (${code})`)));
  });
}

export async function startLoad(processes: number, sockets: number, netnsCount: number, netnsSockets: number): Promise<Load> {
  const groups: ChildProcess[] = [];
  const launch = (argv: string[], env: NodeJS.ProcessEnv) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    groups.push(child);
    return child;
  };
  const teardown = () => {
    for (const g of groups) {
      try {
        process.kill(-g.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  // Also when the bench dies: nothing of the load may outlive it.
  process.once('exit', teardown);
  try {
    const waits = [started(launch(['/bin/sh', '-c', SLEEPERS], { N: String(processes) }), 'sleepers'), started(launch([process.execPath, '-e', SOCKETS], { COUNT: String(sockets) }), 'sockets')];
    for (let i = 0; i < netnsCount; i++) {
      const inner = `ip link set lo up && exec "${process.execPath}" -e "$JS"`;
      waits.push(started(launch(['unshare', '--net', '/bin/sh', '-c', inner], { JS: SOCKETS, COUNT: String(netnsSockets) }), `netns ${i}`));
    }
    await Promise.all(waits);
  } catch (err) {
    teardown();
    throw err;
  }
  const load: Load = {
    processes,
    async grow(more) {
      await started(launch(['/bin/sh', '-c', SLEEPERS], { N: String(more) }), 'more sleepers');
      load.processes += more;
    },
    fdsPerProcess: 10,
    sockets: sockets + netnsCount * netnsSockets,
    netnsSockets: netnsCount * netnsSockets,
    teardown,
  };
  return load;
}
