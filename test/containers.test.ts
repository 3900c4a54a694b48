/**
 * Containers of every runtime, made for real on this kernel: unshare'd processes in cgroup v2 directories
 * named as each runtime names them, and the runtimes' name files under a fake root. A snapshot over the
 * loopback sshd must find each one with the right runtime, id, pod, QoS, host and container pids, and sockets.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot, SnapshotContainer } from '../shared/snapshot/types';
import { collectSnapshot } from '../electron/engine/collect';
import { openSession } from '../electron/engine/open';
import { runCli } from './helpers/cli';
import { type CgroupTree, type FakeContainer, cgroup2Root, containersUnavailable, removeCgroups, startFakeContainer, startPlainProcess, writeNameFile } from './helpers/containers';
import { schemaErrors } from './helpers/schema';
import { type KeyPair, type Sshd, generateKey, makeTempDir, sshdUnavailable, startSshd } from './helpers/sshd';

const skipReason = containersUnavailable() ?? sshdUnavailable();
if (skipReason) console.warn(`SKIP container tests: ${skipReason}`);

const hex = () => randomBytes(32).toString('hex');
const PORT = 8080;
/** This run's own LXC and nspawn names: two suites side by side must not share a cgroup. */
const RUN = process.pid % 100_000;

interface Case {
  label: string;
  cgroupPath: string;
  expect: Partial<SnapshotContainer> & { id: string; runtime: SnapshotContainer['runtime'] };
  hostname: string;
  /** a runtime's monitor beside it, which is not a container */
  monitor?: string;
}

