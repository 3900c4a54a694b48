import { join } from 'node:path';
import { visibleText } from '../../../shared/visible';
import { fleetBounds } from '../common';
import { askApproval } from '../prompt';
import { HELP_OPTION, UsageError, defineVerb } from '../verb';

export const serveVerb = defineVerb({
  name: 'serve',
  summary: 'serve the app to a browser on this machine (loopback only, a one-time key in a file only you read)',
  usage: `Usage: procscope serve [--port N] [--parallel N] [--timeout SEC] [--idle DURATION] [--known-hosts FILE] [-F CONFIG] [--names-root DIR]

Serves the app to a browser on this machine: loopback only. The printed URL works once: the page trades its
token for a session kept in the page's memory (no cookie), and a fresh URL is printed for the next page.

The fleet view asks --parallel nodes at once (16), gives each --timeout seconds (60), and closes a node's
connection once it has been unused for --idle (2m).
`,
  options: {
    ...HELP_OPTION,
    port: { type: 'string', short: 'p' },
    parallel: { type: 'string' },
    timeout: { type: 'string' },
    idle: { type: 'string' },
    'known-hosts': { type: 'string' },
    'ssh-config': { type: 'string', short: 'F' },
    'names-root': { type: 'string' },
  },
  async run(positionals, values) {
    if (positionals.length > 0) throw new UsageError(`serve takes no TARGET; connect from the app`);
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!(Number.isInteger(port) && port >= 0 && port < 65536)) throw new UsageError(`bad port: ${values.port}`);
    const { parallel, timeout } = fleetBounds(values);
    // The server, the service and their dependencies load only for this command.
    const [{ startServer }, { defaultConfigDir }, { parseDuration }, { launchDir, writeLaunchFile }] = await Promise.all([
      import('../../serve/server'),
      import('../../app/stores'),
      import('../../../shared/time/duration'),
      import('../../serve/launch-file'),
    ]);
    const idleSec = values.idle === undefined ? undefined : parseDuration(values.idle);
    if (idleSec === null) throw new UsageError(`bad --idle: ${values.idle} (a duration: 30s, 2m)`);
    const idleMs = idleSec === undefined ? undefined : idleSec * 1000;
    let launch: ReturnType<typeof writeLaunchFile> | null = null;
    const server = await startServer({
      port,
      fleetLimits: { parallel, deadlineMs: timeout * 1000, ...(idleMs ? { idleMs } : {}) },
      staticDir: join(__dirname, '..', '..', '..', 'renderer'),
      configDir: defaultConfigDir(),
      ...(values['known-hosts'] ? { knownHostsFile: values['known-hosts'] } : {}),
      ...(values['ssh-config'] ? { sshConfigPath: values['ssh-config'] } : {}),
      ...(values['names-root'] ? { namesRoot: values['names-root'] } : {}),
      // The page may ask for a command node; the command runs only when the person at this terminal types its code back.
      approveCommand: async (approval) => {
        if (!process.stdin.isTTY) {
          process.stderr.write(`procscope: refused to run ${visibleText(approval.command)} to ${visibleText(approval.purpose)}: no terminal to ask for approval.\n`);
          return false;
        }
        return askApproval(approval);
      },
      onNewUrl: (url) => {
        launch?.update(url);
        process.stdout.write(`procscope: a page opened the app. For another page, open ${launch?.url} again: it now holds a new one-time key.\n`);
      },
    });
    try {
      launch = writeLaunchFile(launchDir(defaultConfigDir()), server.port, server.url);
    } catch (err) {
      await server.close();
      throw err;
    }
    // A bad request must never end the server and every node connection with it: report and stay up.
    process.on('unhandledRejection', (err) => process.stderr.write(`procscope: ${String((err as Error)?.stack ?? err).split('\n').map(visibleText).join('\n')}\n`));
    // The token goes into a file only this user reads, never into a command line another user could read it from.
    process.stdout.write(
      `procscope: serving the app on http://127.0.0.1:${server.port}/\n` +
        `Open ${launch.url} in a browser on this machine: it lets one page in, with a one-time key no other user here can read. Press Ctrl-C to stop.\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    launch.remove();
    await server.close();
    return 0;
  },
});
