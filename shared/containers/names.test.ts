import { describe, expect, it } from 'vitest';
import { parseNameSources } from './names';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const D = 'd'.repeat(64);
const UID = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';

describe('parseNameSources', () => {
  it('reads containerd annotations, Docker names and kubelet log paths', () => {
    const task = '/run/containerd/io.containerd.runtime.v2.task/k8s.io';
    const { byContainerId, byPodUid } = parseNameSources([
      `${task}/${A}/config.json:"io.kubernetes.cri.container-type":"container"`,
      `${task}/${A}/config.json:"io.kubernetes.cri.container-name":"nginx"`,
      `${task}/${A}/config.json:"io.kubernetes.cri.sandbox-name":"web-7d9f"`,
      `${task}/${A}/config.json:"io.kubernetes.cri.sandbox-namespace":"shop"`,
      `${task}/${B}/config.json:"io.kubernetes.cri.container-type": "sandbox"`,
      `${task}/${B}/config.json:"io.kubernetes.cri.sandbox-name": "web-7d9f"`,
      `/var/lib/docker/containers/${D}/config.v2.json:"Name":"/redis"`,
      `/var/log/pods/shop_web-7d9f_${UID}/nginx`,
      `/var/log/containers/api-5c_prod_server-${'c'.repeat(64)}.log`,
      'garbage line',
    ]);
    expect(byContainerId.get(A)).toEqual({ name: 'nginx', podName: 'web-7d9f', podNamespace: 'shop', sandbox: false });
    expect(byContainerId.get(B)).toMatchObject({ sandbox: true, podName: 'web-7d9f', name: 'web-7d9f' });
    expect(byContainerId.get(D)).toEqual({ name: 'redis' });
    expect(byContainerId.get('c'.repeat(64))).toEqual({ name: 'server', podName: 'api-5c', podNamespace: 'prod' });
    expect(byPodUid.get(UID)).toEqual({ name: 'web-7d9f', namespace: 'shop', containers: ['nginx'] });
  });

  it('reads the image a container was started from: the CRI annotation, Docker\'s Config.Image over its image id, Podman\'s image-name', () => {
    const task = '/run/containerd/io.containerd.runtime.v2.task/k8s.io';
    const P = 'e'.repeat(64);
    const { byContainerId } = parseNameSources([
      `${task}/${A}/config.json:"io.kubernetes.cri.image-name":"registry.k8s.io/pause:3.9"`,
      `/var/lib/docker/containers/${D}/config.v2.json:"Image":"sha256:${'f'.repeat(64)}"`,
      `/var/lib/docker/containers/${D}/config.v2.json:"Image":"redis:7"`,
      `/var/lib/containers/storage/overlay-containers/containers.json:"id":"${P}","names":["web"],"image":"0873f8ab","layer":"d740b8ad","metadata":"{\\"image-name\\":\\"localhost/web:1`,
    ]);
    expect(byContainerId.get(A)?.image).toBe('registry.k8s.io/pause:3.9');
    expect(byContainerId.get(D)?.image).toBe('redis:7');
    expect(byContainerId.get(P)?.image).toBe('localhost/web:1');
  });

  it('reads under a root and ignores lines outside it', () => {
    const root = '/tmp/fake';
    const { byContainerId } = parseNameSources([`${root}/var/lib/docker/containers/${D}/config.v2.json:"Name":"/x"`, `/var/lib/docker/containers/${A}/config.v2.json:"Name":"/y"`], root);
    expect([...byContainerId.keys()]).toEqual([D]);
  });
});

describe('parseNameSources: which runtimes can confirm a container', () => {
  it('says which state directories were readable and which ids each lists', () => {
    const { readableState, listed } = parseNameSources([
      '/var/lib/docker/containers/',
      '/run/containerd/io.containerd.runtime.v2.task/',
      `/var/lib/docker/containers/${A}/config.v2.json:"Name":"/web"`,
      `/run/containerd/io.containerd.runtime.v2.task/default/box/init.pid:4242`,
      `/var/lib/containers/storage/overlay-containers/containers.json:"id":"${B}","names":["db"`,
      `/home/u/.local/share/containers/storage/overlay-containers/containers.json:"id":"${D}","names":["mine"`,
    ]);
    expect([...readableState!].sort()).toEqual(['containerd', 'docker']);
    expect([...listed!.get('docker')!]).toEqual([A]);
    expect([...listed!.get('containerd')!]).toEqual(['box']);
    // Rootful Podman's storage lists B; a rootless user's is not what rootful state confirms.
    expect([...listed!.get('podman')!]).toEqual([B]);
  });
});

describe('parseNameSources: Podman storage and runtime state', () => {
  const id = 'e'.repeat(64);
  it.each([
    [`/var/lib/containers/storage/overlay-containers/containers.json:"id":"${id}","names":["web-1"`, { name: 'web-1' }],
    [`/home/ann/.local/share/containers/storage/vfs-containers/containers.json:"id":"${id}","names":["rootless"`, { name: 'rootless' }],
  ])('%s', (line, names) => expect(parseNameSources([line]).byContainerId.get(id)).toEqual(names));

  it("reads Podman pods' names from its state database, and marks a pod's infra container", () => {
    const pod = '7'.repeat(64);
    const sources = parseNameSources([
      `/var/lib/containers/storage/libpod/bolt_state.db:{"id":"${pod}","name":"web","labels"`,
      `/var/lib/containers/storage/overlay-containers/containers.json:"id":"${id}","names":["777777777777-infra"`,
    ]);
    expect(sources.byPodUid.get(pod)).toEqual({ name: 'web', namespace: null, containers: [] });
    expect(sources.byContainerId.get(id)).toEqual({ name: '777777777777-infra', sandbox: true });
  });

  it('reads containerd tasks, runc state and crun status as containers by init pid', () => {
    const { states } = parseNameSources([
      '/run/containerd/io.containerd.runtime.v2.task/default/web/init.pid:4242',
      '/run/runc/box/state.json:"init_process_pid":77',
      '/run/crun/other/status:"pid": 78',
    ]);
    expect(states).toEqual([
      { runtime: 'containerd', namespace: 'default', id: 'web', initPid: 4242 },
      { runtime: 'runc', id: 'box', initPid: 77 },
      { runtime: 'crun', id: 'other', initPid: 78 },
    ]);
  });
});
