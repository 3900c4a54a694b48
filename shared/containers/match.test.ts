import { describe, expect, it } from 'vitest';
import { parseCgroup } from '../proc/cgroup';
import { matchContainer, matchProcessContainer, unescapeSystemd } from './match';

const ID = 'f'.repeat(8) + '0123456789abcdef'.repeat(3) + 'a'.repeat(8);
const UID = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const UID_ = UID.replace(/-/g, '_');

describe('matchContainer', () => {
  it.each([
    // Docker
    ['docker, systemd driver', `/system.slice/docker-${ID}.scope`, { runtime: 'docker', id: ID, cgroupPath: `/system.slice/docker-${ID}.scope`, podUid: null, qosClass: null }],
    ['docker, cgroupfs driver', `/docker/${ID}`, { runtime: 'docker', id: ID, cgroupPath: `/docker/${ID}` }],
    ['docker, systemd inside the container', `/system.slice/docker-${ID}.scope/init.scope`, { runtime: 'docker', cgroupPath: `/system.slice/docker-${ID}.scope` }],
    // containerd under Kubernetes
    ['containerd, burstable pod, systemd', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope`, { runtime: 'containerd', id: ID, podUid: UID, qosClass: 'burstable' }],
    ['containerd, besteffort pod, systemd', `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/cri-containerd-${ID}.scope`, { runtime: 'containerd', podUid: UID, qosClass: 'besteffort' }],
    ['containerd, guaranteed pod (no QoS level), systemd', `/kubepods.slice/kubepods-pod${UID_}.slice/cri-containerd-${ID}.scope`, { runtime: 'containerd', podUid: UID, qosClass: 'guaranteed' }],
    ['containerd, burstable pod, cgroupfs', `/kubepods/burstable/pod${UID}/${ID}`, { runtime: 'containerd', id: ID, podUid: UID, qosClass: 'burstable', cgroupPath: `/kubepods/burstable/pod${UID}/${ID}` }],
    ['containerd, guaranteed pod, cgroupfs', `/kubepods/pod${UID}/${ID}`, { runtime: 'containerd', podUid: UID, qosClass: 'guaranteed' }],
    ['containerd without Kubernetes, default namespace', `/default/${ID}`, { runtime: 'containerd', id: ID }],
    ['docker under Kubernetes (dockershim)', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/docker-${ID}.scope`, { runtime: 'docker', podUid: UID }],
    // CRI-O
    ['cri-o scope', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/crio-${ID}.scope`, { runtime: 'cri-o', id: ID, podUid: UID, qosClass: 'burstable' }],
    ['cri-o scope with a /container leaf', `/kubepods.slice/kubepods-pod${UID_}.slice/crio-${ID}.scope/container`, { runtime: 'cri-o', id: ID, cgroupPath: `/kubepods.slice/kubepods-pod${UID_}.slice/crio-${ID}.scope` }],
    ['cri-o, cgroupfs', `/kubepods/besteffort/pod${UID}/crio-${ID}`, { runtime: 'cri-o', qosClass: 'besteffort' }],
    // Podman
    ['podman rootful in machine.slice', `/machine.slice/libpod-${ID}.scope`, { runtime: 'podman', id: ID }],
    ['podman with a /container leaf', `/machine.slice/libpod-${ID}.scope/container`, { runtime: 'podman', cgroupPath: `/machine.slice/libpod-${ID}.scope` }],
    ['podman in a pod slice', `/machine.slice/machine-libpod_pod_${'1'.repeat(64)}.slice/libpod-${ID}.scope/container`, { runtime: 'podman', id: ID, podUid: '1'.repeat(64), qosClass: null }],
    ['podman in a pod, cgroupfs', `/libpod_parent/${'2'.repeat(64)}/libpod-${ID}`, { runtime: 'podman', id: ID, podUid: '2'.repeat(64) }],
    ['podman rootless', `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/container`, { runtime: 'podman', id: ID }],
    ['podman cgroupfs', `/libpod_parent/libpod-${ID}`, { runtime: 'podman', id: ID, podUid: null }],
    // LXC / LXD
    ['lxc payload', '/lxc.payload.web1', { runtime: 'lxc', id: 'web1', name: 'web1', cgroupPath: '/lxc.payload.web1' }],
    ['lxc payload, systemd inside', '/lxc.payload.web1/system.slice/nginx.service', { runtime: 'lxc', id: 'web1', cgroupPath: '/lxc.payload.web1' }],
    ['old lxc', '/lxc/db2', { runtime: 'lxc', id: 'db2', cgroupPath: '/lxc/db2' }],
    ['old lxc, nested', '/lxc/db2/init.scope', { runtime: 'lxc', id: 'db2', cgroupPath: '/lxc/db2' }],
    // systemd-nspawn
    ['nspawn payload, escaped name', '/machine.slice/machine-my\\x2dbox.scope/payload', { runtime: 'systemd-nspawn', id: 'my-box', name: 'my-box', cgroupPath: '/machine.slice/machine-my\\x2dbox.scope' }],
    ['nspawn payload, systemd inside', '/machine.slice/machine-deb.scope/payload/system.slice/cron.service', { runtime: 'systemd-nspawn', id: 'deb' }],
    // Unknown runtime
    ['unknown runtime with a 64-hex leaf', `/custom/runtime/${ID}`, { runtime: 'other', id: ID }],
    ['unknown runtime with a prefixed scope', `/system.slice/garden-${ID}.scope`, { runtime: 'other', id: ID }],
  ])('%s', (_name, path, expected) => {
    expect(matchContainer(path)).toMatchObject(expected);
  });

  it.each([
    ['the host root', '/'],
    ['a plain service', '/system.slice/ssh.service'],
    ['the docker daemon', '/system.slice/docker.service'],
    ['containerd', '/system.slice/containerd.service'],
    ['a user session', '/user.slice/user-1000.slice/session-2.scope'],
    ['a CRI-O conmon monitor', `/kubepods.slice/kubepods-pod${UID_}.slice/crio-conmon-${ID}.scope`],
    ['a podman conmon monitor', `/machine.slice/libpod-conmon-${ID}.scope`],
    ['an LXC monitor', '/lxc.monitor.web1'],
    ['a libvirt VM', '/machine.slice/machine-qemu\\x2d1\\x2dwin10.scope'],
    ['a libvirt VM vcpu', '/machine.slice/machine-qemu\\x2d1\\x2dwin10.scope/libvirt/vcpu0'],
    ['the nspawn supervisor', '/machine.slice/machine-deb.scope/supervisor'],
    ['a kubepods slice itself', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice`],
    ['a short hex leaf', '/system.slice/abc123'],
  ])('not a container: %s', (_name, path) => {
    expect(matchContainer(path)).toBeNull();
  });

  it('undoes systemd escapes', () => {
    expect(unescapeSystemd('my\\x2dbox\\x5cx')).toBe('my-box\\x');
  });
});

describe('matchProcessContainer', () => {
  it('reads a v1 file with one line per hierarchy (cgroupfs driver)', () => {
    const text = `12:pids:/docker/${ID}\n11:cpuset:/docker/${ID}\n3:cpu,cpuacct:/docker/${ID}\n1:name=systemd:/docker/${ID}\n0::/\n`;
    expect(matchProcessContainer(parseCgroup(text))).toMatchObject({ runtime: 'docker', id: ID, hierarchy: 1 });
  });

  it('prefers the v2 line on a hybrid node', () => {
    const text = `9:name=systemd:/system.slice/docker-${ID}.scope\n4:memory:/system.slice/docker-${ID}.scope\n0::/system.slice/docker-${ID}.scope\n`;
    expect(matchProcessContainer(parseCgroup(text))).toMatchObject({ runtime: 'docker', id: ID, hierarchy: 0 });
  });

  it('finds nothing for a host process', () => {
    expect(matchProcessContainer(parseCgroup('1:name=systemd:/init.scope\n0::/init.scope\n'))).toBeNull();
  });
});
