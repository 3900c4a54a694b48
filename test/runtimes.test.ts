/**
 * Real container runtimes (Docker, containerd with ctr, Podman, runc), each started here with no network from a
 * busybox-static rootfs, and procscope's view checked against the runtime's own answer. A runtime that cannot
 * run on this machine skips with its reason. Daemons that are not running are started and stopped by the test.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot, SnapshotContainer, SnapshotSocket } from '../shared/snapshot/types';
import { diffSnapshots } from '../shared/diff/diff';
import { formatDiff } from '../shared/diff/format';
import { collectSnapshot } from '../electron/engine/collect';
import { commandSession } from '../electron/engine/command-session';
import { localSession } from '../electron/engine/session';
import { cgroup2Root } from './helpers/containers';
import { schemaErrors } from './helpers/schema';
import { freePort, makeTempDir } from './helpers/sshd';
import { skipForMachine } from './helpers/skip';

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: `${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim() };
};
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tag = `pstest${process.pid}`;

const daemons: ChildProcess[] = [];
const cleanups: (() => void)[] = [];
let dir = '';
let rootfs = '';
let tarball = '';
let rootfsProblem: string | null = null;

async function ensureDaemon(cmd: string, args: string[], ready: () => boolean): Promise<string | null> {
  if (ready()) return null;
  if (!has(cmd)) return `${cmd} is not installed`;
  const log = join(dir, `${cmd}.log`);
  const d = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  d.stderr!.on('data', (b: Buffer) => writeFileSync(log, b, { flag: 'a' }));
  daemons.push(d);
  for (let i = 0; i < 100; i++) {
    if (ready()) return null;
    if (d.exitCode !== null) break;
    await sleep(200);
  }
  return `${cmd} did not start: ${existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-2).join(' / ') : 'no log'}`;
}

beforeAll(() => {
  dir = makeTempDir('runtimes');
  rootfs = join(dir, 'rootfs');
  tarball = join(dir, 'rootfs.tar');
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (!busybox || run('ldd', [busybox]).ok) {
    rootfsProblem = 'no static busybox for a rootfs (install busybox-static)';
    return;
  }
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  copyFileSync(busybox, join(rootfs, 'bin', 'busybox'));
  // Every applet, so the collector can run inside a container too (--via 'docker exec -i ... sh').
  const applets = spawnSync(busybox, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter((a) => /^[a-z0-9_.[-]+$/.test(a) && a !== 'busybox');
  for (const applet of new Set(['sh', 'sleep', 'nc', ...applets])) symlinkSync('busybox', join(rootfs, 'bin', applet));
  for (const d of ['proc', 'sys', 'dev', 'etc', 'tmp', 'usr']) mkdirSync(join(rootfs, d));
  // nspawn wants an OS tree (/usr, os-release); Podman's pod infra runs /pause
  writeFileSync(join(rootfs, 'etc', 'os-release'), 'ID=procscope-test\n');
  writeFileSync(join(rootfs, 'pause'), '#!/bin/sh\nexec /bin/sleep 100000\n', { mode: 0o755 });
  run('tar', ['-C', rootfs, '-cf', tarball, '.']);
});

afterAll(async () => {
  for (const f of cleanups.reverse()) f();
  for (const d of daemons) {
    try {
      process.kill(-d.pid!, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  await sleep(500);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const isRoot = process.getuid?.() === 0;

/** Removes cgroup directories (relative to each hierarchy's root) in every hierarchy, deepest first. */
function removeCgroupDirs(paths: string[]): void {
  for (const h of readdirSync('/sys/fs/cgroup')) for (const p of paths) run('rmdir', [join('/sys/fs/cgroup', h, p)]);
}

async function snapshotWith(initPid: number): Promise<{ snapshot: Snapshot; container: SnapshotContainer | undefined }> {
  const snapshot = await collectSnapshot(localSession());
  return { snapshot, container: snapshot.containers.find((c) => c.initPid === initPid || c.pids.includes(initPid)) };
}

