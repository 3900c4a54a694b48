/**
 * The POSIX sh program that reads a node's /proc in one round trip.
 *
 * It runs under dash, busybox ash and bash, with coreutils or busybox applets, and forks a few dozen
 * processes in all, whatever the number of pids: one `find` (GNU) for every namespace link and one for every
 * fd/exe/cwd link, one `head` per group of process files (files.ts), one `cat` for the other files.
 *
 * Framing. Process files come from `head -v`: its "==> path <==" headers carry no secret, so the reader proves
 * them (frame.ts, readHeadSection): every header must be the file expected next, and no more headers than files
 * may appear; a section that fails the proof is read again with the nonce framing (buildRereadScript). The nonce
 * is 128 bits chosen by the client and sent on stdin (never in argv, so no process on the node can read it); it
 * starts every section mark and every separator of the other files, which are copied byte for byte between
 * separators. Links come NUL-terminated.
 *
 * The reply streams: each section goes out as it is read, so the client parses while the node still reads.
 */
import { STATUS_KEYS } from '../proc/status';
import { FIRST_READ_GROUPS, type ProcessFile, groupName, laterGroups } from './files';
import { COMPACT_STAT_FIELDS, SECTION, SUB, VERSION_LINE, headSection, pressureSection, sectionMark } from './protocol';
import { UNIX_DIAG_MAX_INODES, UNIX_DIAG_PROGRAM, type UnixDiagAsk } from './unix-diag';
import { UsageError, internalFailure } from '../errors';

export const NET_TABLES = ['tcp', 'tcp6', 'udp', 'udp6', 'raw', 'raw6', 'unix'] as const;

export const NODE_FILES = {
  hostname: '/proc/sys/kernel/hostname',
  kernel: '/proc/sys/kernel/osrelease',
  ostype: '/proc/sys/kernel/ostype',
  bootId: '/proc/sys/kernel/random/boot_id',
  passwd: '/etc/passwd',
} as const;

/** The most `head` copies of one process file: far more than any /proc/<pid> file holds (cmdline is capped by ARG_MAX). */
export const HEAD_LIMIT = 64 * 1024 * 1024;

/** A shell "${" inside the String.raw templates below. */
const B = '${';

export interface RefreshRequest {
  /** pids the client already has in full; the others are read in full as new */
  knownPids: number[];
  /** pids whose fd tables are re-read (an open detail view) */
  detailPids: number[];
}

export interface CollectScriptOptions {
  /** read container name sources (run/containerd, var/log, var/lib/docker) under this directory instead of / */
  namesRoot?: string;
  /** a live refresh: a compact stat line for every pid, full reads only for new pids */
  refresh?: RefreshRequest;
  /** gzip the output on the node when it has gzip */
  compress?: boolean;
  /**
   * A fleet question's read: everything a process is (files, links, containers by their cgroup) but not the
   * checks a full snapshot adds (each container's cgroup.procs, each uts namespace's hostname); with
   * `sockets: false` (a question that is not about ports), no network tables and no fd tables either.
   */
  lean?: LeanRead;
  /** only the first read (the process table's files, the overview, the users): `procscope ps` */
  firstOnly?: boolean;
  /** the optional process files to read (files.ts OPTIONAL_FILES); all when absent */
  optionalFiles?: readonly ProcessFile[];
}

export interface LeanRead {
  sockets: boolean;
}

function pidList(pids: number[], what: string): string {
  for (const pid of pids) if (!Number.isInteger(pid) || pid <= 0) throw new UsageError(`${what}: not a pid: ${pid}`);
  return pids.join(' ');
}

/**
 * Shell functions the bodies share. `links` prints "path\0target\0" for the entries of the directories on its
 * stdin (NUL-separated: "/proc/1/fd", or a link itself: "/proc/1/exe"); `nslinks` prints "path type:[inode]"
 * lines for the namespace links of the pid dirs on its stdin (one per line). With GNU find, one walk each;
 * without it (busybox), readlink per link, and stat of every link named by the types this kernel has (a glob of
 * another user's ns/ directory finds nothing, and "nothing" must not read as "no namespaces").
 */
