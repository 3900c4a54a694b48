/**
 * The skips of a run, summed up at its end: each "SKIP label: reason" a test printed, once. With
 * PROCSCOPE_REQUIRE_ALL=1 (as .ci/run sets it), a skip for want of a part that can be installed fails the run;
 * a skip marked as a limit of this machine (helpers/skip.ts) does not.
 */
import { MACHINE_LIMIT } from './helpers/skip';

export default class SkipReporter {
  private readonly skips = new Set<string>();

  onUserConsoleLog(log: { content: string }): void {
    for (const line of log.content.split('\n')) if (line.startsWith('SKIP ')) this.skips.add(line.slice(5).trim());
  }

  onTestRunEnd(): void {
    if (this.skips.size === 0) return;
    const limits = [...this.skips].filter((s) => s.endsWith(MACHINE_LIMIT)).sort();
    const wanting = [...this.skips].filter((s) => !s.endsWith(MACHINE_LIMIT)).sort();
    const list = (title: string, items: string[]) => (items.length ? `${title} (${items.length}):\n${items.map((s) => `  - ${s}`).join('\n')}\n` : '');
    process.stderr.write(`\n${list('Skipped for want of a part that can be installed or granted', wanting)}${list('Skipped for a limit of this machine', limits.map((s) => s.slice(0, -MACHINE_LIMIT.length).trim()))}`);
    if (process.env.PROCSCOPE_REQUIRE_ALL === '1' && wanting.length > 0) {
      process.stderr.write(`PROCSCOPE_REQUIRE_ALL=1: ${wanting.length} test parts skipped for want of a part that can be installed; the run fails.\n`);
      process.exitCode = 1;
    }
  }
}