function skip(label: string, why: string | null): boolean {
  if (why) console.warn(`SKIP ${label}: ${why}`);
  return why !== null;
}

/**
 * What the kernel says of a process's cgroup: its pids.current, from the unified hierarchy where the file is there,
 * else from the v1 pids controller's mount; null where neither has it.
 */
function kernelPidsCurrent(pid: number): number | null {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' '));
  const fsType = (f: string[]) => f[f.indexOf('-') + 1];
  const unified = mounts.find((f) => fsType(f) === 'cgroup2')?.[4];
  const v2 = lines.find((l) => l.startsWith('0::'))?.slice(3);
  const pidsMount = mounts.find((f) => fsType(f) === 'cgroup' && f[f.indexOf('-') + 3]?.split(',').includes('pids'))?.[4];
  const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes('pids'))?.split(':').slice(2).join(':');
  for (const file of [unified && v2 && v2 !== '/' ? `${unified}${v2}/pids.current` : null, pidsMount && v1 && v1 !== '/' ? `${pidsMount}${v1}/pids.current` : null]) {
    if (file && existsSync(file)) return Number(readFileSync(file, 'utf8'));
  }
  return null;
}

/** A container's resources as the kernel has them: its pids.current the same, where its cgroup has the file. */
function expectResourcesOfKernel(label: string, container: SnapshotContainer | undefined, pid: number): void {
  const kernel = kernelPidsCurrent(pid);
  if (skip(`${label} resources`, kernel === null ? 'its cgroup has no pids.current here' : null)) return;
  expect(container?.resources?.pidsCurrent, `${label}: pids.current`).toBe(kernel);
}

