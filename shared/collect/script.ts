/**
 * The POSIX sh program that reads a node's /proc in one round trip.
 *
 * It runs under dash, busybox ash and bash, with coreutils or busybox applets,
 * and forks a handful of processes in all, whatever the number of pids:
 * one `stat` for every namespace link, one `cat` (through xargs) for every file,
 * one `find` (GNU) for every fd/exe/cwd link.
 *
 * Framing: a 128-bit nonce chosen by the client, sent on stdin (never in argv,
 * so no process on the node can read it), starts every section mark and every
 * file separator. File contents are copied between separators byte for byte;
 * links come NUL-terminated. See frame.ts for the reader.
 */

export const NET_TABLES = ['tcp', 'tcp6', 'udp', 'udp6', 'raw', 'raw6', 'unix'] as const;

export const NODE_FILES = {
  hostname: '/proc/sys/kernel/hostname',
  kernel: '/proc/sys/kernel/osrelease',
  ostype: '/proc/sys/kernel/ostype',
  bootId: '/proc/sys/kernel/random/boot_id',
  passwd: '/etc/passwd',
} as const;

export const PER_PID_FILES = ['stat', 'status', 'cmdline', 'cgroup', 'cpuset'] as const;

export function sectionMark(nonce: string): string {
  return `@@PSC${nonce}`;
}

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
}