const FUNCTIONS = String.raw`
# Whether find is GNU's, asked once where it is first needed (not before the first read: a program started on a
# saturated node waits its turn). A pipeline's subshell asks again unless its shell has asked first.
GNUFIND=
gnufind() {
  [ -n "$GNUFIND" ] || { find /proc/self/exe -maxdepth 0 -printf '' >/dev/null 2>&1 && GNUFIND=1 || GNUFIND=0; }
  [ "$GNUFIND" = 1 ]
}
links() {
  if gnufind; then
    xargs -0 -r sh -c 'exec find "$@" -maxdepth 1 -type l -printf "%p\\0%l\\0"' sh
  else
    tr '\0' '\n' | while read -r e; do
      if [ -h "$e" ]; then printf '%s\n' "$e"; continue; fi
      [ -r "$e" ] && [ -x "$e" ] || { [ -e "$e" ] && printf 'procscope: %s: Permission denied\n' "$e" >&2; continue; }
      for l in "$e"/[0-9]*; do [ -h "$l" ] && printf '%s\n' "$l"; done
    done | while read -r l; do
      t=$(readlink "$l" && echo x) || { printf 'procscope: %s: cannot read link\n' "$l" >&2; continue; }
      printf '%s\0%s\0' "$l" "${B}t%?x}"
    done
  fi
}
nslinks() {
  if gnufind; then
    awk '{ printf "%s/ns%c", $0, 0 }' | xargs -0 -r sh -c 'exec find "$@" -maxdepth 1 -type l -printf "%p %l\n"' sh
  else
    nstypes=$(cd /proc/self/ns 2>/dev/null && echo *)
    awk -v t="$nstypes" 'BEGIN { n = split(t, ty, " ") } { for (i = 1; i <= n; i++) print $0 "/ns/" ty[i] }' | tr '\n' '\0' |
      xargs -0 -r stat -L -c '%i %n' | awk '{ n = split($2, a, "/"); print $2, a[n] ":[" $1 "]" }'
  fi
}
# The process files of the pid dirs listed in file $1, in the groups named after it ("stat+status"): an
# "h <group>" section per group, each pid's files in the group's order, framed by head's headers. Every run of
# head starts with a newline, so every header, the first included, stands after one. Of the status files only
# the lines procscope reads are sent (a header cannot be forged in stat or status: the one field a process names
# is its comm, 15 bytes in stat and escaped in status), and kept in $T/status for the processes with more than
# one thread (the "tasks" section); the cgroup files are kept in $T/cgroup for the list of cgroup.procs to read.
procfiles() {
  l=$1; shift
  for g in "$@"; do
    mark "${headSection('$g')}"
    case $g in
    *status*) groupfiles "$g" "$l" | awk -v t="$T/status" 'BEGIN { printf "" > t } /^==> / { s = ($0 ~ /^==> \/proc\/[0-9]+\/status <==$/) }
        !s || $0 == "" || /^==> / || /^(${STATUS_KEYS.join('|')}):/ { print; if (s) print > t }';;
    cgroup) groupfiles "$g" "$l" | tee "$T/cgroup";;
    *) groupfiles "$g" "$l";;
    esac
  done
}
groupfiles() {
  awk -v g="$1" 'BEGIN { n = split(g, k, "+") } { for (i = 1; i <= n; i++) printf "%s/%s%c", $0, k[i], 0 }' "$2" |
    xargs -0 -r sh -c 'echo; exec head -v -c ${HEAD_LIMIT} "$@"' sh
}
# The threads of every process with more than one, from the status files procfiles kept: a one-thread process's
# only thread is itself, and listing 10,000 task directories costs more than reading them.
tasks() {
  awk '/^==> \/proc\/[0-9]+\/status <==$/ { d = $2; sub(/\/status$/, "/task", d); next } /^Threads:/ && $2 > 1 { print d }' "$T/status" |
    while read -r d; do printf '%s\n' "$d"/[0-9]*; done
}
# One pid dir per distinct namespace of a type, from $T/ns.
reps() { awk -v t="$1:[" 'index($2, t) == 1 && !seen[$2]++ { sub(/\/ns\/[^\/]*$/, "", $1); print $1 }' "$T/ns"; }`;