function cases(): Case[] {
  const ids = Array.from({ length: 9 }, hex);
  const [podA, podB, podC] = [randomUUID(), randomUUID(), randomUUID()];
  const us = (uid: string) => uid.replace(/-/g, '_');
  const podASlice = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${us(podA)}.slice`;
  const podCSlice = `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${us(podC)}.slice`;
  return [
    { label: 'docker', cgroupPath: `/system.slice/docker-${ids[0]}.scope`, hostname: 'c-docker', expect: { id: ids[0]!, runtime: 'docker', name: 'web-docker', podUid: null, qosClass: null } },
    { label: 'containerd pod container', cgroupPath: `${podASlice}/cri-containerd-${ids[1]}.scope`, hostname: 'c-ctrd', expect: { id: ids[1]!, runtime: 'containerd', podUid: podA, qosClass: 'burstable', name: 'nginx', podName: 'shop-web', podNamespace: 'shop', sandbox: false } },
    { label: 'containerd pod sandbox', cgroupPath: `${podASlice}/cri-containerd-${ids[2]}.scope`, hostname: 'c-sandbox', expect: { id: ids[2]!, runtime: 'containerd', podUid: podA, qosClass: 'burstable', podName: 'shop-web', sandbox: true } },
    { label: 'containerd, cgroupfs, guaranteed', cgroupPath: `/kubepods/pod${podB}/${ids[3]}`, hostname: 'c-cgfs', expect: { id: ids[3]!, runtime: 'containerd', podUid: podB, qosClass: 'guaranteed', podName: 'api-0', podNamespace: 'prod' } },
    { label: 'cri-o', cgroupPath: `${podCSlice}/crio-${ids[4]}.scope/container`, hostname: 'c-crio', monitor: `${podCSlice}/crio-conmon-${ids[4]}.scope`, expect: { id: ids[4]!, runtime: 'cri-o', podUid: podC, qosClass: 'besteffort', name: 'worker', podName: 'batch-x', podNamespace: 'jobs', cgroupPath: `${podCSlice}/crio-${ids[4]}.scope` } },
    { label: 'podman', cgroupPath: `/machine.slice/libpod-${ids[5]}.scope/container`, hostname: 'c-podman', monitor: `/machine.slice/libpod-conmon-${ids[5]}.scope`, expect: { id: ids[5]!, runtime: 'podman' } },
    { label: 'lxc', cgroupPath: `/lxc.payload.psc-box${RUN}`, hostname: 'c-lxc', monitor: `/lxc.monitor.psc-box${RUN}`, expect: { id: `psc-box${RUN}`, runtime: 'lxc', name: `psc-box${RUN}` } },
    { label: 'systemd-nspawn', cgroupPath: `/machine.slice/machine-psc\\x2dnsp${RUN}.scope/payload`, hostname: 'c-nspawn', monitor: `/machine.slice/machine-psc\\x2dnsp${RUN}.scope/supervisor`, expect: { id: `psc-nsp${RUN}`, runtime: 'systemd-nspawn', name: `psc-nsp${RUN}` } },
    { label: 'unknown runtime', cgroupPath: `/procscope-test.slice/runner-${ids[8]}.scope`, hostname: 'c-other', expect: { id: ids[8]!, runtime: 'other' } },
  ];
}

function writeNameSources(root: string, all: Case[]): void {
  const [docker, ctr, sandbox, cgfs, crio] = all;
  writeNameFile(root, `var/lib/docker/containers/${docker!.expect.id}/config.v2.json`, `{"ID":"${docker!.expect.id}","Config":{"Hostname":"x"},"Name":"/web-docker","Driver":"overlay2"}`);
  const bundle = (id: string, annotations: Record<string, string>) =>
    writeNameFile(root, `run/containerd/io.containerd.runtime.v2.task/k8s.io/${id}/config.json`, JSON.stringify({ ociVersion: '1.1.0', annotations }));
  bundle(ctr!.expect.id, { 'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.container-name': 'nginx', 'io.kubernetes.cri.sandbox-name': 'shop-web', 'io.kubernetes.cri.sandbox-namespace': 'shop' });
  bundle(sandbox!.expect.id, { 'io.kubernetes.cri.container-type': 'sandbox', 'io.kubernetes.cri.sandbox-name': 'shop-web', 'io.kubernetes.cri.sandbox-namespace': 'shop' });
  writeNameFile(root, `var/log/pods/prod_api-0_${cgfs!.expect.podUid}/server/0.log`, '');
  writeNameFile(root, `var/log/containers/batch-x_jobs_worker-${crio!.expect.id}.log`, '');
}

describe.skipIf(skipReason !== null)('containers of every runtime, over a real sshd', () => {
  const tree: CgroupTree = { root: cgroup2Root() ?? '/nonexistent', made: [] };
  const all = cases();
  const started = new Map<string, FakeContainer>();
  const monitors: ChildProcess[] = [];
  let dir: string;
  let sshd: Sshd;
  let key: KeyPair;
  let namesRoot: string;
  let snap: Snapshot;
  const cleanup = () => {
    for (const m of monitors) m.kill('SIGKILL');
    for (const c of started.values()) void c.stop();
  };

  beforeAll(async () => {
    process.once('exit', cleanup);
    dir = makeTempDir('containers');
    namesRoot = join(dir, 'root');
    writeNameSources(namesRoot, all);
    for (const c of all) {
      started.set(c.label, await startFakeContainer(tree, c.cgroupPath, c.hostname, PORT));
      if (c.monitor) monitors.push(startPlainProcess(tree, c.monitor));
    }
    sshd = await startSshd();
    key = generateKey(dir, 'id');
    sshd.authorize('root', key.publicLine);
    const knownHosts = join(dir, 'known_hosts');
    const session = await openSession(`root@127.0.0.1:${sshd.port}`, { identityFiles: [key.privatePath], knownHostsFile: knownHosts, onUnknownKey: async () => 'accept-always', agentSocket: null });
    try {
      snap = await collectSnapshot(session, { namesRoot });
    } finally {
      session.close();
    }
  });

  afterAll(async () => {
    cleanup();
    await removeCgroups(tree);
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
    expect(tree.made, 'every cgroup directory the test made is gone').toEqual([]);
  });

  it('validates against the schema', () => {
    expect(schemaErrors(snap)).toEqual([]);
  });

  for (const c of cases().map((_, i) => i)) {
    it(`finds the ${all[c]!.label} container with its pids, namespaces and socket`, () => {
      const tc = all[c]!;
      const fake = started.get(tc.label)!;
      const found = snap.containers.find((x) => x.id === tc.expect.id);
      expect(found, `container ${tc.expect.id}`).toBeDefined();
      expect(found).toMatchObject(tc.expect);
      expect(found!.pids).toEqual([fake.unsharePid, fake.initPid].sort((a, b) => a - b));
      expect(found!.pidMap).toContainEqual({ hostPid: fake.initPid, containerPid: 1 });
      expect(found!.pidMap).toContainEqual({ hostPid: fake.unsharePid, containerPid: null });
      expect(found!.initPid).toBe(fake.initPid);
      expect(found!.hostname).toBe(tc.hostname);
      expect(found!.sharesHost).toEqual(expect.arrayContaining(['user']));
      for (const own of ['net', 'pid', 'uts', 'ipc', 'mnt']) expect(found!.sharesHost).not.toContain(own);
      for (const pid of found!.pids) expect(snap.processes.find((p) => p.pid === pid)?.containerId).toBe(tc.expect.id);
      const listeners = snap.sockets.filter((s) => s.proto === 'tcp' && s.local === `127.0.0.1:${PORT}` && s.state === 'LISTEN' && s.containerId === tc.expect.id);
      expect(listeners).toHaveLength(1);
      expect(listeners[0]!.pids).toEqual([fake.initPid]);
      expect(listeners[0]!.netns).toBe(found!.namespaces!.net);
      const netns = snap.namespaces.find((n) => n.type === 'net' && n.inode === found!.namespaces!.net);
      expect(netns).toMatchObject({ host: false, containerId: tc.expect.id });
    });
  }

  it('never counts monitors, supervisors or the host as containers, nor mixes up equal ports', () => {
    for (const m of monitors) expect(snap.processes.find((p) => p.pid === m.pid)?.containerId).toBeNull();
    const ours = snap.containers.filter((x) => all.some((c) => c.expect.id === x.id));
    expect(ours).toHaveLength(all.length);
    const nets = new Set(ours.map((x) => x.namespaces!.net));
    expect(nets.size).toBe(all.length);
    expect(snap.processes.find((p) => p.pid === process.pid)?.containerId).toBeNull();
  });

  it('finds that cgroup.procs agrees with the per-process scan', () => {
    const ids = new Set(all.map((c) => c.expect.id));
    // The cross-check ran for each (else agreement would be vacuous).
    for (const id of ids) expect(snap.containers.find((x) => x.id === id)?.membersChecked, id).toBe(true);
    expect(snap.errors.filter((e) => [...ids].some((id) => e.scope === `container ${id}`))).toEqual([]);
  });

  it('prints a summary with procscope containers, and JSON with --json', async () => {
    const args = ['containers', `root@127.0.0.1:${sshd.port}`, '-i', key.privatePath, '--known-hosts', join(dir, 'known_hosts'), '--names-root', namesRoot];
    const table = await runCli(args, { HOME: dir });
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID\s+RUNTIME\s+POD \/ NAME\s+INIT PID\s+PIDS$/);
    for (const c of all) {
      const fake = started.get(c.label)!;
      const short = c.expect.id.length === 64 ? c.expect.id.slice(0, 12) : c.expect.id;
      const line = lines.find((l) => l.startsWith(short + ' '));
      expect(line, short).toMatch(new RegExp(`^${short}\\s+${c.expect.runtime}\\s+.*\\s${fake.initPid}\\s+2$`));
    }
    expect(lines.find((l) => l.startsWith(all[1]!.expect.id.slice(0, 12)))).toContain('shop/shop-web/nginx');
    const json = await runCli([...args, '--json'], { HOME: dir });
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as SnapshotContainer[];
    expect(parsed.filter((x) => all.some((c) => c.expect.id === x.id))).toHaveLength(all.length);
  });
});
