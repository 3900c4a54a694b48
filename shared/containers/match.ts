/**
 * matchContainer: which container a cgroup path belongs to, for every common
 * runtime, from the path alone (cgroup v1 or v2, systemd or cgroupfs driver).
 * The outermost container segment wins, so a container's own sub-cgroups
 * (systemd inside it, CRI-O's /container leaf) belong to it.
 */
import type { CgroupEntry } from '../proc/cgroup';

export type Runtime = 'docker' | 'containerd' | 'cri-o' | 'podman' | 'lxc' | 'systemd-nspawn' | 'other';
export type QosClass = 'guaranteed' | 'burstable' | 'besteffort';

export interface ContainerMatch {
  runtime: Runtime;
  /** the runtime's full id, or the name for runtimes that name containers (LXC, nspawn) */
  id: string;
  /** the cgroup path up to and including the container's own directory */
  cgroupPath: string;
  podUid: string | null;
  qosClass: QosClass | null;
  name: string | null;
}

const HEX64 = '[0-9a-f]{64}';
const ID = new RegExp(`^${HEX64}$`);
const PODMAN_POD_SCOPE = new RegExp(`^machine-libpod_pod_(${HEX64})\\.slice$`);
const OTHER_LEAF = new RegExp(`^(?:[A-Za-z0-9_.]+-)?(${HEX64})(?:\\.scope)?$`);

/** Scope and directory names of runtimes that number their containers: prefix -> runtime. */
const SCOPES: [RegExp, Runtime][] = [
  [new RegExp(`^docker-(${HEX64})\\.scope$`), 'docker'],
  [new RegExp(`^cri-containerd-(${HEX64})\\.scope$`), 'containerd'],
  [new RegExp(`^crio-(${HEX64})(?:\\.scope)?$`), 'cri-o'],
  [new RegExp(`^libpod-(${HEX64})(?:\\.scope)?$`), 'podman'],
];

/** Undoes systemd's unit name escaping ("\x2d" is "-"). */
export function unescapeSystemd(name: string): string {
  return name.replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

interface PodInfo {
  podUid: string | null;
  qosClass: QosClass | null;
}

function podInfo(segments: string[]): PodInfo {
  if (!segments.some((s) => s === 'kubepods' || s.startsWith('kubepods.slice') || s.startsWith('kubepods-'))) return { podUid: null, qosClass: null };
  let qosClass: QosClass = 'guaranteed';
  let podUid: string | null = null;
  for (const s of segments) {
    const qos = /^kubepods-(besteffort|burstable)\.slice$/.exec(s) ?? /^(besteffort|burstable)$/.exec(s);
    if (qos) qosClass = qos[1] as QosClass;
    const systemdPod = /^kubepods-(?:(?:besteffort|burstable)-)?pod([0-9a-f_]+)\.slice$/.exec(s);
    if (systemdPod) podUid = systemdPod[1]!.replace(/_/g, '-');
    const cgroupfsPod = /^pod([0-9a-f-]{36})$/.exec(s);
    if (cgroupfsPod) podUid = cgroupfsPod[1]!;
  }
  return { podUid, qosClass };
}

/** A Podman pod's id, from its cgroup: /libpod_parent/<pod id>/libpod-<id> (cgroupfs) or machine-libpod_pod_<pod id>.slice (systemd). */
function podmanPod(segments: string[]): PodInfo {
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const systemd = PODMAN_POD_SCOPE.exec(s);
    if (systemd) return { podUid: systemd[1]!, qosClass: null };
    if (segments[i - 1] === 'libpod_parent' && ID.test(s)) return { podUid: s, qosClass: null };
  }
  return { podUid: null, qosClass: null };
}

function found(runtime: Runtime, id: string, segments: string[], upTo: number, name: string | null = null): ContainerMatch {
  const own = segments.slice(0, upTo + 1);
  return { runtime, id, cgroupPath: '/' + own.join('/'), ...(runtime === 'podman' ? podmanPod(own) : podInfo(own)), name };
}

export function matchContainer(path: string): ContainerMatch | null {
  const segments = path.split('/').filter((s) => s !== '');
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    for (const [re, runtime] of SCOPES) {
      const m = re.exec(s);
      if (m) return found(runtime, m[1]!, segments, i);
    }
    // cgroupfs driver: /docker/<id>; /kubepods[/<qos>]/pod<uid>/<id>; containerd's /<namespace>/<id>
    if (ID.test(s)) {
      const parent = segments[i - 1] ?? '';
      if (i === 1 && parent === 'docker') return found('docker', s, segments, i);
      if (/^pod[0-9a-f-]{36}$/.test(parent)) return found('containerd', s, segments, i);
      if (i === 1 && (parent === 'default' || parent === 'k8s.io')) return found('containerd', s, segments, i);
    }
    let m = /^lxc\.payload\.(.+)$/.exec(s);
    if (m) return found('lxc', m[1]!, segments, i, m[1]!);
    if (i === 0 && s === 'lxc' && segments[1] !== undefined) return found('lxc', segments[1], segments, 1, segments[1]);
    m = /^machine-(.+)\.scope$/.exec(s);
    if (m && segments[i - 1] === 'machine.slice') {
      const name = unescapeSystemd(m[1]!);
      // libvirt's VMs (machine-qemu-1-vm.scope) are not containers; nspawn's supervisor runs outside its container.
      if (/^(qemu|kvm)-/.test(name) || segments[i + 1] === 'supervisor') return null;
      return found('systemd-nspawn', name, segments, i, name);
    }
  }
  // An unknown runtime: a leaf named by a 64-hex id, with or without a prefix; never a conmon monitor.
  const leaf = segments[segments.length - 1] ?? '';
  const m = OTHER_LEAF.exec(leaf);
  if (m && !/conmon/.test(leaf)) return found('other', m[1]!, segments, segments.length - 1);
  return null;
}

/** The container of a process: its cgroup v2 line first, then name=systemd, then any controller's. */
type ProcessMatch = (ContainerMatch & { hierarchy: number }) | null;

/** Matches by cgroups array: a live refresh keeps a process's array, so each process is matched once, not every refresh. */
const matched = new WeakMap<CgroupEntry[], ProcessMatch>();

export function matchProcessContainer(cgroups: CgroupEntry[]): ProcessMatch {
  const known = matched.get(cgroups);
  if (known !== undefined) return known;
  const result = matchCgroups(cgroups);
  matched.set(cgroups, result);
  return result;
}

const NSPAWN_SUPERVISOR = /(?:^|\/)machine\.slice\/machine-[^/]+\.scope\/supervisor(?:\/|$)/;

function matchCgroups(cgroups: CgroupEntry[]): ProcessMatch {
  // nspawn's supervisor runs beside its container: its v1 controller lines point at the machine's scope, but its
  // own (unified or name=systemd) path says where it really is.
  if (cgroups.some((c) => ((c.hierarchy === 0 && c.controllers.length === 0) || c.controllers.includes('name=systemd')) && NSPAWN_SUPERVISOR.test(c.path))) return null;
  const order = [
    ...cgroups.filter((c) => c.hierarchy === 0 && c.controllers.length === 0),
    ...cgroups.filter((c) => c.controllers.includes('name=systemd')),
    ...cgroups.filter((c) => c.hierarchy !== 0 && !c.controllers.includes('name=systemd')),
  ];
  for (const c of order) {
    const m = matchContainer(c.path);
    if (m) return { ...m, hierarchy: c.hierarchy };
  }
  return null;
}
