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

/** A shell "${" inside the String.raw template below. */
const B = '${';

export interface CollectScriptOptions {
  /** read container name sources (run/containerd, var/log, var/lib/docker) under this directory instead of / */
  namesRoot?: string;
}

export function buildCollectScript(nonce: string, options: CollectScriptOptions = {}): string {
  if (!/^[0-9a-f]{32}$/.test(nonce)) throw new Error('nonce must be 32 lowercase hex digits');
  const root = options.namesRoot ?? '';
  if (root !== '' && !/^\/[A-Za-z0-9/._-]*[^/]$/.test(root)) throw new Error(`names root must be an absolute path of plain characters: ${JSON.stringify(root)}`);
  const nodeFiles = Object.values(NODE_FILES).join(' ');
  const netFiles = NET_TABLES.map((t) => `"$d/net/${t}"`).join(' ');
  const pidFiles = PER_PID_FILES.map((f) => `"$d/${f}"`).join(' ');
  // The body is one function so the shell has read all of it before anything
  // runs that could read stdin.
  return String.raw`procscope_collect() {
LC_ALL=C; export LC_ALL
M='${sectionMark(nonce)}'
R='${root}'
mark() { printf '\n%s %s\n' "$M" "$1"; }
mark begin
printf 'procscope-collect 2\n'
if [ ! -r /proc/self/stat ]; then mark noproc; uname -s 2>&1; mark end; return 0; fi
T=$(mktemp -d "${B}TMPDIR:-/tmp}/procscope.XXXXXX" 2>/dev/null || mktemp -d /dev/shm/procscope.XXXXXX 2>/dev/null)
case $T in ''|*[!A-Za-z0-9/._-]*) mark notmp; mark end; return 0;; esac
trap 'rm -rf "$T"' EXIT
trap 'exit 129' HUP INT TERM
printf '\n%s:f\n' "$M" > "$T/s"
mark ns
printf '%s\0' /proc/[0-9]*/ns/* | xargs -0 stat -L -c '%i %n' > "$T/ns"
cat "$T/ns"
# one pid per distinct namespace of a type, as /proc/<pid>
reps() { awk -v t="/ns/$1$" '$2 ~ t && !seen[$1]++ { sub(t, "", $2); print $2 }' "$T/ns"; }
nets=$(reps net)
mnts=$(reps mnt)
cg2=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo)
{
  printf '%s\n' ${nodeFiles}
  for d in $nets; do printf '%s\n' ${netFiles}; done
  for d in $mnts; do printf '%s\n' "$d/mountinfo"; done
  for d in /proc/[0-9]*; do
    printf '%s\n' ${pidFiles} "$d"/task/*/children
  done
  # cgroup.procs of every non-root cgroup v2 directory that holds a process, to cross-check containers
  [ -n "$cg2" ] && awk -v m="$cg2" 'index($0, "0::") == 1 { p = substr($0, 4); if (p != "/" && !seen[p]++) print m p "/cgroup.procs" }' /proc/[0-9]*/cgroup 2>/dev/null
} > "$T/list"
mark cg2
printf '%s\n' "$cg2"
mark self
echo $$
mark clk
getconf CLK_TCK 2>/dev/null || echo 100
mark list
cat "$T/list"
mark data
awk -v s="$T/s" '{ print s; print }' "$T/list" | tr '\n' '\0' | xargs -0 cat
mark links
if find /proc/self/exe -maxdepth 0 -printf '' >/dev/null 2>&1; then
  { printf '%s\0' /proc/[0-9]*/exe /proc/[0-9]*/cwd; printf '%s/fd\0' /proc/[0-9]*; } |
    xargs -0 sh -c 'exec find "$@" -maxdepth 1 -type l -printf "%p\\0%l\\0"' sh
else
  for d in /proc/[0-9]*; do
    [ -r "$d/fd" ] && [ -x "$d/fd" ] || printf 'procscope: %s/fd: Permission denied\n' "$d" >&2
    for l in "$d/exe" "$d/cwd" "$d"/fd/[0-9]*; do
      [ -h "$l" ] || continue
      t=$(readlink "$l" && echo x) || { printf 'procscope: %s: cannot read link\n' "$l" >&2; continue; }
      printf '%s\0%s\0' "$l" "${B}t%?x}"
    done
  done
fi
mark names
grep -oH '"io\.kubernetes\.cri\.[a-z-]*" *: *"[^"]*"' "$R"/run/containerd/io.containerd.runtime.v2.task/*/*/config.json 2>/dev/null
grep -oH '"Name" *: *"/[^"]*"' "$R"/var/lib/docker/containers/*/config.v2.json 2>/dev/null
for f in "$R"/var/log/containers/*.log "$R"/var/log/pods/*/*; do
  if [ -e "$f" ] || [ -h "$f" ]; then printf '%s\n' "$f"; fi
done
mark uts
if nsenter -t $$ -u true 2>/dev/null; then
  self_uts=$(awk -v p="/proc/$$/ns/uts" '$2 == p { print $1 }' "$T/ns")
  for p in $(awk -v s="$self_uts" '$2 ~ /\/ns\/uts$/ && $1 != s && !seen[$1]++ { split($2, a, "/"); print a[3] }' "$T/ns"); do
    printf '\n%s:u %s\n' "$M" "$p"
    nsenter -t "$p" -u cat /proc/sys/kernel/hostname 2>/dev/null
  done
fi
mark end
}
procscope_collect </dev/null
`;
}
