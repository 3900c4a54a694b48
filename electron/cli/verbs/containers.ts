import { atMostOneTarget, collectOptionsFrom, outputPath, sessionFor, writeStdout } from '../common';
import { HELP_OPTION, OUTPUT_OPTION, READ_HELP, READ_OPTIONS, TARGET_HELP, defineVerb } from '../verb';

export const containersVerb = defineVerb({
  name: 'containers',
  summary: "list the node's containers: id, runtime, pod/name, init pid, pid count",
  usage: `Usage: procscope containers [TARGET | --via COMMAND] [--json] [-o FILE] [SSH options]

Lists TARGET's containers: id, runtime, pod/name, init pid, pid count (--json: the containers as JSON).

${TARGET_HELP}
${READ_HELP}`,
  options: { ...HELP_OPTION, ...READ_OPTIONS, ...OUTPUT_OPTION, json: { type: 'boolean' } },
  async run(positionals, values) {
    atMostOneTarget(positionals);
    const output = outputPath(values);
    const [{ collectSnapshot }, { formatContainerTable }, { writeFileAtomically }] = await Promise.all([import('../../engine/collect'), import('../../../shared/containers/summary'), import('../../fs/atomic-write')]);
    const session = await sessionFor(positionals, values);
    try {
      const snapshot = await collectSnapshot(session, collectOptionsFrom(values));
      const text = values.json ? JSON.stringify(snapshot.containers, null, 2) + '\n' : formatContainerTable(snapshot.containers);
      if (output) writeFileAtomically(output, text);
      else await writeStdout(text);
      return 0;
    } finally {
      session.close();
    }
  },
});