describe('Docker', () => {
  it('finds the container docker inspect describes', async () => {
    if (skip('Docker', !isRoot ? 'needs root' : rootfsProblem ?? (has('dockerd') ? null : 'docker.io is not installed'))) return;
    // A daemon of this test's own (its own socket, data and exec roots), so runs side by side never share one.
    const sock = `unix://${join(dir, 'docker.sock')}`;
    const problem = await ensureDaemon('dockerd', ['--iptables=false', '--bridge=none', '-H', sock, '--data-root', join(dir, 'docker'), '--exec-root', join(dir, 'docker-exec'), '--pidfile', join(dir, 'docker.pid')], () => run('docker', ['-H', sock, 'info']).ok);
    if (skip('Docker', problem)) return;
    const docker = (...args: string[]) => run('docker', ['-H', sock, ...args]);
    expect(docker('import', tarball, `${tag}:1`).ok).toBe(true);
    const namesRoot = join(dir, 'docker-names');
    mkdirSync(join(namesRoot, 'var', 'lib'), { recursive: true });
    symlinkSync(join(dir, 'docker'), join(namesRoot, 'var', 'lib', 'docker'));
    const before = await collectSnapshot(localSession(), { namesRoot });
    const started = docker('run', '-d', '--network', 'none', '--name', `${tag}-docker`, `${tag}:1`, '/bin/sleep', '600');
    if (skip('Docker', started.ok ? null : `docker run failed: ${started.err}`)) return;
    cleanups.push(() => {
      docker('rm', '-f', `${tag}-docker`);
      docker('rmi', '-f', `${tag}:1`);
    });
    const [pid, id, name] = docker('inspect', '-f', '{{.State.Pid}} {{.Id}} {{.Name}}', `${tag}-docker`).out.split(' ');
    // Its config.v2.json files are under its data root (namesRoot): the name sources are read there, as /var/lib/docker on a node.
    const snapshot = await collectSnapshot(localSession(), { namesRoot });
    const container = snapshot.containers.find((c) => c.pids.includes(Number(pid)));
    expect(container, `container of pid ${pid}`).toBeDefined();
    expect(container).toMatchObject({ id, runtime: 'docker', initPid: Number(pid), name: name!.replace(/^\//, '') });
    expect(container!.pidMap).toContainEqual({ hostPid: Number(pid), containerPid: 1 });
    expect(container!.confirmed).toBe(true);
    expect(snapshot.errors.filter((e) => e.scope === `container ${id}`)).toEqual([]);

    // A hand-made cgroup named like a Docker container's: docker inspect says no such object, and so does procscope.
    const cg2 = cgroup2Root();
    if (cg2) {
      const fakeId = createHash('sha256').update(`${tag}-fake`).digest('hex');
      const fakeDir = join(cg2, 'docker', fakeId);
      mkdirSync(fakeDir, { recursive: true });
      const impostor = spawn('/bin/sh', ['-c', 'echo $$ > "$CG/cgroup.procs" && exec sleep 600'], { env: { ...process.env, CG: fakeDir }, stdio: 'ignore' });
      cleanups.push(() => {
        impostor.kill('SIGKILL');
        for (let i = 0; i < 50 && existsSync(fakeDir); i++) spawnSync('rmdir', [fakeDir, join(cg2, 'docker')]);
      });
      expect(docker('inspect', fakeId).ok).toBe(false);
      let fake: SnapshotContainer | undefined;
      for (let i = 0; i < 20 && !fake; i++) fake = (await collectSnapshot(localSession(), { namesRoot })).containers.find((c) => c.id === fakeId && c.pids.includes(impostor.pid!));
      expect(fake, 'the hand-made /docker/<id> cgroup as a container').toMatchObject({ runtime: 'docker', confirmed: false });
    } else skipForMachine('the unconfirmed Docker container', 'no cgroup2 mount');

    // What changed since before docker run: the container created, its init started in it, its namespaces new.
    const diff = diffSnapshots(before, snapshot);
    expect(diff.containers.created).toContainEqual(expect.objectContaining({ id, runtime: 'docker', name: name!.replace(/^\//, ''), initPid: Number(pid) }));
    expect(diff.containers.gone).toEqual([]);
    expect(diff.processes.started).toContainEqual(expect.objectContaining({ pid: Number(pid), cmdline: ['/bin/sleep', '600'], containerId: id, container: name!.replace(/^\//, '') }));
    const initNs = snapshot.processes.find((p) => p.pid === Number(pid))!.namespaces;
    for (const type of ['mnt', 'pid', 'uts', 'net']) expect(diff.namespaces.created).toContainEqual(expect.objectContaining({ type, inode: initNs[type], containerId: id }));
    expect(formatDiff(diff)).toContain(`+ docker ${id!.slice(0, 12)} ${name!.replace(/^\//, '')}  init ${pid}, 1 process`);

    // A container with limits: procscope reads them from its cgroup, as docker set them (and as the files say).
    const limited = docker('run', '-d', '--network', 'none', '--memory', '64m', '--cpus', '0.5', '--pids-limit', '50', '--name', `${tag}-limited`, `${tag}:1`, '/bin/sleep', '600');
    if (limited.ok) {
      cleanups.push(() => docker('rm', '-f', `${tag}-limited`));
      const [limitedPid, limitedId] = docker('inspect', '-f', '{{.State.Pid}} {{.Id}}', `${tag}-limited`).out.split(' ');
      const inspect = JSON.parse(docker('inspect', '-f', '{{json .HostConfig}}', `${tag}-limited`).out) as { Memory: number; NanoCpus: number; PidsLimit: number };
      const withLimits = await collectSnapshot(localSession(), { namesRoot });
      const c = withLimits.containers.find((x) => x.id === limitedId)!;
      expect(c.pids).toContain(Number(limitedPid));
      expect(c.image).toBe(`${tag}:1`);
      expect(c.resources).toMatchObject({ memoryMaxBytes: inspect.Memory, cpuMaxCores: inspect.NanoCpus / 1e9, pidsMax: inspect.PidsLimit });
      expect(inspect).toMatchObject({ Memory: 64 * 1024 * 1024, NanoCpus: 5e8, PidsLimit: 50 });
      // Its use, as the cgroup files had it around the read.
      const cgroupLine = (controller: string) => readFileSync(`/proc/${limitedPid}/cgroup`, 'utf8').split('\n').find((l) => l.split(':')[1]!.split(',').includes(controller) || (controller === '' && l.startsWith('0::')))!;
      const v1Memory = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[f.indexOf('-') + 1] === 'cgroup' && f[f.indexOf('-') + 3]!.split(',').includes('memory'))?.[4];
      const pids = c.resources!.cgroup === 2 ? '' : 'pids';
      expect(c.resources!.pidsCurrent).toBeGreaterThanOrEqual(1);
      expect(c.resources!.pidsCurrent).toBeLessThanOrEqual(50);
      expect(c.resources!.memoryBytes).toBeGreaterThan(0);
      if (c.resources!.cgroup === 1) expect(Number(readFileSync(`${v1Memory}${cgroupLine('memory').split(':').slice(2).join(':')}/memory.limit_in_bytes`, 'utf8'))).toBe(c.resources!.memoryMaxBytes);
      expect(cgroupLine(pids)).toBeDefined();
      expect(schemaErrors(withLimits)).toEqual([]);
    } else skipForMachine('the Docker limits step', `docker run --memory --cpus --pids-limit failed: ${limited.err}`);

    // The view from inside, through --via: the container's own pid namespace, where its init is pid 1.
    const inside = commandSession(`docker -H ${sock} exec -i ${tag}-docker /bin/sh`);
    try {
      const seen = await collectSnapshot(inside);
      expect(seen.node.target).toBe(`via docker -H ${sock} exec -i ${tag}-docker /bin/sh`);
      expect(seen.processes.find((p) => p.pid === 1)?.cmdline).toEqual(['/bin/sleep', '600']);
      expect(seen.processes.some((p) => p.pid === process.pid && p.name === 'node')).toBe(false);
      expect(seen.processes.length).toBeLessThan(40);
    } finally {
      inside.close();
    }
  });
});

describe('containerd (ctr)', () => {
  it('finds a container ctr runs by name, in its namespace, as ctr task ls has it', async () => {
    if (skip('containerd', !isRoot ? 'needs root' : rootfsProblem ?? (has('containerd') && has('ctr') ? null : 'containerd is not installed'))) return;
    const sock = join(dir, 'containerd.sock');
    const problem = await ensureDaemon('containerd', ['--address', sock, '--root', join(dir, 'containerd'), '--state', join(dir, 'containerd-state')], () => run('ctr', ['--address', sock, 'version']).ok);
    if (skip('containerd', problem)) return;
    const ctr = (...args: string[]) => run('ctr', ['--address', sock, '--namespace', tag, ...args]);
    const name = `${tag}-ctr`;
    const started = ctr('run', '-d', '--rootfs', rootfs, name, '/bin/sleep', '600');
    if (skip('containerd', started.ok ? null : `ctr run failed: ${started.err}`)) return;
    cleanups.push(() => {
      ctr('task', 'kill', '-s', 'KILL', name);
      spawnSync('sleep', ['0.5']);
      ctr('task', 'delete', name);
      ctr('container', 'delete', name);
      // containerd leaves the namespace's cgroup directories behind
      removeCgroupDirs([`${tag}/${name}`, tag]);
    });
    const pid = Number(ctr('task', 'ls').out.split('\n').find((l) => l.startsWith(name))?.split(/\s+/)[1]);
    expect(pid).toBeGreaterThan(0);
    // containerd keeps its task state under its --state directory: point the name sources there as on a real node.
    const stateLink = join(dir, 'names-root', 'run');
    mkdirSync(stateLink, { recursive: true });
    symlinkSync(join(dir, 'containerd-state'), join(stateLink, 'containerd'));
    const snapshot = await collectSnapshot(localSession(), { namesRoot: join(dir, 'names-root') });
    const container = snapshot.containers.find((c) => c.pids.includes(pid));
    expect(container).toMatchObject({ id: name, runtime: 'containerd', namespace: tag, initPid: pid });
    expectResourcesOfKernel('ctr', container, pid);
  });
});

describe('Podman (rootful)', () => {
  it('finds the container podman inspect describes, with its name', async () => {
    if (skip('Podman', !isRoot ? 'needs root' : rootfsProblem ?? (has('podman') && has('runc') ? null : 'podman and runc are not installed'))) return;
    // No CAP_SYS_RESOURCE here: lower limits than the defaults podman would set.
    const conf = join(dir, 'containers.conf');
    // crun refuses this hybrid cgroup layout: runc, for the pod's infra container too.
    writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\n');
    const podman = (...args: string[]) => run('podman', ['--runtime', 'runc', ...args], { CONTAINERS_CONF: conf });
    expect(podman('import', tarball, `localhost/${tag}:1`).ok).toBe(true);
    const started = podman('run', '-d', '--network', 'none', '--name', `${tag}-podman`, `localhost/${tag}:1`, '/bin/sleep', '600');
    if (skip('Podman', started.ok ? null : `podman run failed: ${started.err}`)) return;
    cleanups.push(() => {
      podman('rm', '-f', '-t', '0', `${tag}-podman`);
      podman('rmi', '-f', `localhost/${tag}:1`);
    });
    const [pid, id, name] = podman('inspect', '-f', '{{.State.Pid}} {{.Id}} {{.Name}}', `${tag}-podman`).out.split(' ');
    const { container } = await snapshotWith(Number(pid));
    expect(container).toMatchObject({ id, runtime: 'podman', initPid: Number(pid), name, image: `localhost/${tag}:1` });

    // A pod: its infra container is the sandbox, and every container carries the pod's name.
    const pod = `${tag}-pod`;
    expect(podman('pod', 'create', '--name', pod, '--network', 'none', '--infra-image', `localhost/${tag}:1`, '--infra-command', '/pause').ok).toBe(true);
    cleanups.push(() => podman('pod', 'rm', '-f', '-t', '0', pod));
    const inPod = podman('run', '-d', '--pod', pod, '--name', `${tag}-in-pod`, `localhost/${tag}:1`, '/bin/sleep', '600');
    expect(inPod.ok, inPod.err).toBe(true);
    const [memberPid, memberId] = podman('inspect', '-f', '{{.State.Pid}} {{.Id}}', `${tag}-in-pod`).out.split(' ');
    const podId = podman('pod', 'inspect', '-f', '{{.Id}}', pod).out;
    const infraId = podman('pod', 'inspect', '-f', '{{.InfraContainerID}}', pod).out;
    const after = await collectSnapshot(localSession());
    expect(after.containers.find((c) => c.id === memberId)).toMatchObject({ initPid: Number(memberPid), podUid: podId, podName: pod, name: `${tag}-in-pod`, sandbox: false });
    expect(after.containers.find((c) => c.id === infraId)).toMatchObject({ podUid: podId, podName: pod, sandbox: true });

    // A --network host container's listener is in the host's net namespace: its container is the holder's.
    const port = await freePort();
    const web = podman('run', '-d', '--network', 'host', '--name', `${tag}-hostnet`, `localhost/${tag}:1`, '/bin/httpd', '-f', '-p', `127.0.0.1:${port}`);
    expect(web.ok, web.err).toBe(true);
    cleanups.push(() => podman('rm', '-f', '-t', '0', `${tag}-hostnet`));
    const [webPid, webId] = podman('inspect', '-f', '{{.State.Pid}} {{.Id}}', `${tag}-hostnet`).out.split(' ');
    let listener: SnapshotSocket | undefined;
    let seen: Snapshot | undefined;
    for (let i = 0; i < 20 && !listener; i++) {
      seen = await collectSnapshot(localSession());
      listener = seen.sockets.find((s) => s.state === 'LISTEN' && s.local === `127.0.0.1:${port}`);
    }
    expect(listener, `no listener on 127.0.0.1:${port}`).toBeDefined();
    expect(listener!.netns).toBe(seen!.node.hostNamespaces?.net);
    expect(listener!.pids).toContain(Number(webPid));
    expect(listener!.containerId).toBe(webId);
  });
});

describe('Podman (rootless)', () => {
  it('labels a rootless container podman, with its name, image and cgroup resources', async () => {
    const user = 'procscope-rl';
    const unavailable = !isRoot ? 'needs root (to make the user)' : rootfsProblem ?? (has('podman') && has('runc') && has('newuidmap') && has('runuser') ? null : 'podman, runc, newuidmap (uidmap) and runuser are needed');
    if (skip('rootless Podman', unavailable)) return;
    if (spawnSync('id', [user]).status !== 0) run('useradd', ['--create-home', '--shell', '/bin/sh', user]);
    if (!readFileSync('/etc/subuid', 'utf8').split('\n').some((l) => l.startsWith(`${user}:`))) run('usermod', ['--add-subuids', '600000-665535', '--add-subgids', '600000-665535', user]);
    const uid = Number(run('id', ['-u', user]).out);
    // Its runtime directory where logind would make it: runc keeps the container's state there, as on a real node.
    const xdg = `/run/user/${uid}`;
    if (!existsSync(xdg)) {
      mkdirSync(xdg, { recursive: true, mode: 0o700 });
      cleanups.push(() => rmSync(xdg, { recursive: true, force: true }));
    }
    chownSync(xdg, uid, uid);
    chmodSync(dir, 0o755);
    chmodSync(tarball, 0o644);
    const conf = join(dir, 'rootless.conf');
    writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n', { mode: 0o644 });
    const podman = (...args: string[]) => run('runuser', ['-u', user, '--', 'env', `HOME=/home/${user}`, `XDG_RUNTIME_DIR=${xdg}`, `CONTAINERS_CONF=${conf}`, 'podman', '--runtime', 'runc', ...args]);
    const image = `localhost/${tag}-rl:1`;
    if (skip('rootless Podman', podman('import', tarball, image).ok ? null : 'podman import as the user failed')) return;
    const started = podman('run', '-d', '--network', 'none', '--name', `${tag}-rl`, image, '/bin/sleep', '600');
    if (skip('rootless Podman', started.ok ? null : `podman run as ${user} failed: ${started.err}`)) return;
    cleanups.push(() => {
      podman('rm', '-f', '-t', '0', `${tag}-rl`);
      podman('rmi', '-f', image);
    });
    const [pid, id, name] = podman('inspect', '-f', '{{.State.Pid}} {{.Id}} {{.Name}}', `${tag}-rl`).out.split(' ');
    const { snapshot, container } = await snapshotWith(Number(pid));
    expect(container, `pid ${pid}: ${JSON.stringify(snapshot.containers.map((c) => [c.id.slice(0, 12), c.runtime, c.pids]))}`).toMatchObject({ id, runtime: 'podman', name, image });
    // Resources wherever the kernel has its cgroup files: a v1 memory cgroup of its own here.
    const memoryOf = (p: number | string) => readFileSync(`/proc/${p}/cgroup`, 'utf8').split('\n').find((l) => l.split(':')[1]?.split(',').includes('memory'))?.split(':').slice(2).join(':');
    const memoryPath = memoryOf(pid!);
    const memoryMount = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[f.indexOf('-') + 1] === 'cgroup' && f[f.indexOf('-') + 3]?.split(',').includes('memory'))?.[4];
    // Its own: not the one it inherited from the test (a user who may not make cgroups gets none).
    if (memoryPath && memoryPath !== '/' && memoryPath !== memoryOf(process.pid) && memoryMount && existsSync(`${memoryMount}${memoryPath}/memory.usage_in_bytes`)) {
      expect(container!.resources?.memoryBytes).toBeGreaterThan(0);
    } else skipForMachine('rootless Podman resources', 'no memory cgroup of its own here (the cgroup layout of this kernel)');
  });
});

describe('runc, run directly', () => {
  it('finds the container runc list describes', async () => {
    if (skip('runc', !isRoot ? 'needs root' : rootfsProblem ?? (has('runc') ? null : 'runc is not installed'))) return;
    const bundle = join(dir, 'bundle');
    mkdirSync(bundle);
    run('cp', ['-a', rootfs, join(bundle, 'rootfs')]);
    expect(run('runc', ['spec', '--bundle', bundle]).ok).toBe(true);
    const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
    config.process.terminal = false;
    config.process.args = ['/bin/sleep', '600'];
    config.process.rlimits = [];
    config.linux.namespaces = config.linux.namespaces.filter((n: { type: string }) => n.type !== 'network');
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
    const id = `${tag}-runc`;
    const started = spawnSync('runc', ['run', '-d', '--bundle', bundle, id], { stdio: 'ignore', timeout: 30_000 });
    if (skip('runc', started.status === 0 ? null : `runc run failed (${started.status})`)) return;
    cleanups.push(() => run('runc', ['delete', '-f', id]));
    const pid = JSON.parse(run('runc', ['state', id]).out).pid as number;
    const { container } = await snapshotWith(pid);
    expect(container).toMatchObject({ id, ociRuntime: 'runc', initPid: pid });
    expectResourcesOfKernel('runc', container, pid);
  });
});

describe('crun, run directly', () => {
  it('finds the container crun list describes', async () => {
    if (skip('crun', !isRoot ? 'needs root' : rootfsProblem ?? (has('crun') && has('runc') && has('unshare') ? null : 'crun is not installed'))) return;
    const bundle = join(dir, 'crun-bundle');
    mkdirSync(bundle);
    run('cp', ['-a', rootfs, join(bundle, 'rootfs')]);
    run('runc', ['spec', '--bundle', bundle]);
    const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
    Object.assign(config.process, { terminal: false, args: ['/bin/sleep', '600'], rlimits: [] });
    config.linux.namespaces = config.linux.namespaces.filter((n: { type: string }) => n.type !== 'network');
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
    const id = `${tag}-crun`;
    // crun refuses a hybrid cgroup layout: its cgroup2 mount is hidden from it in a mount namespace of its own.
    const unified = existsSync('/sys/fs/cgroup/unified/cgroup.procs') ? 'umount /sys/fs/cgroup/unified; ' : '';
    // Its output goes to a file: the detached container keeps crun's stdio open, and a pipe would never end.
    const log = join(dir, 'crun.log');
    const started = spawnSync('unshare', ['-m', 'sh', '-c', `${unified}exec crun run -d --bundle "$1" "$2" >"$3" 2>&1`, 'sh', bundle, id, log], { stdio: 'ignore', timeout: 30_000 });
    if (skip('crun', started.status === 0 ? null : `crun run failed: ${readFileSync(log, 'utf8').trim()}`)) return;
    cleanups.push(() => {
      run('crun', ['delete', '-f', id]);
      removeCgroupDirs([id]);
    });
    const pid = JSON.parse(run('crun', ['state', id]).out).pid as number;
    const { container } = await snapshotWith(pid);
    expect(container).toMatchObject({ id, ociRuntime: 'crun', initPid: pid });
    expectResourcesOfKernel('crun', container, pid);
  });
});

describe('LXC', () => {
  it('finds the container lxc-info describes', async () => {
    if (skip('LXC', !isRoot ? 'needs root' : rootfsProblem ?? (has('lxc-start') ? null : 'lxc is not installed'))) return;
    const lxcpath = join(dir, 'lxc');
    const name = `${tag}-lxc`;
    mkdirSync(join(lxcpath, name), { recursive: true });
    writeFileSync(
      join(lxcpath, name, 'config'),
      [`lxc.uts.name = ${name}`, `lxc.rootfs.path = dir:${rootfs}`, 'lxc.net.0.type = empty', 'lxc.apparmor.profile = unconfined', 'lxc.init.cmd = /bin/sleep 600', 'lxc.mount.auto = proc:rw sys:rw', 'lxc.tty.max = 0', 'lxc.pty.max = 0', ''].join('\n'),
    );
    const started = run('lxc-start', ['-P', lxcpath, '-n', name, '-d', '-l', 'INFO', '-o', join(dir, 'lxc.log')]);
    if (skip('LXC', started.ok ? null : `lxc-start failed: ${started.err || readFileSync(join(dir, 'lxc.log'), 'utf8').split('\n').slice(-3).join(' / ')}`)) return;
    cleanups.push(() => run('lxc-stop', ['-P', lxcpath, '-n', name, '-k']));
    const pid = Number(/^PID:\s*(\d+)/m.exec(run('lxc-info', ['-P', lxcpath, '-n', name]).out)?.[1]);
    expect(pid).toBeGreaterThan(0);
    const { container } = await snapshotWith(pid);
    expect(container).toMatchObject({ id: name, runtime: 'lxc', name, initPid: pid, hostname: name });
    expect(container!.pidMap).toContainEqual({ hostPid: pid, containerPid: 1 });
  });
});

describe('systemd-nspawn', () => {
  it('finds the machine and leaves its supervisor out', async () => {
    if (skip('nspawn', !isRoot ? 'needs root' : rootfsProblem ?? (has('systemd-nspawn') ? null : 'systemd-container is not installed'))) return;
    // No systemd runs this machine, so nothing makes machine.slice: the test puts the supervisor in its machine's
    // scope in every hierarchy, as systemd would, and nspawn (--keep-unit) splits it into supervisor and payload.
    const name = `ps${process.pid}`;
    const scope = `machine.slice/machine-${name}.scope`;
    const hierarchies = readdirSync('/sys/fs/cgroup').filter((h) => existsSync(join('/sys/fs/cgroup', h, 'cgroup.procs')));
    for (const h of hierarchies) mkdirSync(join('/sys/fs/cgroup', h, scope), { recursive: true });
    const enter = hierarchies.map((h) => `echo $$ > /sys/fs/cgroup/${h}/${scope}/cgroup.procs`).join('; ');
    const nspawn = spawn('sh', ['-c', `${enter}; exec systemd-nspawn --keep-unit --register=no -q -D "$1" -M "$2" /bin/sleep 600`, 'sh', rootfs, name], { stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    nspawn.stderr!.on('data', (b: Buffer) => (said += b.toString()));
    cleanups.push(() => {
      nspawn.kill('SIGKILL');
      spawnSync('sleep', ['0.3']);
      removeCgroupDirs([`${scope}/payload`, `${scope}/supervisor`, scope, 'machine.slice']);
    });
    let payload: number | undefined;
    for (let i = 0; i < 50 && payload === undefined; i++) {
      await sleep(100);
      payload = Number(spawnSync('pgrep', ['-P', String(nspawn.pid)]).stdout.toString().trim()) || undefined;
      if (nspawn.exitCode !== null) break;
    }
    if (skip('nspawn', payload ? null : `systemd-nspawn did not start: ${said.trim()}`)) return;
    // Its child is moved into the payload cgroup before it execs: on a loaded machine pgrep can see it first.
    for (let i = 0; i < 100 && !readFileSync(`/proc/${payload}/cgroup`, 'utf8').includes(`${scope}/payload`); i++) await sleep(100);
    const { container, snapshot } = await snapshotWith(payload!);
    expect(container).toMatchObject({ id: name, runtime: 'systemd-nspawn', initPid: payload, pids: [payload] });
    expect(snapshot.processes.find((p) => p.pid === nspawn.pid)?.containerId).toBeNull();
  });
});
