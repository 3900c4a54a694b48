/**
 * Real containers without a runtime: processes in new pid, net, mnt, uts and ipc namespaces (unshare),
 * placed in real cgroup v2 directories named exactly as each runtime names them, plus the runtimes'
 * name files under a fake root. Everything is removed by stop(), also when a test fails.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findCgroup2Mount, parseMountinfo } from '../../shared/proc/mountinfo';

export function cgroup2Root(): string | null {
  return findCgroup2Mount(parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')));
}

export function containersUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'container tests need root (unshare and cgroup directories)';
  if (spawnSync('unshare', ['--version']).status !== 0) return 'no unshare (util-linux)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'no ip (iproute2)';
  const root = cgroup2Root();
  if (!root) return 'no cgroup2 mount in /proc/self/mountinfo';
  const probe = join(root, `procscope-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
  } catch (err) {
    return `cgroup2 at ${root} is not writable: ${(err as Error).message}`;
  }
  const u = spawnSync('unshare', ['--fork', '--pid', '--mount-proc', '--net', '--uts', '--ipc', 'true']);
  if (u.status !== 0) return `unshare cannot make namespaces here: ${u.stderr.toString().trim()}`;
  return null;
}

/** Inside the container: set the hostname, bring lo up, listen on 127.0.0.1:PORT, say "ready". */
const LISTENER = `require('net').createServer().listen(+process.env.PORT, '127.0.0.1', () => process.stdout.write('ready\\n')); setInterval(() => {}, 1e9);`;

export interface FakeContainer {
  /** the cgroup v2 path the processes are in (with any leaf) */
  cgroupPath: string;
  /** host pids: unshare (outside the pid namespace) and the container's init */
  unsharePid: number;
  initPid: number;
  stop(): Promise<void>;
}

export interface CgroupTree {
  root: string;
  made: string[];
}

function mkdirCgroup(tree: CgroupTree, path: string): string {
  const full = join(tree.root, path);
  const missing: string[] = [];
  for (let d = full; !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    mkdirSync(d);
    tree.made.push(d);
  }
  return full;
}

function readProcs(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Kills what is left in the cgroup directories the tests made and removes them, deepest first. */
export async function removeCgroups(tree: CgroupTree): Promise<void> {
  for (const dir of [...tree.made].reverse()) {
    for (let i = 0; i < 100; i++) {
      const pids = readProcs(dir);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone already */
        }
      }
      try {
        if (existsSync(dir)) rmdirSync(dir);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
  tree.made = tree.made.filter((d) => existsSync(d));
}

export async function startFakeContainer(tree: CgroupTree, cgroupPath: string, hostname: string, port: number): Promise<FakeContainer> {
  const dir = mkdirCgroup(tree, cgroupPath);
  const child: ChildProcess = spawn(
    '/bin/sh',
    ['-c', 'echo $$ > "$CG/cgroup.procs" && exec unshare --kill-child --pid --mount-proc --net --uts --ipc -- /bin/sh -c \'hostname "$H" && ip link set lo up && exec "$NODE" -e "$JS"\''],
    { env: { ...process.env, CG: dir, H: hostname, NODE: process.execPath, JS: LISTENER, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`fake container in ${cgroupPath} exited with ${code}`)));
  });
  const pids = readProcs(dir);
  const initPid = pids.find((p) => p !== child.pid);
  if (initPid === undefined) throw new Error(`no init in ${dir}: ${pids}`);
  return {
    cgroupPath,
    unsharePid: child.pid!,
    initPid,
    stop: async () => {
      child.kill('SIGKILL');
    },
  };
}

/** A plain process in a cgroup directory (a runtime's monitor, say), not in any new namespace. */
export function startPlainProcess(tree: CgroupTree, cgroupPath: string): ChildProcess {
  const dir = mkdirCgroup(tree, cgroupPath);
  return spawn('/bin/sh', ['-c', 'echo $$ > "$CG/cgroup.procs" && exec sleep 600'], { env: { ...process.env, CG: dir }, stdio: 'ignore' });
}

/** Writes a file under the fake name-source root. */
export function writeNameFile(root: string, path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

export function listDirs(root: string): string[] {
  return existsSync(root) ? readdirSync(root) : [];
}

export interface V1Limits {
  /** controller -> the cgroup directory made for it */
  dirs: Record<string, string>;
  remove(): Promise<void>;
}

/**
 * Puts processes in a cgroup v1 memory and pids cgroup named `name`, with the given limit files, where this kernel
 * mounts those controllers (a hybrid layout); null where it does not.
 */
export function limitContainer(name: string, pids: number[], files: Record<string, string>): V1Limits | null {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[f.indexOf('-') + 1] === 'cgroup');
  const mountOf = (controller: string) => mounts.find((f) => f[f.indexOf('-') + 3]!.split(',').includes(controller))?.[4];
  const dirs: Record<string, string> = {};
  for (const controller of ['memory', 'pids']) {
    const mount = mountOf(controller);
    if (!mount) return null;
    dirs[controller] = join(mount, name);
  }
  for (const [controller, dir] of Object.entries(dirs)) {
    mkdirSync(dir, { recursive: true });
    for (const [file, value] of Object.entries(files)) if (file.startsWith(`${controller}.`)) writeFileSync(join(dir, file), value);
    for (const pid of pids) writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  }
  return {
    dirs,
    async remove() {
      for (const dir of Object.values(dirs)) {
        for (let i = 0; i < 50; i++) {
          try {
            rmdirSync(dir);
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }
    },
  };
}
