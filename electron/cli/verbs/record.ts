import { existsSync, statSync } from 'node:fs';
import { ProcscopeFailure } from '../../../shared/errors';
import { atMostOneTarget, collectOptionsFrom, sessionFor } from '../common';
import { EXIT_FAILURE, HELP_OPTION, OUTPUT_OPTION, READ_HELP, READ_OPTIONS, TARGET_HELP, UsageError, defineVerb } from '../verb';

export const recordVerb = defineVerb({
  name: 'record',
  summary: 'a snapshot every --every (30s) for --for (1h), gzipped into -o DIR, within --max-size (1G)',
  usage: `Usage: procscope record [TARGET | --via COMMAND] -o DIR [--every 30s] [--for 1h] [--max-size 1G] [SSH options]

Takes a full snapshot of TARGET every --every for --for, each written to DIR (made if missing) as
procscope-HOST-TIME.json.gz, whole or not at all. While the recordings in DIR exceed --max-size, the oldest are
removed. Progress and disk use go to standard error; Ctrl-C stops after the snapshot under way. A failed snapshot is
reported and the next tick tries again (on a new connection if the old one dropped). Compare any two with
procscope diff; open one in the app with Open snapshot.

${TARGET_HELP}
${READ_HELP}`,
  options: { ...HELP_OPTION, ...READ_OPTIONS, ...OUTPUT_OPTION, every: { type: 'string' }, for: { type: 'string' }, 'max-size': { type: 'string' } },
  async run(positionals, values) {
    atMostOneTarget(positionals);
    if (!values.output || values.output === '-') throw new UsageError('record needs a directory: -o DIR');
    const [{ parseDuration, parseSize, formatBytes }, { record }, { collectSnapshot }] = await Promise.all([import('../../../shared/time/duration'), import('../record'), import('../../engine/collect')]);
    const everySec = parseDuration(values.every ?? '30s');
    const forSec = parseDuration(values.for ?? '1h');
    const maxBytes = parseSize(values['max-size'] ?? '1G');
    if (everySec === null || everySec < 1) throw new UsageError(`bad --every: ${values.every} (a duration of 1s or more: 30s, 5m)`);
    if (forSec === null) throw new UsageError(`bad --for: ${values.for} (a duration: 2h, 90m)`);
    if (maxBytes === null) throw new UsageError(`bad --max-size: ${values['max-size']} (a size: 500M, 2G)`);
    const dir = values.output;
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ProcscopeFailure({ kind: 'not-found', message: `${dir} is a file; record writes a directory of snapshots.`, hint: 'Give a directory with -o (it is made if missing).' });
    const options = collectOptionsFrom(values);
    const tty = process.stderr.isTTY === true;
    let transientShown = false;
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const result = await record({
      dir,
      everySec,
      forSec,
      maxBytes,
      open: () => sessionFor(positionals, values),
      collect: (session) => collectSnapshot(session, options),
      say: (line, transient) => {
        if (tty && transient) {
          process.stderr.write(`\r\x1b[K procscope: ${line}`);
          transientShown = true;
          return;
        }
        process.stderr.write(`${tty && transientShown ? '\n' : ''}procscope: ${line}\n`);
        transientShown = false;
      },
      stopped,
    });
    process.stderr.write(`${transientShown ? '\n' : ''}procscope: recorded ${result.written} snapshots (${result.failed} failed, ${result.removed} removed to stay within ${formatBytes(maxBytes)}); ${formatBytes(result.bytes)} in ${dir}\n`);
    return result.written > 0 ? 0 : EXIT_FAILURE;
  },
});
