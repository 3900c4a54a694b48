/**
 * How a test says it skipped, for the summary at the end of the run (test/skip-reporter.ts). A skip is for want of
 * a part that can be installed (a package, root, a daemon: PROCSCOPE_REQUIRE_ALL=1 turns it into a failure) unless
 * it ends with MACHINE_LIMIT: a part no install gives this machine (a download, a kernel's cgroup layout).
 */
export const MACHINE_LIMIT = '[a limit of this machine]';

/** Says why a test part skips, and that no install here would give it that part. */
export function skipForMachine(label: string, why: string): void {
  console.warn(`SKIP ${label}: ${why} ${MACHINE_LIMIT}`);
}