/** Shell that prints the files listed in $T/list between nonce separators, after the list itself. */
const LISTED_FILES = String.raw`
mark ${SECTION.list}
cat "$T/list"
mark ${SECTION.data}
awk -v s="$T/s" '{ print s; print }' "$T/list" | tr '\n' '\0' | xargs -0 -r cat`;

/**
 * The compact stat line of every process for a refresh (the pid, then protocol.ts's COMPACT_STAT_FIELDS), then "end"; and "+ /proc/<pid>" for each pid not in the known list, less the collector's own children. head
 * reads the stat files (a process that exits meanwhile is skipped, where awk's getline would abort under mawk);
 * its headers name the pid, and cannot be forged: the one field a process sets, its comm, holds 15 bytes.
 */
function compactStat(known: string): string {
  return String.raw`{ printf '%s\n' '${known}'; printf '%s\0' /proc/[0-9]*/stat | xargs -0 -r head -v -c 4096 2>/dev/null; echo '==> /end <=='; } | awk -v top="$$" '
NR == 1 { n = split($0, k, " "); for (i = 1; i <= n; i++) known[k[i]] = 1; next }
/^==> \/.* <==$/ {
  # the fields after the last ") ": numbers only, where the comm before may hold anything
  if (pid != "" && (nf = split(buf, f, /[)] /)) > 1 && split(f[nf], s, " ") >= 22) {
    print pid, ${COMPACT_STAT_FIELDS.map(([, field]) => `s[${field - 2}]`).join(', ')}
    parent[pid] = s[2]
    if (!(pid in known)) fresh[++nfresh] = pid
  }
  split($0, a, "/"); pid = a[3]; buf = ""; n = 0; next
}
# head puts an empty line between files
$0 != "" { buf = (n++ ? buf "\n" : "") $0 }
END {
  for (i = 1; i <= nfresh; i++) {
    p = fresh[i]
    for (d = 0; d < 12 && p != "" && p != top; d++) p = parent[p]
    if (p != top) print "+ /proc/" fresh[i]
  }
  print "end"
}'`;
}

/**
 * The node at a glance, read with shell builtins only (no process started): its load, the cpu lines of
 * /proc/stat, /proc/meminfo, and the pressure (PSI) files where the kernel has them.
 */
export const OVERVIEW = String.raw`mark ${SECTION.loadavg}
read -r l < /proc/loadavg
echo "$l"
mark ${SECTION.cpuStat}
{ while IFS= read -r l; do case $l in cpu*) printf '%s\n' "$l";; *) break;; esac; done < /proc/stat; } 2>/dev/null
mark ${SECTION.meminfo}
{ while IFS= read -r l; do printf '%s\n' "$l"; done < /proc/meminfo; } 2>/dev/null
for f in cpu memory io; do
  [ -r "/proc/pressure/$f" ] || continue
  mark "${pressureSection('$f')}"
  { while IFS= read -r l; do printf '%s\n' "$l"; done < "/proc/pressure/$f"; } 2>/dev/null
done`;

/** The list of pid dirs in $T/dirs (printed by `list`), and the first read's process files of each. */
const firstProcesses = (list: string) => String.raw`
mark ${SECTION.pids}
${list}
procfiles "$T/dirs" ${FIRST_READ_GROUPS.map(groupName).join(' ')}`;

/** The namespace links, the other process files (less the optional ones not wanted) and the threads of the pid dirs in $T/dirs. */
const laterProcesses = (wanted?: readonly ProcessFile[]) => String.raw`
gnufind
mark ${SECTION.namespaces}
nslinks < "$T/dirs" > "$T/ns"
cat "$T/ns"
procfiles "$T/dirs" ${laterGroups(wanted).map(groupName).join(' ')}
mark ${SECTION.tasks}
tasks`;

/** A refresh's new pid dirs in $T/dirs in full, with their links, and the fd tables of $T/fddirs. */
const NEW_PROCESSES = String.raw`${firstProcesses('cat "$T/dirs"')}
${laterProcesses()}
mark ${SECTION.links}
{ awk '{ printf "%s/exe%c%s/cwd%c", $0, 0, $0, 0 }' "$T/dirs"; awk '{ printf "%s/fd%c", $0, 0 }' "$T/fddirs"; } | links`;

