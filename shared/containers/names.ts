/**
 * Container and pod names without a runtime API, from files the runtimes leave on the node:
 * containerd's task bundle config.json annotations, Docker's config.v2.json, and the kubelet's log directories.
 * The collector prints them as "path:match" (grep -oH) or bare paths, under a root ('' on a real node).
 */

export interface ContainerNames {
  name?: string;
  /** the image it was started from, as the runtime recorded it (Docker's Config.Image, the CRI's image-name) */
  image?: string;
  podName?: string;
  podNamespace?: string;
  /** a Kubernetes pod sandbox (the pause container) */
  sandbox?: boolean;
}

export interface PodNames {
  name: string;
  /** the Kubernetes namespace; null for a Podman pod */
  namespace: string | null;
  containers: string[];
}

/** A container a runtime keeps state for, with the host pid of its init: found by pid, whatever its cgroup is named. */
export interface RuntimeState {
  runtime: 'containerd' | 'runc' | 'crun';
  id: string;
  /** containerd's namespace (default, k8s.io, moby...) */
  namespace?: string;
  initPid: number;
}

/** The runtimes whose own state procscope can check a container against. */
export type StateRuntime = 'docker' | 'containerd' | 'podman';

export interface NameSources {
  byContainerId: Map<string, ContainerNames>;
  byPodUid: Map<string, PodNames>;
  /** containerd task bundles' init.pid, runc's state.json, crun's status */
  states: RuntimeState[];
  /** the runtimes whose state directory the login could read (rootful Podman's storage, for podman) */
  readableState?: Set<StateRuntime>;
  /** the container ids each runtime's state lists */
  listed?: Map<StateRuntime, Set<string>>;
  /** every container id a Podman storage lists, rootless ones too */
  podmanIds?: Set<string>;
}

const STATE_DIRS: [RegExp, StateRuntime][] = [
  [/^\/var\/lib\/docker\/containers\/$/, 'docker'],
  [/^\/run\/containerd\/io\.containerd\.runtime\.v2\.task\/$/, 'containerd'],
  [/^\/var\/lib\/containers\/storage\/[a-z0-9]+-containers\/$/, 'podman'],
];

const TASK = /\/run\/containerd\/io\.containerd\.runtime\.v2\.task\/[^/]+\/([^/]+)\/config\.json:"io\.kubernetes\.cri\.([a-z-]+)" *: *"([^"]*)"$/;
const DOCKER = /\/var\/lib\/docker\/containers\/([0-9a-f]{64})\/config\.v2\.json:"Name" *: *"\/([^"]*)"$/;
const DOCKER_IMAGE = /\/var\/lib\/docker\/containers\/([0-9a-f]{64})\/config\.v2\.json:"Image" *: *"([^"]*)"$/;
const PODMAN_IMAGE = /\/containers\/storage\/[a-z0-9]+-containers\/containers\.json:"id":"([0-9a-f]{64})","names":\[[^\]]*\],"image":"[0-9a-f]*","layer":"[^"]*","metadata":"\{\\"image-name\\":\\"([^\\]*)$/;
const CONTAINER_LOG = /\/var\/log\/containers\/([^_/]+)_([^_/]+)_(.+)-([0-9a-f]{64})\.log$/;
const PODMAN = /\/containers\/storage\/[a-z0-9]+-containers\/containers\.json:"id":"([0-9a-f]{64})","names":\["([^"]*)"$/;
const TASK_PID = /\/run\/containerd\/io\.containerd\.runtime\.v2\.task\/([^/]+)\/([^/]+)\/init\.pid:(\d+)$/;
// Rootful under /run, rootless under the user's runtime directory /run/user/UID.
const RUNC_STATE = /^\/run\/(?:user\/\d+\/)?runc\/([^/]+)\/state\.json:"init_process_pid": *(\d+)$/;
const CRUN_STATUS = /^\/run\/(?:user\/\d+\/)?crun\/([^/]+)\/status:"pid": *(\d+)$/;
const PODMAN_POD = /\/containers\/storage\/libpod\/(?:bolt_state\.db|db\.sql):\{"id":"([0-9a-f]{64})","name":"([^"]*)","labels"$/;
const POD_LOG_DIR = /\/var\/log\/pods\/([^_/]+)_([^_/]+)_([0-9a-f-]{36})\/([^/]+)$/;

