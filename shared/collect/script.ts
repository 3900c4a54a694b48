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

export function buildCollectScript(nonce: string): string {
  if (!/^[0-9a-f]{32}$/.test(nonce)) throw new Error('nonce must be 32 lowercase hex digits');
  const nodeFiles = Object.values(NODE_FILES).join(' ');
  // The body is one function so the shell has read all of it before anything
  // runs that could read stdin.
  return `procscope_collect() {
LC_ALL=C; export LC_ALL
M='${sectionMark(nonce)}'
mark() { printf '\\n%s %s\\n' "$M" "$1"; }
mark begin
printf 'procscope-collect 1\\n'
if [ ! -r /proc/self/stat ]; then mark noproc; uname -s 2>&1; mark end; return 0; fi
T=$(mktemp -d "\${TMPDIR:-/tmp}/procscope.XXXXXX" 2>/dev/null || mktemp -d /dev/shm/procscope.XXXXXX 2>/dev/null)
case $T in ''|*[!A-Za-z0-9/._-]*) mark notmp; mark end; return 0;; esac
trap 'rm -rf "$T"' EXIT
trap 'exit 129' HUP INT TERM
printf '\\n%s:f\\n' "$M" > "$T/s"
mark ns
printf '%s\\0' /proc/[0-9]*/ns/* | xargs -0 stat -L -c '%i %n' > "$T/ns"
cat "$T/ns"
nets=$(awk '$2 ~ /\\/ns\\/net$/ && !seen[$1]++ { sub(/\\/ns\\/net$/, "", $2); print $2 }' "$T/ns")
mnts=$(awk '$2 ~ /\\/ns\\/mnt$/ && !seen[$1]++ { sub(/\\/ns\\/mnt$/, "", $2); print $2 }' "$T/ns")
{
  printf '%s\\n' ${nodeFiles}
  for d in $nets; do printf '%s\\n' ${NET_TABLES.map((t) => `"$d/net/${t}"`).join(' ')}; done
  for d in $mnts; do printf '%s\\n' "$d/mountinfo"; done
  for d in /proc/[0-9]*; do
    printf '%s\\n' ${PER_PID_FILES.map((f) => `"$d/${f}"`).join(' ')} "$d"/task/*/children
  done
} > "$T/list"
mark self
echo $$
mark clk
getconf CLK_TCK 2>/dev/null || echo 100
mark list
cat "$T/list"
mark data
awk -v s="$T/s" '{ print s; print }' "$T/list" | xargs cat
mark links
if find /proc/self/exe -maxdepth 0 -printf '' >/dev/null 2>&1; then
  { printf '%s\\0' /proc/[0-9]*/exe /proc/[0-9]*/cwd; printf '%s/fd\\0' /proc/[0-9]*; } |
    xargs -0 sh -c 'exec find "$@" -maxdepth 1 -type l -printf "%p\\\\0%l\\\\0"' sh
else
  for d in /proc/[0-9]*; do
    [ -r "$d/fd" ] && [ -x "$d/fd" ] || printf 'procscope: %s/fd: Permission denied\\n' "$d" >&2
    for l in "$d/exe" "$d/cwd" "$d"/fd/[0-9]*; do
      [ -h "$l" ] || continue
      t=$(readlink "$l" && echo x) || { printf 'procscope: %s: cannot read link\\n' "$l" >&2; continue; }
      printf '%s\\0%s\\0' "$l" "\${t%?x}"
    done
  done
fi
mark end
}
procscope_collect </dev/null
`;
}