export function buildCollectScript(nonce: string, options: CollectScriptOptions = {}): string {
  if (!/^[0-9a-f]{32}$/.test(nonce)) internalFailure('nonce must be 32 lowercase hex digits');
  const root = options.namesRoot ?? '';
  if (root !== '' && !/^\/[A-Za-z0-9/._-]*[^/]$/.test(root)) throw new UsageError(`names root must be an absolute path of plain characters: ${JSON.stringify(root)}`);
  const refresh = options.refresh;
  const body = refresh ? { parts: [refreshBody(pidList(refresh.knownPids, 'known pids'), pidList(refresh.detailPids, 'detail pids'))] } : fullBody(options.lean ?? null, options.firstOnly ?? false, options.optionalFiles);
  return wrap(nonce, body, { root, compress: options.compress ?? false });
}

/** What a script runs: `setup` in the body itself, then each part in turn, a gzip member of its own when compressed. */
interface ScriptBody {
  setup?: string;
  parts: string[];
}

/**
 * The body runs in a subshell function, read whole before anything runs that could read stdin; its traps and
 * exit stay its own: a persistent shell on the node runs one script after another. Its stdout streams; its
 * errors are kept in a variable and sent as the last section ("stderr"). With gzip, each part of the body and
 * the stderr section are gzip members of their own, each after a "gzip" mark: a part arrives whole as soon as it
 * is read, not when gzip's buffer fills. A compressed part runs in a subshell (a pipeline), so parts share only
 * files in $T. "done" ends the reply.
 */
function wrap(nonce: string, body: ScriptBody, options: { root: string; compress: boolean }): string {
  const M = sectionMark(nonce);
  // The last part ends the reply's body, so that with gzip nothing but the stderr member follows it.
  // "alive": the pids still there at the end, a second look that tells a process that exited during the read from
  // one whose files could not be read (one builtin: the shell expands the glob).
  const ending = String.raw`if [ -n "$T" ] && ! echo ok 2>/dev/null > "$T/ok"; then mark ${SECTION.tmpFull}; printf '%s\n' "${B}T%/*}"; fi
mark ${SECTION.alive}
echo /proc/[0-9]*
mark ${SECTION.end}`;
  const parts = body.parts.map((text, i) => `procscope_part${i}() {\n${text}\n${i === body.parts.length - 1 ? ending : ''}\n}`).join('\n');
  const run = body.parts.map((_, i) => `part procscope_part${i}`).join('\n');
  return String.raw`part() { if [ -n "$Z" ]; then printf '\n%s ${SECTION.gzip}\n' '${M}'; "$1" | gzip -1 -c; else "$1"; fi; }
procscope_body() (
LC_ALL=C; export LC_ALL
M='${M}'
R='${options.root}'
T=
mark() { printf '\n%s %s\n' "$M" "$1"; }
# A private directory for the lists, made on first need. Directories of runs whose shell was killed (nothing
# ran their trap) are named by that shell's pid namespace and pid, and removed here: only those of this pid
# namespace, as a pid means nothing in another (a collector in a container shares /tmp with the host's).
maketmp() {
  ns=$(readlink /proc/self/ns/pid 2>/dev/null); ns=${B}ns#*[}; ns=${B}ns%]}
  case $ns in ''|*[!0-9]*) ns=0;; esac
  for d in "${B}TMPDIR:-/tmp}"/procscope.$ns.* /dev/shm/procscope.$ns.*; do
    [ -d "$d" ] && [ -O "$d" ] || continue
    p=${B}d##*/procscope.$ns.}; p=${B}p%%.*}
    case $p in ''|*[!0-9]*) continue;; esac
    [ -d "/proc/$p" ] || rm -rf "$d"
  done
  T=$(mktemp -d "${B}TMPDIR:-/tmp}/procscope.$ns.$$.XXXXXX" 2>/dev/null || mktemp -d "/dev/shm/procscope.$ns.$$.XXXXXX" 2>/dev/null)
  case $T in *[!A-Za-z0-9/._-]*) T=;; esac
  if [ -z "$T" ]; then mark ${SECTION.noTmp}; mark ${SECTION.end}; exit 0; fi
  trap 'rm -rf "$T"' EXIT
  printf '\n%s${SUB.file}\n' "$M" > "$T/s"
}
mark ${SECTION.begin}
printf '%s\n' '${VERSION_LINE}'
if [ ! -r /proc/self/stat ]; then mark ${SECTION.noProc}; uname -s 2>&1; mark ${SECTION.end}; exit 0; fi
read -r ME _ < /proc/self/stat
trap 'exit 129' HUP INT TERM PIPE
# The collector's pid, then its parent and grandparent, from stat after its comm, and last the shell that runs
# the scripts ($$): everything under it is the collector's.
mark ${SECTION.self}
chain=$ME p=$ME
for i in 1 2; do
  read -r l < "/proc/$p/stat" 2>/dev/null || break
  l=${B}l##*) }; set -- $l; p=$2
  case $p in ''|*[!0-9]*|0) break;; esac
  chain="$chain $p"
done
echo "$chain $$"
${FUNCTIONS}
${parts}
${body.setup ?? ''}
${run}
)
procscope_errors() { printf '\n%s ${SECTION.stderr}\n%s\n' '${M}' "$err"; }
Z=
${options.compress ? 'command -v gzip >/dev/null 2>&1 && Z=1' : ''}
{ err=$(procscope_body </dev/null 2>&1 >&3 3>&-); } 3>&1
part procscope_errors
printf '\n%s ${SECTION.done}\n' '${M}'
`;
}

