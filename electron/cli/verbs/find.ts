import { queryJson } from '../../../shared/fleet/query-text';
import { visibleText } from '../../../shared/visible';
import { fleetArgs, fleetBounds, fleetOpenOptions, fleetQueryFrom, reportLeftOut, writeStdout } from '../common';
import { EXIT_FAILURE, HELP_OPTION, LOGIN_OPTIONS, defineVerb } from '../verb';

export const findVerb = defineVerb({
  name: 'find',
  summary: 'ask every node, 16 at a time, which processes hold a port, run a name, an exe, a container...',
  usage: `Usage: procscope find [--inventory SRC | TARGET...] QUESTION... [--parallel N] [--timeout SEC] [--json]
                      [--sudo] [-l USER] [-i KEY]... [-J HOSTS] [-F CONFIG] [--ssh-option K=V]... [--known-hosts FILE]
                      [--accept-new] [--no-agent]

Asks every node, N at a time (--parallel, 16), each within SEC seconds (--timeout, 60), which processes match
all of the QUESTIONs:
  --port N              holds a TCP/UDP socket on port N, listening or connected, in any network namespace
  --name RE             its name (comm) matches the regular expression
  --cmdline RE          its command line matches
  --exe PATH            runs that binary (also when it was deleted since)
  --container ID|NAME   is in the container with that id prefix or name
  --pod UID|NAME        is in that Kubernetes pod (UID, name or namespace/name)
  --user NAME|UID       runs as that user
Prints a row per match as nodes answer (node, pid, user, process, container and pod, what matched), then each
node that failed with its reason. Exit status 0 when every node answered, 1 when some did not, 2 for a usage error.
`,
  options: {
    ...HELP_OPTION,
    ...LOGIN_OPTIONS,
    inventory: { type: 'string' },
    parallel: { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
    sudo: { type: 'boolean' },
    port: { type: 'string', short: 'p' },
    name: { type: 'string' },
    cmdline: { type: 'string' },
    exe: { type: 'string' },
    container: { type: 'string' },
    pod: { type: 'string' },
    user: { type: 'string' },
  },
  async run(positionals, values) {
    const { fleetNodes, findInFleet, matchLine } = await import('../fleet');
    const query = fleetQueryFrom(values);
    const { parallel, timeout } = fleetBounds(values);
    const inv = await fleetNodes(fleetArgs(values, positionals));
    reportLeftOut(inv);
    const tty = process.stderr.isTTY === true && !values.json;
    const result = await findInFleet(inv, {
      query,
      parallel,
      deadlineMs: timeout * 1000,
      openOptions: fleetOpenOptions(values, timeout),
      sudo: values.sudo ?? false,
      onMatch: values.json ? undefined : (node, m) => process.stdout.write(`${tty ? '\r\x1b[K' : ''}${matchLine(node, m)}\n`),
      onProgress: tty ? (done, failed, total) => process.stderr.write(`\r\x1b[Kprocscope: ${done}/${total} nodes answered or failed (${failed} failed)`) : undefined,
    });
    if (tty) process.stderr.write('\r\x1b[K');
    if (values.json) await writeStdout(JSON.stringify({ query: queryJson(query), nodes: inv.nodes.length, ...result }, null, 2) + '\n');
    for (const f of result.failed) process.stderr.write(`procscope: ${visibleText(f.node)} (${visibleText(f.destination)}) failed: ${visibleText(f.error.message)}${f.error.hint ? ` ${visibleText(f.error.hint)}` : ''}\n`);
    process.stderr.write(`procscope: ${result.matches.length} matches on ${new Set(result.matches.map((m) => m.node)).size} of ${result.answered} nodes that answered; ${result.failed.length} of ${inv.nodes.length} failed\n`);
    return result.failed.length === 0 ? 0 : EXIT_FAILURE;
  },
});
