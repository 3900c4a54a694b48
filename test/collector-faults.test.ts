/**
 * The collector where the node makes it hard: 20,000 known pids, a shell killed mid-run, a full temporary
 * directory, a pid namespace before its first child; and the parse worker (built) with two nodes at once.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { untilArgv } from './helpers/kernel';
import { buildCollectScript } from '../shared/collect/script';
import { ProcscopeFailure } from '../shared/errors';
import type { Snapshot, SnapshotProcess } from '../shared/snapshot/types';
import { applyDelta } from '../shared/snapshot/refresh';
import { collectSnapshot, refreshSnapshot, runCollector } from '../electron/engine/collect';
import { type NodeSession, localSession } from '../electron/engine/session';
import { gzipSync } from 'node:zlib';
import { makeTempDir } from './helpers/sshd';
import { skipForMachine } from './helpers/skip';

const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const f of cleanups.reverse()) f();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isRoot = process.getuid?.() === 0;

function withTmpdir(dir: string) {
  return localSession(['env', `TMPDIR=${dir}`, '/bin/sh', '-s']);
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.startsWith('procscope'));
}

describe('the collector on a busy node', () => {
  it('refreshes with 20,000 known pids (more than a command line holds) and still finds new processes', async () => {
    const session = localSession();
    const first = await collectSnapshot(session);
    const template = first.processes[0]!;
    const ghosts: SnapshotProcess[] = Array.from({ length: 20_000 }, (_, i) => ({ ...template, pid: 3_000_000 + i }));
    const prev: Snapshot = { ...first, processes: [...first.processes, ...ghosts] };
    const fresh = spawn('sleep', ['599'], { stdio: 'ignore' });
    children.push(fresh);
    await untilArgv(fresh.pid, (argv) => argv[0] === 'sleep');
    const delta = await refreshSnapshot(session, prev);
    expect(delta.errors.filter((e) => /Argument list too long/.test(e.message))).toEqual([]);
    expect(delta.added.map((p) => p.pid)).toContain(fresh.pid);
    expect(delta.removed.length).toBeGreaterThanOrEqual(20_000);
  });
});

describe('a refresh whose stat reads fail partway (a process reaped between open and read)', () => {
  function wrapped(name: string, lines: string[]): { session: NodeSession; dir: string } {
    const real = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    const dir = makeTempDir(`${name}-once`);
    writeFileSync(join(dir, name), ['#!/bin/sh', ...lines.map((l) => l.replaceAll('REAL', real).replaceAll('DIR', dir)), `exec '${real}' "$@"`].join('\n') + '\n', { mode: 0o755 });
    return { session: localSession(['env', `PATH=${dir}:${process.env.PATH}`, '/bin/sh', '-s']), dir };
  }

  it('reads every stat after the one that failed: every live process is still there', async () => {
    // The first head of the compact stats reads half its files, says what GNU head says of a reaped
    // process's file, and reads the rest.
    const { session, dir } = wrapped('head', [
      `case "$*" in *'-c 4096'*) if [ ! -e 'DIR/failed' ]; then`,
      `  : > 'DIR/failed'; n=$(( ($# - 3) / 2 ))`,
      `  a=; i=0; for f; do i=$((i + 1)); [ $i -le $((n + 3)) ] && a="$a $f"; done`,
      `  'REAL' $a; echo "head: error reading '/proc/999999/stat': No such process" >&2`,
      `  shift $((n + 3)); exec 'REAL' -v -c 4096 "$@"`,
      'fi;; esac',
    ]);
    const first = await collectSnapshot(localSession());
    const delta = await refreshSnapshot(session, first);
    expect(existsSync(join(dir, 'failed'))).toBe(true);
    const alive = first.processes.filter((p) => existsSync(`/proc/${p.pid}`) && !p.collector).map((p) => p.pid);
    expect(alive.length).toBeGreaterThan(10);
    expect(alive.filter((pid) => delta.removed.includes(pid))).toEqual([]);
    const kept = new Set(applyDelta(first, delta).processes.map((p) => p.pid));
    expect(alive.filter((pid) => !kept.has(pid))).toEqual([]);
  });

  it('changes nothing when the stat list is cut short (its reader died): it cannot tell who exited', async () => {
    // Every run of the compact-stat program reads 30 lines, then dies as mawk does on a read error.
    const { session } = wrapped('awk', [`case "$*" in *'s[22]'*) head -n 30 | 'REAL' "$@" | sed '$d'; echo 'awk: read error (No such process)' >&2; exit 2;; esac`]);
    const first = await collectSnapshot(localSession());
    await expect(refreshSnapshot(session, first)).rejects.toThrow(/stopped before its end/);
  });
});

describe('the collector leaves nothing behind', () => {
  async function killMidRun(signal: NodeJS.Signals): Promise<string> {
    const dir = makeTempDir('procscope-tmp-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const script = buildCollectScript(randomBytes(16).toString('hex'));
    // Its own process group, so the signal reaches the shell and everything it runs, as a dropped session would.
    const sh = spawn('/bin/sh', ['-s'], { env: { ...process.env, TMPDIR: dir }, stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    children.push(sh);
    sh.stdout!.resume();
    // Held before it collects, so the run is surely in progress when the signal comes.
    const held = script.replace('\nmaketmp\n', '\nmaketmp\nsleep 30\n');
    expect(held).not.toBe(script);
    sh.stdin!.end(held);
    for (let i = 0; i < 100 && leftovers(dir).length === 0; i++) await sleep(50);
    expect(leftovers(dir).length, 'the reply directory exists while it runs').toBe(1);
    process.kill(-sh.pid!, signal);
    await new Promise((r) => sh.once('close', r));
    return dir;
  }

  it('removes its reply directory when its shell is terminated', async () => {
    const dir = await killMidRun('SIGTERM');
    for (let i = 0; i < 40 && leftovers(dir).length > 0; i++) await sleep(50);
    expect(leftovers(dir)).toEqual([]);
  });

  it('removes the directory of a shell that was killed outright on its next run', async () => {
    const dir = await killMidRun('SIGKILL');
    expect(leftovers(dir).length).toBe(1);
    const snap = await collectSnapshot(withTmpdir(dir));
    expect(snap.processes.length).toBeGreaterThan(1);
    expect(leftovers(dir)).toEqual([]);
  });

  it('says the temporary directory is full, naming it, instead of blaming the connection', async () => {
    if (!isRoot) return console.warn('SKIP full tmp: mounting a small tmpfs needs root');
    const dir = makeTempDir('procscope-full-');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    if (mounted.status !== 0) return skipForMachine('full tmp', `cannot mount tmpfs: ${mounted.stderr}`);
    cleanups.push(() => {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    });
    // Full but for a page or two, whatever the number of processes the lists name.
    writeFileSync(join(dir, 'filler'), Buffer.alloc(56 * 1024));
    const err = await collectSnapshot(withTmpdir(dir)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProcscopeFailure);
    expect((err as ProcscopeFailure).error.message).toContain(`${dir} on local is full`);
    expect((err as ProcscopeFailure).error.hint).toMatch(/Free space/);
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('a node that answers with a gzip bomb', () => {
  it('stops inflating at the bound and says so, without taking the memory', async () => {
    // 24 gzip members of 64 MB of zeros each: 1.5 GB inflated from about 1.5 MB.
    const member = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 24 }, () => member));
    const node: NodeSession = {
      target: 'bomb@node:22',
      runScript: async (script) => {
        const M = /M='(@@PSC[0-9a-f]{32})'/.exec(script)![1]!;
        return { stdout: Buffer.concat([Buffer.from(`\n${M} gzip\n`), bomb, Buffer.from(`\n${M} done\n`)]), stderr: '', code: 0 };
      },
      isOpen: () => true,
      close() {},
    };
    const before = process.memoryUsage().rss;
    const err = await collectSnapshot(node).then(() => null, (e: unknown) => e);
    expect((err as ProcscopeFailure).error.message).toMatch(/inflates to more than 512 MB, the most procscope accepts/);
    console.log(`gzip bomb of ${bomb.length} bytes: refused; RSS grew ${Math.round((process.memoryUsage().rss - before) / 1e6)} MB`);
  });
});

describe('a pid namespace before its first child', () => {
  it('is not an error that pid_for_children is missing', async () => {
    if (!isRoot) return console.warn('SKIP unshare --pid: needs root');
    const holder = spawn('unshare', ['--pid', 'sleep', '600'], { stdio: 'ignore' });
    children.push(holder);
    await untilArgv(holder.pid, (argv) => argv[0] === 'sleep');
    // unshare without --fork execs sleep in its own pid: a process whose pid_for_children has no init yet
    const pid = holder.pid!;
    const snap = await collectSnapshot(localSession());
    const proc = snap.processes.find((p) => p.pid === pid);
    expect(proc, `unshare'd sleep ${pid}`).toBeDefined();
    expect(spawnSync('readlink', [`/proc/${pid}/ns/pid_for_children`]).status, 'the kernel has no target for it').not.toBe(0);
    expect(proc!.namespaces.pid).toBeDefined();
    expect(snap.errors.filter((e) => e.scope.startsWith(`pid ${pid}`))).toEqual([]);
  });
});

describe('the parse worker, built, with two nodes at once', () => {
  const built = join(__dirname, '..', 'dist', 'electron', 'engine', 'parse-worker.js');
  if (!existsSync(built)) console.warn('SKIP the built parse worker: dist/ is not built (npm test builds first)');
  it.skipIf(!existsSync(built))('gives each node its own snapshot', async () => {
    const { assembleOffThread } = require(built) as typeof import('../electron/engine/parse-worker');
    const session = localSession();
    const runA = await runCollector(session, {});
    const runB = await runCollector(session, {});
    const parse = (run: typeof runA, target: string) => assembleOffThread({ stdout: run.reply.stdout, stderr: run.reply.stderr, nonce: run.nonce }, undefined, { target, collectedAt: run.collectedAt });
    const results = await Promise.all([parse(runA, 'node-a'), parse(runB, 'node-b'), parse(runA, 'node-c')]);
    expect(results.map((s) => s.node.target)).toEqual(['node-a', 'node-b', 'node-c']);
    expect(results[0]!.node.collectorPid).not.toBe(results[1]!.node.collectorPid);
    expect(results[2]!.node.collectorPid).toBe(results[0]!.node.collectorPid);
  });

  it.skipIf(!existsSync(built))('parses a reply streamed to it as it came, plain or gzipped, into the snapshot the whole reply gives', async () => {
    const { assembleOffThread, streamParse } = require(built) as typeof import('../electron/engine/parse-worker');
    for (const compress of [false, true]) {
      let stream: ReturnType<typeof streamParse> | undefined;
      const run = await runCollector(localSession(), { compress }, { onChunk: (c) => stream?.push(c) }, (nonce) => (stream = streamParse(nonce)));
      const reply = { stdout: run.reply.stdout, stderr: run.reply.stderr, nonce: run.nonce };
      const meta = { target: 'streamed', collectedAt: run.collectedAt };
      const [whole, streamed] = await Promise.all([assembleOffThread(reply, undefined, meta), assembleOffThread(reply, undefined, meta, false, stream)]);
      stream!.drop();
      expect(streamed.processes.length, `gzip ${compress}`).toBeGreaterThan(0);
      expect(streamed, `gzip ${compress}`).toEqual(whole);
    }
  });

  it.skipIf(!existsSync(built))('hands back the files of a section it could not prove, to be read again', async () => {
    const { assembleOffThread } = require(built) as typeof import('../electron/engine/parse-worker');
    const run = await runCollector(localSession(), {});
    // One header too many in the cmdline section, as an argv could forge it.
    const mark = `\n@@PSC${run.nonce} h cmdline\n`;
    const forged = Buffer.from(run.reply.stdout.toString('latin1').replace(mark, `${mark}\n==> /proc/1/cmdline <==\n`), 'latin1');
    const err = await assembleOffThread({ stdout: forged, stderr: run.reply.stderr, nonce: run.nonce }, undefined, { target: 'forged', collectedAt: run.collectedAt }).then(
      () => null,
      (e: unknown) => e as Error & { paths?: string[] },
    );
    expect(err?.name).toBe('UnprovenFraming');
    expect(err?.paths).toContain(`/proc/${process.pid}/cmdline`);
    expect(err?.paths?.every((p) => p.endsWith('/cmdline'))).toBe(true);
  });
});
if (!existsSync(join(__dirname, '..', 'dist', 'electron', 'engine', 'parse-worker.js'))) console.warn('SKIP parse worker test: dist/ is not built (npm test builds first)');

describe('a login that cannot read everything', () => {
  it("says whose namespaces it could not read, and marks the view partial, suggesting --sudo", async () => {
    if (!isRoot || spawnSync('setpriv', ['--version']).status !== 0) return console.warn('SKIP partial view: needs root and setpriv to become nobody');
    const asNobody = localSession(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '/bin/sh', '-s']);
    const snap = await collectSnapshot(asNobody);
    const init = snap.processes.find((p) => p.pid === 1)!;
    expect(init.namespacesError).toMatch(/Permission denied/);
    expect(snap.errors.some((e) => e.scope === 'pid 1 ns' && /net/.test(e.message))).toBe(true);
    expect(snap.node.partial?.namespacesUnreadable).toBeGreaterThan(0);
    expect(snap.node.partial?.hint).toMatch(/--sudo/);
    // What nobody can see of its own processes is still there in full.
    const own = snap.processes.find((p) => p.collector && p.uid === 65534);
    expect(own?.namespaces.net).toBeDefined();
  });
});