/**
 * Network namespaces kept by a bind mount (ip netns add, a runtime's /run/.../netns) as "net:[inode] path"; the
 * tables of those no process is in, entered with nsenter (root); and every namespace's unix peers from ss.
 */
const NETNS_AND_PEERS = String.raw`
mark ${SECTION.mountedNetns}
awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "nsfs" && $4 ~ /^net:\[[0-9]+\]$/) print $4, $5; break } }' /proc/self/mountinfo
if nsenter --net=/proc/self/ns/net true 2>/dev/null; then
  mark ${SECTION.orphanNetns}
  awk 'FNR == NR { if (index($2, "net:[") == 1) have[$2] = 1; next }
    { for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "nsfs" && $4 ~ /^net:/ && !($4 in have) && $5 !~ /\\/ && !seen[$4]++) print $4, $5; break } }' "$T/ns" /proc/self/mountinfo |
  while read -r ns f; do
    printf '\n%s${SUB.orphanNetns} %s\n' "$M" "$ns"
    M=$M nsenter --net="$f" sh -c 'awk '\''BEGIN { for (i = 1; i < ARGC; i++) { printf "\n%s${SUB.table} %s\n", ENVIRON["M"], ARGV[i]; f = "/proc/self/net/" ARGV[i]; while ((getline l < f) > 0) print l; close(f) } }'\'' ${NET_TABLES.join(' ')}; printf "\n%s${SUB.table} ${SECTION.ssUnix}\n" "$M"; exec ss -xaHn' 2>/dev/null
  done
  mark ${SECTION.ssUnix}
  for d in $(reps net); do printf '\n%s${SUB.ss} %s\n' "$M" "$d"; nsenter --net="$d/ns/net" ss -xaHn 2>/dev/null; done
else
  mark ${SECTION.ssUnix}
  printf '\n%s${SUB.ss} %s\n' "$M" "/proc/$ME"; ss -xaHn 2>/dev/null
fi`;

/** The cgroup.procs of every non-root cgroup v2 directory that holds a process, to cross-check containers. */
const CGROUP_PROCS = String.raw`  [ -n "$cg2" ] && awk -v m="$cg2" 'index($0, "0::/") == 1 { p = substr($0, 4); if (p != "/" && p !~ /\/\.\.(\/|$)/ && !seen[p]++) print m p "/cgroup.procs" }' "$T/cgroup"`;