export function parseNameSources(lines: string[], root = ''): NameSources {
  const byContainerId = new Map<string, ContainerNames>();
  const byPodUid = new Map<string, PodNames>();
  const states: RuntimeState[] = [];
  const readableState = new Set<StateRuntime>();
  const listed = new Map<StateRuntime, Set<string>>();
  const podmanIds = new Set<string>();
  const list = (runtime: StateRuntime, id: string) => listed.set(runtime, (listed.get(runtime) ?? new Set()).add(id));
  const entry = (id: string) => {
    let e = byContainerId.get(id);
    if (!e) byContainerId.set(id, (e = {}));
    return e;
  };
  for (const raw of lines) {
    if (!raw.startsWith(root + '/')) continue;
    const line = raw.slice(root.length);
    const dir = STATE_DIRS.find(([re]) => re.test(line));
    if (dir) {
      readableState.add(dir[1]);
      continue;
    }
    let m = TASK.exec(line);
    if (m) {
      const [, id, key, value] = m as unknown as [string, string, string, string];
      list('containerd', id);
      const e = entry(id);
      if (key === 'container-name') e.name = value;
      else if (key === 'sandbox-name') e.podName = value;
      else if (key === 'sandbox-namespace') e.podNamespace = value;
      else if (key === 'container-type') e.sandbox = value === 'sandbox';
      else if (key === 'image-name') e.image = value;
      continue;
    }
    m = PODMAN_IMAGE.exec(line);
    if (m) {
      entry(m[1]!).image = m[2]!;
      continue;
    }
    m = DOCKER_IMAGE.exec(line);
    if (m) {
      // config.v2.json has the image's id at its top ("sha256:...") and the name it was run by in Config: the name wins.
      const e = entry(m[1]!);
      if (e.image === undefined || e.image.startsWith('sha256:')) e.image = m[2]!;
      continue;
    }
    m = TASK_PID.exec(line);
    if (m) {
      states.push({ runtime: 'containerd', namespace: m[1]!, id: m[2]!, initPid: Number(m[3]) });
      list('containerd', m[2]!);
      continue;
    }
    m = RUNC_STATE.exec(line) ?? CRUN_STATUS.exec(line);
    if (m) {
      states.push({ runtime: /\/runc\/[^/]+\/state\.json:/.test(line) ? 'runc' : 'crun', id: m[1]!, initPid: Number(m[2]) });
      continue;
    }
    m = DOCKER.exec(line) ?? PODMAN.exec(line);
    if (m) {
      // Rootless Podman's storage is in its user's home: only the rootful one is checked against.
      const runtime = line.startsWith('/var/lib/docker/') ? 'docker' : line.startsWith('/var/lib/containers/') ? 'podman' : null;
      if (runtime) list(runtime, m[1]!);
      if (!line.startsWith('/var/lib/docker/')) podmanIds.add(m[1]!);
      const e = entry(m[1]!);
      e.name ??= m[2]!;
      // A Podman pod's infra container is named after the pod's id: "<12 hex>-infra".
      if (/^[0-9a-f]{12}-infra$/.test(m[2]!)) e.sandbox = true;
      continue;
    }
    m = PODMAN_POD.exec(line);
    if (m) {
      byPodUid.set(m[1]!, { name: m[2]!, namespace: null, containers: [] });
      continue;
    }
    m = CONTAINER_LOG.exec(line);
    if (m) {
      const e = entry(m[4]!);
      e.podName ??= m[1]!;
      e.podNamespace ??= m[2]!;
      e.name ??= m[3]!;
      continue;
    }
    m = POD_LOG_DIR.exec(line);
    if (m) {
      const uid = m[3]!;
      const pod = byPodUid.get(uid) ?? { namespace: m[1]!, name: m[2]!, containers: [] };
      pod.containers.push(m[4]!);
      byPodUid.set(uid, pod);
    }
  }
  for (const e of byContainerId.values()) if (e.sandbox && e.name === undefined && e.podName) e.name = e.podName;
  return { byContainerId, byPodUid, states, readableState, listed, podmanIds };
}
