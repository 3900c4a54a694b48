/** procscope signal and renice: what each pid is now, a question, the action where the pid is still that process. */
import { sessionFor } from '../common';
import { askYesNo } from '../prompt';
import { HELP_OPTION, NODE_HELP, NODE_OPTIONS, TARGET_HELP, type Values, defineVerb } from '../verb';

const options = { ...HELP_OPTION, ...NODE_OPTIONS, yes: { type: 'boolean', short: 'y' } } as const;

async function act(command: 'signal' | 'renice', positionals: string[], values: Values<typeof options>): Promise<number> {
  const [{ parseActArgs, runAct }, { actOnProcesses, lookAtProcess }, { logActions }, { defaultConfigDir }] = await Promise.all([
    import('../act'),
    import('../../engine/act'),
    import('../../app/action-log'),
    import('../../app/stores'),
  ]);
  const args = parseActArgs(command, positionals);
  const session = await sessionFor(args.target === undefined ? [] : [args.target], values);
  const sudo = values.sudo ?? false;
  try {
    return await runAct(session, args, values.yes ?? false, {
      look: (s, pid) => lookAtProcess(s, pid, { sudo }),
      act: (s, targets, action) => actOnProcesses(s, targets, action, { sudo }),
      confirm: process.stdin.isTTY ? (question) => askYesNo(`procscope: ${question}`) : null,
      say: (line) => process.stderr.write(`procscope: ${line}\n`),
      log: (results) => logActions(defaultConfigDir(), session.target, args.action, results, { sudo, by: 'cli' }),
    });
  } finally {
    session.close();
  }
}

export const signalVerb = defineVerb({
  name: 'signal',
  summary: 'send TERM, INT, HUP, KILL, STOP, CONT, USR1 or USR2 to pids still the process seen; asks first',
  usage: `Usage: procscope signal [TARGET | --via COMMAND] PID[@START]... SIGNAL [--yes] [--sudo] [SSH options]

Sends SIGNAL (TERM, INT, HUP, KILL, STOP, CONT, USR1, USR2) to each PID on the node. Each process is shown as it
is now (name, user, start time, command line) and the signal goes only after you say yes (--yes: without asking).
The node sends it only while /proc/PID/stat's start time is still the one shown, or START when given (the startTicks
of a snapshot): a pid that has become another process gets nothing ("pid 4242 is now another process").
--sudo acts as root (sudo -n). Every action is appended to ~/.config/procscope/actions.log.
Exit status 0 when every process got the signal, 1 otherwise.

${TARGET_HELP}
${NODE_HELP}`,
  options,
  run: (positionals, values) => act('signal', positionals, values),
});

export const reniceVerb = defineVerb({
  name: 'renice',
  summary: 'set the nice value (-20 to 19) of pids still the process seen; asks first',
  usage: `Usage: procscope renice [TARGET | --via COMMAND] PID[@START]... N [--yes] [--sudo] [SSH options]

Sets the nice value of each PID to N (-20 to 19; lowering it needs root: --sudo), with the same checks, question
and log as procscope signal.

${TARGET_HELP}
${NODE_HELP}`,
  options,
  run: (positionals, values) => act('renice', positionals, values),
});