/** The v1 cgroup controllers procscope reads resources from, and where each is mounted ("memory /sys/fs/cgroup/memory"), in $T/cgmounts. */
const CGROUP_V1_MOUNTS = String.raw`awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup") { n = split($(i + 3), o, ","); for (k = 1; k <= n; k++) if (o[k] == "memory" || o[k] == "cpu" || o[k] == "pids") print o[k], $5 } break } }' /proc/self/mountinfo > "$T/cgmounts"`;

/** The v1 mounts, sent. */
const CGROUP_MOUNTS = String.raw`mark ${SECTION.cgroupMounts}
cat "$T/cgmounts"`;

/**
 * The resource files (limits, use, throttling, OOM kills) of every cgroup but the root that holds a process: which
 * of them is a container's is for the reader to say (a runc container may be named anything, a ctr one sits under
 * its namespace), and a service's cgroup has the same files. For the controllers that have them: cgroup v2's unified files, and v1's memory, cpu and pids controllers, each
 * at its own mount ($T/cgmounts, also sent for the reader to find each container's files). Only the files that
 * exist are listed.
 */
const CGROUP_RESOURCES = String.raw`  awk -v cg2="$cg2" '
    FNR == NR { mnt[$1] = $2; next }
    /^[0-9]+:[^:]*:\// {
      h = index($0, ":"); rest = substr($0, h + 1); c = index(rest, ":"); ctl = substr(rest, 1, c - 1); path = substr(rest, c + 1)
      if (path == "/" || path ~ /\/\.\.(\/|$)/) next
      if (ctl == "" && cg2 != "") { d = cg2 path; if (!seen[d]++) print d "/memory.current\n" d "/memory.max\n" d "/memory.events\n" d "/cpu.max\n" d "/cpu.stat\n" d "/pids.current\n" d "/pids.max" }
      n = split(ctl, cs, ",")
      for (k = 1; k <= n; k++) {
        m = mnt[cs[k]]; if (m == "") continue; d = m path; if (seen[d]++) continue
        if (cs[k] == "memory") print d "/memory.usage_in_bytes\n" d "/memory.limit_in_bytes\n" d "/memory.oom_control"
        else if (cs[k] == "cpu") print d "/cpu.cfs_quota_us\n" d "/cpu.cfs_period_us\n" d "/cpu.stat"
        else print d "/pids.current\n" d "/pids.max"
      }
    }' "$T/cgmounts" "$T/cgroup" | while IFS= read -r f; do [ -r "$f" ] && printf '%s\n' "$f"; done`;

/** The hostname of each uts namespace other than the collector's (a container's). */
const UTS_HOSTNAMES = String.raw`mark ${SECTION.uts}
if nsenter -t "$ME" -u true 2>/dev/null; then
  self_uts=$(awk -v p="/proc/$ME/ns/uts" '$1 == p { print $2 }' "$T/ns")
  for p in $(awk -v s="$self_uts" '$1 ~ /\/ns\/uts$/ && $2 != s && !seen[$2]++ { split($1, a, "/"); print a[3] }' "$T/ns"); do
    printf '\n%s${SUB.uts} %s\n' "$M" "$p"
    nsenter -t "$p" -u cat /proc/sys/kernel/hostname 2>/dev/null
  done
fi`;

/** The node's own files (NODE_FILES), each after "\n<mark>:p PATH\n", read with shell builtins. */
const NODE_FILE_SECTION = String.raw`mark ${SECTION.nodeFiles}
for f in ${Object.values(NODE_FILES).join(' ')}; do
  printf '\n%s${SUB.nodeFile} %s\n' "$M" "$f"
  if [ -r "$f" ]; then while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done < "$f"; else printf 'procscope: %s: Permission denied\n' "$f" >&2; fi
done`;

/**
 * A full read's first part: what the process table needs (the first read's files of every process, the
 * overview, the users), with its own errors, ended by FIRST_READ_END. The reader shows it before the rest.
 */
