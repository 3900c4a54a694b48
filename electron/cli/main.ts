/** The procscope command line: `procscope VERB [TARGET] [options]`. Each verb is a module of verbs/; this dispatches. */
import { parseArgs } from 'node:util';
import { type ProcscopeError, formatError, toProcscopeError } from '../../shared/errors';
import { visibleText } from '../../shared/visible';
import { nearest } from '../../shared/words';
import { EXIT_FAILURE, EXIT_USAGE, UsageError, type Verb } from './verb';
import { VERBS } from './verbs';

const HELP = `procscope: look inside a Linux node over SSH.

Usage: procscope VERB [TARGET] [options]

${VERBS.map((v) => `  ${v.name.padEnd(11)} ${v.summary}`).join('\n')}

TARGET is "local" (this machine, the default), an SSH destination [user@]host[:port] or an ~/.ssh/config alias,
or --via COMMAND (any command that gives a POSIX shell, as 'ssh -T web-1 sh' or 'docker exec -i CTR sh').
'procscope VERB --help' gives a verb's options; the README says more.
Exit status 0, 1 when the node or the file could not be read (the message says why and what to do), 2 for a usage error.
`;

const byName = new Map(VERBS.map((v) => [v.name, v]));

/** The verb's usage, first paragraph. */
function usageLine(verb: Verb | undefined): string {
  return verb ? verb.usage.split('\n\n')[0]! : 'Usage: procscope VERB [TARGET] [options]';
}

/** One line of our own for a command line's mistake, the usage, and where to read more. */
function usageMessage(what: string, verb: Verb | undefined): string {
  return `procscope: ${what}\n${usageLine(verb)}\nTry 'procscope ${verb ? `${verb.name} ` : ''}--help'.\n`;
}

/** "unknown option --evry (did you mean --every?)"; or the verbs that do take it. */
function unknownOption(option: string, verb: Verb): string {
  const name = option.replace(/^-+/, '').replace(/=.*$/, '');
  const guess = option.startsWith('--') ? nearest(name, Object.keys(verb.options)) : null;
  if (guess) return `unknown option ${option} (did you mean --${guess}?)`;
  const others = VERBS.filter((v) => v !== verb && (option.startsWith('--') ? Object.hasOwn(v.options, name) : Object.values(v.options).some((o) => o.short === name))).map((v) => v.name);
  const named = others.length > 3 ? `${others.slice(0, 3).join(', ')} and ${others.length - 3} more` : others.join(', ');
  return `unknown option ${option}${others.length ? ` for ${verb.name} (${named} ${others.length === 1 ? 'takes' : 'take'} it)` : ''}`;
}

/** `renice web-1 4242 -5`: a negative nice value is the command's last word, not an option. */
function withNegativeNice(args: string[]): string[] {
  if (args.includes('--')) return args;
  const negative = args.filter((a) => /^-\d+$/.test(a));
  return negative.length ? [...args.filter((a) => !/^-\d+$/.test(a)), '--', ...negative] : args;
}

export async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === '--help' || first === '-h') {
    process.stdout.write(HELP);
    return first === undefined ? EXIT_USAGE : 0;
  }
  if (first === '--version' || first === '-V') {
    // The package's own file, read at run time: an import would copy it into dist/.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    process.stdout.write(`procscope ${require('../../../package.json').version}\n`);
    return 0;
  }
  if (first === 'help') {
    const verb = argv[1] === undefined ? undefined : byName.get(argv[1]);
    if (argv[1] !== undefined && !verb) return unknownVerb(argv[1]);
    process.stdout.write(verb ? verb.usage : HELP);
    return 0;
  }
  // The verb comes first; one written after an option (procscope --sudo snapshot) is taken where it stands.
  const at = first.startsWith('-') ? argv.findIndex((a) => byName.has(a)) : 0;
  if (at < 0) {
    process.stderr.write(usageMessage(`no verb: give one of ${VERBS.map((v) => v.name).join(', ')} first`, undefined));
    return EXIT_USAGE;
  }
  const verb = byName.get(argv[at]!);
  if (!verb) return unknownVerb(argv[at]!);
  const args = argv.filter((_, i) => i !== at);
  let parsed;
  try {
    parsed = parseArgs({ args: verb === byName.get('renice') ? withNegativeNice(args) : args, options: verb.options, allowPositionals: true, strict: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    const option = /'(-[^']*)'/.exec(e.message)?.[1];
    const what =
      e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option ? unknownOption(option, verb)
      : e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option ? `option ${option} needs a value`
      : e.message.split('\n')[0]!;
    process.stderr.write(usageMessage(what, verb));
    return EXIT_USAGE;
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(verb.usage);
    return 0;
  }
  try {
    return await verb.run(parsed.positionals, parsed.values);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(usageMessage(err.message, verb));
      return EXIT_USAGE;
    }
    const error: ProcscopeError = toProcscopeError(err);
    // Messages carry text from the node (its stderr, names): nothing in them may drive the terminal.
    process.stderr.write(`procscope: ${formatError(error).split('\n').map(visibleText).join('\n')}\n`);
    return EXIT_FAILURE;
  }
}

function unknownVerb(word: string): number {
  const guess = nearest(word, VERBS.map((v) => v.name));
  process.stderr.write(usageMessage(`unknown verb: ${visibleText(word)}${guess ? ` (did you mean ${guess}?)` : ''}`, undefined));
  return EXIT_USAGE;
}
