/**
 * The built CLI as scripts use it: a slow or closed pipe, an -o path that cannot be written, a node whose
 * text would drive the terminal, passphrases asked again, and usage messages of our own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from '../electron/engine/open';
import { CLI, runCli } from './helpers/cli';
import { type KeyPair, type Sshd, generateKey, makeTempDir, sshdUnavailable, startSshd } from './helpers/sshd';
import { skipForMachine } from './helpers/skip';

const sh = (script: string) => spawnSync('/bin/sh', ['-c', script], { env: { ...process.env, CLI, NODE: process.execPath }, encoding: 'utf8', timeout: 60_000 });

describe('procscope in a pipeline', () => {
  it('writes the whole snapshot to a reader slower than the writer', () => {
    const dir = makeTempDir('pipe');
    const r = sh(`"$NODE" "$CLI" snapshot --pretty 2>"${dir}/err" | (sleep 1; cat) > "${dir}/out"; echo "$?"`);
    const text = readFileSync(join(dir, 'out'), 'utf8');
    expect(text.length).toBeGreaterThan(65536);
    expect(JSON.parse(text).format).toBe('procscope.snapshot/v1');
    expect(readFileSync(join(dir, 'err'), 'utf8')).not.toMatch(/EPIPE|Unhandled|system error/);
    expect(r.stdout.trim()).toBe('0');
  });

  it('ends quietly when the reader goes away (| head)', () => {
    const dir = makeTempDir('head');
    // The writer's status, as the shell has no pipefail: written by the writer's own subshell.
    const piped = sh(`{ "$NODE" "$CLI" snapshot 2>"${dir}/err"; echo $? > "${dir}/code"; } | head -c 10 >/dev/null`);
    expect(piped.status).toBe(0);
    const code = readFileSync(join(dir, 'code'), 'utf8').trim();
    const stderr = readFileSync(join(dir, 'err'), 'utf8');
    expect(stderr).not.toMatch(/EPIPE|Unhandled|system error/);
    expect(code).toBe('0');
  });
});

describe('procscope -o', () => {
  it('says before collecting that the directory does not exist, and what to do', async () => {
    const r = await runCli(['snapshot', '-o', '/nonexistent-procscope/dir/snap.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot write \/nonexistent-procscope\/dir\/snap\.json: the directory \/nonexistent-procscope\/dir does not exist/);
    expect(r.stderr).toMatch(/mkdir -p/);
    expect(r.stderr).not.toMatch(/processes,/);
  });

  it('never leaves half a file where the snapshot goes', async () => {
    const dir = makeTempDir('out');
    const path = join(dir, 'snap.json');
    writeFileSync(path, 'previous');
    const r = await runCli(['snapshot', '-o', path]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(path, 'utf8')).format).toBe('procscope.snapshot/v1');
    expect(spawnSync('ls', ['-A', dir]).stdout.toString().trim()).toBe('snap.json');
  });
});

describe('usage', () => {
  it('answers an unknown option with one line of its own and the usage', async () => {
    const r = await runCli(['snapshot', '--bogus']);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('procscope: unknown option --bogus');
    expect(r.stderr).toMatch(/^Usage: procscope snapshot /m);
    expect(r.stderr).not.toMatch(/positional argument|ERR_PARSE/);
  });

  it('refuses an option the verb does not take, naming the verbs that do', async () => {
    const r = await runCli(['diff', 'a.json', 'b.json', '--sudo', '--every', '3s']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^procscope: unknown option --sudo for diff \(.*take it\)$/);
    expect(r.stderr).toMatch(/^Usage: procscope diff /m);
  });

  it.each([
    [['snapshto'], 'procscope: unknown verb: snapshto (did you mean snapshot?)'],
    [['record', '-o', '/nonexistent-procscope', '--evry', '3s'], 'procscope: unknown option --evry (did you mean --every?)'],
  ])('says what was meant: %j', async (args, line) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(line);
  });

  it('keeps the top-level help short: the verbs, each on a line, and where to read more', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const verb of ['snapshot', 'ps', 'containers', 'record', 'diff', 'nodes', 'find', 'signal', 'renice', 'resolve', 'serve']) expect(r.stdout).toMatch(new RegExp(`^  ${verb} +\\S`, 'm'));
    expect(r.stdout.split('\n').length).toBeLessThan(25);
    expect((await runCli(['help', 'diff'])).stdout).toMatch(/^Usage: procscope diff /);
  });

  it('gives the subcommand help for "procscope snapshot --help"', async () => {
    const r = await runCli(['snapshot', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: procscope snapshot /);
  });
});

const skipSsh = sshdUnavailable();
if (skipSsh) console.warn(`SKIP CLI over SSH: ${skipSsh}`);

describe.skipIf(skipSsh !== null)('procscope and a node that answers with terminal escapes', () => {
  let sshd: Sshd;
  let dir: string;
  let hostile: KeyPair;
  let locked: KeyPair;
  beforeAll(async () => {
    dir = makeTempDir('cli-ssh');
    sshd = await startSshd();
    hostile = generateKey(dir, 'hostile');
    locked = generateKey(dir, 'locked', { passphrase: 'right one' });
    // The login "shell" prints an OSC title sequence and a screen clear on stderr instead of running the collector.
    sshd.authorize('root', `command="printf '\\033]0;pwned\\007\\033[2J' >&2; exit 3" ${hostile.publicLine}`);
    sshd.authorize('root', locked.publicLine);
    writeFileSync(join(dir, 'known_hosts'), `${sshd.knownHostsLine()}\n`);
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it("escapes the node's text before it reaches the terminal", async () => {
    const r = await runCli(['snapshot', `root@127.0.0.1:${sshd.port}`, '-i', hostile.privatePath, '--known-hosts', join(dir, 'known_hosts'), '--no-agent']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\x1b/);
    expect(r.stderr).toContain('\\e]0;pwned\\x07\\e[2J');
  });

  it('asks for a wrong passphrase again, three times in all, as ssh does', async () => {
    const asked: (boolean | undefined)[] = [];
    const answers = ['wrong', 'still wrong', 'right one'];
    const session = await openSession(`root@127.0.0.1:${sshd.port}`, {
      identityFiles: [locked.privatePath],
      knownHostsFile: join(dir, 'known_hosts'),
      agentSocket: null,
      askSecret: async (req) => {
        asked.push(req.retry);
        return answers.shift() ?? null;
      },
    });
    session.close();
    expect(asked).toEqual([undefined, true, true]);
  });

  it('names PROCSCOPE_PASSPHRASE when the passphrase it was given is wrong', async () => {
    const r = await runCli(['snapshot', `root@127.0.0.1:${sshd.port}`, '-i', locked.privatePath, '--known-hosts', join(dir, 'known_hosts'), '--no-agent'], { PROCSCOPE_PASSPHRASE: 'nope' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wrong passphrase/);
    expect(r.stderr).toMatch(/PROCSCOPE_PASSPHRASE/);
    expect(r.stderr).not.toMatch(/PROCSCOPE_PASSWORD/);
  });
});

describe('npm start where Electron cannot be fetched', () => {
  const root = join(__dirname, '..');
  const electronDir = join(root, 'node_modules', 'electron');
  const pathFile = join(electronDir, 'path.txt');
  const installed = existsSync(pathFile) && existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()));
  if (installed) skipForMachine('the npm start message', 'the Electron binary is installed here, so it would open the app');

  it.skipIf(installed)('says in one line why, and how to use the browser mode instead', () => {
    // A mirror that refuses at once: the download fails the same way with or without internet access.
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'start.js')], { env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/' }, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^procscope: Electron's binary could not be fetched \(.+\); the same app runs in a browser: npx procscope serve$/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