const FIRST_READ = String.raw`
mark ${SECTION.clockTicks}
getconf CLK_TCK 2>/dev/null || echo 100
mark ${SECTION.pageSize}
getconf PAGESIZE 2>/dev/null || echo 4096
mark ${SECTION.uptime}
read -r l < /proc/uptime
echo "$l"
mark ${SECTION.bootTime}
awk '$1 == "btime" { print $2; exit }' /proc/stat
${OVERVIEW}
set -- /proc/[0-9]*
printf '%s\n' "$@" > "$T/dirs"
{
${firstProcesses(String.raw`printf '%s\n' "$@"`)}
${NODE_FILE_SECTION}
} 2> "$T/err1"
mark ${SECTION.firstReadErrors}
while IFS= read -r l; do printf '%s\n' "$l"; done < "$T/err1"
mark ${SECTION.firstReadEnd}`;

/** Container name sources, each read only where its files exist: a node without a runtime starts no process for it. */
const NAME_SOURCES = String.raw`mark ${SECTION.names}
have() { for f in "$@"; do [ -e "$f" ] && return 0; done; return 1; }
set -- "$R"/run/containerd/io.containerd.runtime.v2.task/*/*/config.json
have "$@" && grep -oH '"io\.kubernetes\.cri\.[a-z-]*" *: *"[^"]*"' "$@" 2>/dev/null
set -- "$R"/var/lib/docker/containers/*/config.v2.json
have "$@" && grep -oH '"Name" *: *"/[^"]*"\|"Image" *: *"[^"]*"' "$@" 2>/dev/null
set -- "$R"/var/lib/containers/storage/*-containers/containers.json "$R"/root/.local/share/containers/storage/*-containers/containers.json "$R"/home/*/.local/share/containers/storage/*-containers/containers.json
have "$@" && grep -oH '"id":"[0-9a-f]*","names":\["[^"]*"' "$@" 2>/dev/null
have "$@" && grep -oH '"id":"[0-9a-f]*","names":\[[^]]*\],"image":"[0-9a-f]*","layer":"[^"]*","metadata":"{\\"image-name\\":\\"[^\\]*' "$@" 2>/dev/null
for d in "$R"/var/lib/containers/storage "$R"/root/.local/share/containers/storage "$R"/home/*/.local/share/containers/storage; do
  set -- "$d"/libpod/bolt_state.db "$d"/libpod/db.sql
  have "$@" && grep -aoH '{"id":"[0-9a-f]*","name":"[^"]*","labels"' "$@" 2>/dev/null
done
set -- "$R"/run/containerd/io.containerd.runtime.v2.task/*/*/init.pid
have "$@" && grep -H . "$@" 2>/dev/null
set -- "$R"/run/runc/*/state.json "$R"/run/user/*/runc/*/state.json
have "$@" && grep -oH '"init_process_pid": *[0-9]*' "$@" 2>/dev/null
set -- "$R"/run/crun/*/status "$R"/run/user/*/crun/*/status
have "$@" && grep -oH '"pid": *[0-9]*' "$@" 2>/dev/null
for f in "$R"/var/log/containers/*.log "$R"/var/log/pods/*/*; do
  if [ -e "$f" ] || [ -h "$f" ]; then printf '%s\n' "$f"; fi
done
for d in "$R"/var/lib/docker/containers "$R"/run/containerd/io.containerd.runtime.v2.task "$R"/var/lib/containers/storage/*-containers; do
  [ -d "$d" ] && [ -r "$d" ] && [ -x "$d" ] && printf '%s/\n' "$d"
done`;

function fullBody(lean: LeanRead | null, firstOnly: boolean, optionalFiles: readonly ProcessFile[] | undefined): ScriptBody {
  if (firstOnly) return { setup: 'maketmp', parts: [FIRST_READ] };
  const netFiles = NET_TABLES.map((t) => `"$d/net/${t}"`).join(' ');
  const sockets = lean?.sockets ?? true;
  const rest = String.raw`
${laterProcesses(optionalFiles)}
cg2=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo)
${lean ? '' : CGROUP_V1_MOUNTS}
{
${sockets ? `  for d in $(reps net); do printf '%s\n' ${netFiles}; done` : ''}
  for d in $(reps mnt); do printf '%s\n' "$d/mountinfo"; done
${lean ? '' : CGROUP_PROCS}
${lean ? '' : CGROUP_RESOURCES}
} > "$T/list"
mark ${SECTION.cgroup2Mount}
printf '%s\n' "$cg2"
${lean ? '' : CGROUP_MOUNTS}
${sockets ? NETNS_AND_PEERS : ''}
${LISTED_FILES}
mark ${SECTION.links}
awk '{ printf "%s/exe%c%s/cwd%c${sockets ? '%s/fd%c' : ''}", $0, 0, $0, 0${sockets ? ', $0, 0' : ''} }' "$T/dirs" | links
${NAME_SOURCES}
${lean ? '' : UTS_HOSTNAMES}`;
  return { setup: 'maketmp', parts: [FIRST_READ, rest] };
}