function pidList(pids: number[], what: string): string {
  for (const pid of pids) if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${what}: not a pid: ${pid}`);
  return pids.join(' ');
}

/**
 * Shell that fills $T/ns with the namespace links of every pid dir in $T/dirs. Each link is named, one per type this
 * kernel has: a glob of another user's ns/ directory finds nothing, and "nothing" must not read as "no namespaces".
 */
const NS_LINKS = String.raw`
nstypes=$(cd /proc/self/ns 2>/dev/null && echo *)
awk -v t="$nstypes" 'BEGIN { n = split(t, ty, " ") } { for (i = 1; i <= n; i++) print $0 "/ns/" ty[i] }' "$T/dirs" | tr '\n' '\0' | xargs -0 -r stat -L -c '%i %n' > "$T/ns"`;

/** Shell that fills $T/list with the files of every pid dir in $T/dirs, and $T/ns with their namespace links. */
const PER_PID_LISTING = String.raw`${NS_LINKS}
while read -r d; do printf '%s\n' ${PER_PID_FILES.map((f) => `"$d/${f}"`).join(' ')} "$d"/task/*/children; done < "$T/dirs" >> "$T/list"`;

/** Shell that prints the list, the files' contents between separators, and the links of the dirs in $T/dirs and $T/fddirs. */
const DATA_AND_LINKS = String.raw`
mark list
cat "$T/list"
mark data
awk -v s="$T/s" '{ print s; print }' "$T/list" | tr '\n' '\0' | xargs -0 -r cat
mark links
if find /proc/self/exe -maxdepth 0 -printf '' >/dev/null 2>&1; then
  { awk '{ print $0 "/exe"; print $0 "/cwd" }' "$T/dirs"; awk '{ print $0 "/fd" }' "$T/fddirs"; } | tr '\n' '\0' |
    xargs -0 -r sh -c 'exec find "$@" -maxdepth 1 -type l -printf "%p\\0%l\\0"' sh
else
  {
    while read -r d; do for l in "$d/exe" "$d/cwd"; do [ -h "$l" ] && printf '%s\n' "$l"; done; done < "$T/dirs"
    while read -r d; do
      [ -r "$d/fd" ] && [ -x "$d/fd" ] || printf 'procscope: %s/fd: Permission denied\n' "$d" >&2
      for l in "$d"/fd/[0-9]*; do [ -h "$l" ] && printf '%s\n' "$l"; done
    done < "$T/fddirs"
  } | while read -r l; do
    t=$(readlink "$l" && echo x) || { printf 'procscope: %s: cannot read link\n' "$l" >&2; continue; }
    printf '%s\0%s\0' "$l" "${B}t%?x}"
  done
fi`;

/**
 * The compact stat line of every process for a refresh: "pid state ppid utime stime threads starttime rsspages",
 * then "end". Files are opened with getline, which fails softly: awk given a file it cannot open (a process that
 * exited after the glob) aborts under mawk and busybox, and would drop every pid after it. mawk also ends on a read
 * error (a process reaped between its stat's open and read gives ESRCH): then the awk runs again on the pids after
 * the last one it printed, so one reaped process never cuts the list.
 */
const COMPACT_STAT = String.raw`
mark stat
printf '%s\n' /proc/[0-9]*/stat > "$T/stats"
: > "$T/compact"
tries=0
until awk '{
  f = $0; buf = ""; n = 0
  while ((getline line < f) > 0) buf = (n++ ? buf "\n" : "") line
  close(f)
  if (n == 0 || !match(buf, /\) [A-Za-z] [-0-9 ]+$/)) next
  split(substr(buf, RSTART + 2), s, " ")
  split(f, a, "/")
  print a[3], s[1], s[2], s[12], s[13], s[18], s[20], s[22]
}' "$T/stats" >> "$T/compact"; do
  tries=$((tries + 1))
  [ "$tries" -gt 20 ] && break
  last=$(tail -n 1 "$T/compact" | cut -d' ' -f1)
  [ -n "$last" ] && awk -v at="/proc/$last/stat" 'go; $0 == at { go = 1 }' "$T/stats" > "$T/rest" && mv "$T/rest" "$T/stats"
done
cat "$T/compact"
[ "$tries" -gt 20 ] || echo end`;

export function buildCollectScript(nonce: string, options: CollectScriptOptions = {}): string {
  if (!/^[0-9a-f]{32}$/.test(nonce)) throw new Error('nonce must be 32 lowercase hex digits');
  const root = options.namesRoot ?? '';
  if (root !== '' && !/^\/[A-Za-z0-9/._-]*[^/]$/.test(root)) throw new Error(`names root must be an absolute path of plain characters: ${JSON.stringify(root)}`);
  const refresh = options.refresh;
  const known = refresh ? pidList(refresh.knownPids, 'known pids').replace(/ /g, '\n') : '';
  const detail = refresh ? pidList(refresh.detailPids, 'detail pids') : '';
  const body = refresh ? refreshBody(known, detail, nonce) : fullBody();
  const M = sectionMark(nonce);
  // The body is one function, read whole before anything runs that could read stdin. It runs in a subshell,
  // so its traps and exit stay its own: a persistent shell on the node runs one script after another.
  // Its errors go to a file, sent as the last section; with gzip, inside the stream. "done" ends the reply.
  return String.raw`procscope_collect() (
LC_ALL=C; export LC_ALL
M='${M}'
R='${root}'
T=$1
mark() { printf '\n%s %s\n' "$M" "$1"; }
mark begin
printf 'procscope-collect 5\n'
if [ ! -r /proc/self/stat ]; then mark noproc; uname -s 2>&1; mark end; exit 0; fi
read -r ME _ < /proc/self/stat
if [ -z "$T" ]; then mark notmp; mark end; exit 0; fi
trap 'exit 129' HUP INT TERM
printf '\n%s:f\n' "$M" > "$T/s"
: > "$T/list"
mark self
echo "$ME"
mark clk
getconf CLK_TCK 2>/dev/null || echo 100
mark pagesize
getconf PAGESIZE 2>/dev/null || echo 4096
mark uptime
cat /proc/uptime
${body}
mark end
)
procscope_reply() (
  M='${M}'
  # Directories of replies whose shell was killed (nothing ran their trap): named by that shell's pid.
  for d in "${B}TMPDIR:-/tmp}"/procscope.* /dev/shm/procscope.*; do
    [ -d "$d" ] && [ -O "$d" ] || continue
    p=${B}d##*/procscope.}; p=${B}p%%.*}
    case $p in ''|*[!0-9]*) continue;; esac
    [ -d "/proc/$p" ] || rm -rf "$d"
  done
  D=$(mktemp -d "${B}TMPDIR:-/tmp}/procscope.$$.XXXXXX" 2>/dev/null || mktemp -d "/dev/shm/procscope.$$.XXXXXX" 2>/dev/null)
  case $D in *[!A-Za-z0-9/._-]*) D=;; esac
  if [ -z "$D" ]; then
    procscope_collect '' </dev/null 2>/dev/null
    printf '\n%s stderr\n' "$M"
    exit 0
  fi
  trap 'rm -rf "$D"' EXIT
  trap 'exit 129' HUP INT TERM PIPE
  # Collected into a file first: cat's thousands of small writes into a pipe cost more than the reads.
  procscope_collect "$D" >"$D/out" 2>"$D/err" </dev/null
  if tail -c 200 "$D/out" 2>/dev/null | grep -qF "$M end" || echo ok 2>/dev/null >"$D/ok"; then
    cat "$D/out"
  else
    printf '\n%s begin\n\n%s tmpfull\n%s\n' "$M" "$M" "${B}D%/*}"
  fi
  printf '\n%s stderr\n' "$M"
  cat "$D/err"
)
${options.compress
    ? String.raw`if command -v gzip >/dev/null 2>&1; then
  printf '\n%s gzip\n' '${M}'
  procscope_reply | gzip -1 -c
else
  procscope_reply
fi`
    : 'procscope_reply'}
printf '\n%s done\n' '${M}'
`;
}

/** The line that ends every reply of the collector, after any gzip stream. */
export function doneMarker(nonce: string): string {
  return `\n${sectionMark(nonce)} done\n`;
}

/**
 * Network namespaces kept by a bind mount (ip netns add, a runtime's /run/.../netns) as "net:[inode] path"; the
 * tables of those no process is in, entered with nsenter (root); and every namespace's unix peers from ss.
 */
const NETNS_AND_PEERS = String.raw`
mark netns
awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "nsfs" && $4 ~ /^net:\[[0-9]+\]$/) print $4, $5; break } }' /proc/self/mountinfo
if nsenter --net=/proc/self/ns/net true 2>/dev/null; then
  mark orphannet
  awk 'FNR == NR { if ($2 ~ /\/ns\/net$/) have["net:[" $1 "]"] = 1; next }
    { for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "nsfs" && $4 ~ /^net:/ && !($4 in have) && $5 !~ /\\/ && !seen[$4]++) print $4, $5; break } }' "$T/ns" /proc/self/mountinfo |
  while read -r ns f; do
    printf '\n%s:n %s\n' "$M" "$ns"
    for t in ${NET_TABLES.join(' ')}; do printf '\n%s:t %s\n' "$M" "$t"; nsenter --net="$f" cat "/proc/self/net/$t" 2>/dev/null; done
    printf '\n%s:t ssx\n' "$M"; nsenter --net="$f" ss -xaHn 2>/dev/null
  done
  mark ssx
  for d in $(reps net); do printf '\n%s:x %s\n' "$M" "$d"; nsenter --net="$d/ns/net" ss -xaHn 2>/dev/null; done
else
  mark ssx
  printf '\n%s:x %s\n' "$M" "/proc/$ME"; ss -xaHn 2>/dev/null
fi`;

function fullBody(): string {
  const netFiles = NET_TABLES.map((t) => `"$d/net/${t}"`).join(' ');
  return String.raw`
printf '%s\n' /proc/[0-9]* > "$T/dirs"
cp "$T/dirs" "$T/fddirs"
${NS_LINKS}
# every pid at once: one glob per file kind, builtins only
printf '%s\n' ${Object.values(NODE_FILES).join(' ')} ${PER_PID_FILES.map((f) => `/proc/[0-9]*/${f}`).join(' ')} /proc/[0-9]*/task/*/children > "$T/list"
mark ns
cat "$T/ns"
# one pid per distinct namespace of a type, as /proc/<pid>
reps() { awk -v t="/ns/$1$" '$2 ~ t && !seen[$1]++ { sub(t, "", $2); print $2 }' "$T/ns"; }
cg2=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo)
{
  for d in $(reps net); do printf '%s\n' ${netFiles}; done
  for d in $(reps mnt); do printf '%s\n' "$d/mountinfo"; done
  # cgroup.procs of every non-root cgroup v2 directory that holds a process, to cross-check containers
  [ -n "$cg2" ] && printf '%s\n' /proc/[0-9]*/cgroup | awk -v m="$cg2" '{
    f = $0
    while ((getline line < f) > 0) if (index(line, "0::") == 1) { p = substr(line, 4); if (p != "/" && !seen[p]++) print m p "/cgroup.procs" }
    close(f)
  }'
} >> "$T/list"
mark cg2
printf '%s\n' "$cg2"
${NETNS_AND_PEERS}
${DATA_AND_LINKS}
mark names
grep -oH '"io\.kubernetes\.cri\.[a-z-]*" *: *"[^"]*"' "$R"/run/containerd/io.containerd.runtime.v2.task/*/*/config.json 2>/dev/null
grep -oH '"Name" *: *"/[^"]*"' "$R"/var/lib/docker/containers/*/config.v2.json 2>/dev/null
grep -oH '"id":"[0-9a-f]*","names":\["[^"]*"' "$R"/var/lib/containers/storage/*-containers/containers.json "$R"/root/.local/share/containers/storage/*-containers/containers.json "$R"/home/*/.local/share/containers/storage/*-containers/containers.json 2>/dev/null
for d in "$R"/var/lib/containers/storage "$R"/root/.local/share/containers/storage "$R"/home/*/.local/share/containers/storage; do
  grep -aoH '{"id":"[0-9a-f]*","name":"[^"]*","labels"' "$d"/libpod/bolt_state.db "$d"/libpod/db.sql 2>/dev/null
done
grep -H . "$R"/run/containerd/io.containerd.runtime.v2.task/*/*/init.pid 2>/dev/null
grep -oH '"init_process_pid": *[0-9]*' "$R"/run/runc/*/state.json 2>/dev/null
grep -oH '"pid": *[0-9]*' "$R"/run/crun/*/status 2>/dev/null
for f in "$R"/var/log/containers/*.log "$R"/var/log/pods/*/*; do
  if [ -e "$f" ] || [ -h "$f" ]; then printf '%s\n' "$f"; fi
done
mark uts
if nsenter -t "$ME" -u true 2>/dev/null; then
  self_uts=$(awk -v p="/proc/$ME/ns/uts" '$2 == p { print $1 }' "$T/ns")
  for p in $(awk -v s="$self_uts" '$2 ~ /\/ns\/uts$/ && $1 != s && !seen[$1]++ { split($2, a, "/"); print a[3] }' "$T/ns"); do
    printf '\n%s:u %s\n' "$M" "$p"
    nsenter -t "$p" -u cat /proc/sys/kernel/hostname 2>/dev/null
  done
fi`;
}

function refreshBody(known: string, detail: string, nonce: string): string {
  // Known pids go in a here-document, not on a command line: 16,000 of them overflow argv.
  return String.raw`
cat > "$T/known" <<'PROCSCOPE_PIDS_${nonce}'
0
${known}
PROCSCOPE_PIDS_${nonce}
${COMPACT_STAT}
# new pids, less the collector's own children
printf '%s\n' /proc/[0-9]* | awk -v self="$ME" '
FNR == NR { seen["/proc/" $1] = 1; next }
!($0 in seen) {
  line = ""; getline line < ($0 "/stat"); close($0 "/stat")
  if (match(line, /\) [A-Za-z] [-0-9]+ /)) { split(substr(line, RSTART + 2), f, " "); if (f[2] == self) next }
  print
}' "$T/known" - > "$T/dirs"
{ cat "$T/dirs"; for p in ${detail}; do [ -d "/proc/$p" ] && echo "/proc/$p"; done; } > "$T/fddirs"
${PER_PID_LISTING}
mark ns
cat "$T/ns"
${DATA_AND_LINKS}`;
}