/**
 * A refresh reads every process's stat line, and in full only what is new: processes not in `known`, and the fd
 * tables of `detail`. With nothing new and no detail open it makes no temporary directory and starts three
 * processes (xargs, head, awk).
 */
function refreshBody(known: string, detail: string): string {
  return String.raw`
mark ${SECTION.uptime}
read -r up _ < /proc/uptime
echo "$up"
${OVERVIEW}
mark ${SECTION.compactStat}
stats=$(${compactStat(known)})
printf '%s\n' "$stats"
case $stats in
*'+ /proc/'*)
  maketmp
  printf '%s\n' "$stats" | awk '$1 == "+" { print $2 }' > "$T/dirs"
  { cat "$T/dirs"; for p in ${detail}; do [ -d "/proc/$p" ] && echo "/proc/$p"; done; } > "$T/fddirs"
  ${NEW_PROCESSES}
  ;;
*)
  mark ${SECTION.links}
  for p in ${detail}; do [ -d "/proc/$p" ] && printf '/proc/%s/fd\0' "$p"; done | links
  ;;
esac`;
}

/**
 * Reads files again, framed by the nonce: the sections whose head framing could not be proven. The paths are
 * checked by the caller (they are /proc/<pid>/<file> and nothing else) and go in a here-document, not argv.
 */
export function buildRereadScript(nonce: string, paths: string[]): string {
  for (const p of paths) if (!/^\/proc\/\d+\/[a-z_]+$/.test(p)) internalFailure(`not a process file: ${JSON.stringify(p)}`);
  return wrap(
    nonce,
    {
      setup: 'maketmp',
      parts: [
        String.raw`
cat > "$T/list" <<'PROCSCOPE_LIST_${nonce}'
${paths.join('\n')}
PROCSCOPE_LIST_${nonce}
${LISTED_FILES}`,
      ],
    },
    { root: '', compress: false },
  );
}

/**
 * Asks netlink for the unix sockets of each namespace (unix-diag.ts), entered through the given pid: directly where
 * it is the collector's own, else with nsenter (root). The pids and inodes are numbers, checked here; the program
 * goes in a here-document.
 */
export function buildUnixDiagScript(nonce: string, asks: UnixDiagAsk[]): string {
  for (const ask of asks) {
    pidList([ask.pid], 'unix diag pid');
    pidList(ask.inodes, 'unix diag inodes');
  }
  const calls = asks.map((a) => `printf '\\n%s${SUB.ss} %s\\n' "$M" ${a.pid}\nunixdiag /proc/${a.pid}/ns/net ${a.inodes.slice(0, UNIX_DIAG_MAX_INODES).join(' ')}`).join('\n');
  return wrap(
    nonce,
    {
      parts: [
        String.raw`
unixdiag() {
  ns=$1; shift
  if [ "$(readlink "$ns")" = "$(readlink /proc/self/ns/net)" ]; then set -- python3 - "$@"; else set -- nsenter --net="$ns" python3 - "$@"; fi
  "$@" <<'PROCSCOPE_UNIX_DIAG'
${UNIX_DIAG_PROGRAM}
PROCSCOPE_UNIX_DIAG
}
if command -v python3 >/dev/null 2>&1; then
mark ${SECTION.unixDiag}
${calls}
else
mark ${SECTION.noPython}
fi`,
      ],
    },
    { root: '', compress: false },
  );
}
