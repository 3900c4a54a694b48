/**
 * What the collector costs the node, in processes started: counted by running it with a PATH whose every tool is a
 * shim that logs its name, in a pid and mount namespace of the test's own. The count must not grow with the
 * number of network namespaces without a process (one nsenter each, not one per table) nor with the number of
 * containers a runtime keeps state for (one grep per runtime found, none for a runtime that is not there).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectFirstRead, collectSnapshot } from '../electron/engine/collect';
import { FIRST_READ_GROUPS } from '../shared/collect/files';
import { localSession } from '../electron/engine/session';
import { pidsWhereStatus, until } from './helpers/kernel';
import { makeTempDir } from './helpers/sshd';

/** Every tool the collector could start; any other found in PATH runs uncounted, and is caught by review of the script. */
const TOOLS = ['awk', 'cat', 'cut', 'env', 'find', 'getconf', 'grep', 'gzip', 'head', 'hostname', 'ls', 'mktemp', 'nsenter', 'readlink', 'rm', 'sed', 'sh', 'sort', 'ss', 'stat', 'tee', 'tr', 'true', 'uname', 'wc', 'xargs'];

const isRoot = process.getuid?.() === 0;
const why = !isRoot ? 'needs root for namespaces' : spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status !== 0 ? 'unshare --pid --mount-proc fails here' : null;
if (why) console.warn(`SKIP collector cost: ${why}`);

describe.skipIf(why !== null)('the processes the collector starts', () => {
  let holder: ChildProcess;
  let dir: string;
  let init: string;
  let shims: string;
  beforeAll(async () => {
    dir = makeTempDir('cost');
    shims = join(dir, 'shims');
    mkdirSync(shims);
    for (const tool of TOOLS) {
      // The file, not a shell builtin of that name (command -v true says "true").
      const real = (process.env.PATH ?? '').split(':').map((d) => join(d, tool)).find((f) => existsSync(f) && !f.startsWith(shims));
      if (!real) continue;
      writeFileSync(join(shims, tool), `#!/bin/sh\necho ${tool} >> "$PROCSCOPE_COUNT"\nexec ${real} "$@"\n`, { mode: 0o755 });
    }
    // A few sleepers in a pid and mount namespace of their own; its netns files are bind mounts no one else sees.
    holder = spawn('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', 'sleep 600 & sleep 600 & echo ready; wait'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let out = '';
    holder.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    await until(() => out.includes('ready') || 'the namespace is not ready');
    init = pidsWhereStatus((status) => status.match(/^PPid:\s+(\d+)$/m)?.[1] === String(holder.pid))[0]!;
  });
  afterAll(() => {
    if (holder?.pid) process.kill(-holder.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** Network namespaces with no process, bind-mounted in the test's mount namespace. */
  function addOrphanNetns(n: number, from: number): void {
    const script = Array.from({ length: n }, (_, i) => `f=${dir}/netns-${from + i}; : > "$f"; unshare --net="$f" true`).join('\n');
    const r = spawnSync('nsenter', ['-t', init, '-p', '-m', 'sh', '-c', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }

  /** Docker's state for `n` containers under a names root. */
  function fakeDocker(root: string, n: number): void {
    for (let i = 0; i < n; i++) {
      const d = join(root, 'var', 'lib', 'docker', 'containers', i.toString(16).padStart(64, 'a'));
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'config.v2.json'), `{"Name":"/c${i}","Image":"busybox"}`);
    }
  }

  async function count(namesRoot: string, read: typeof collectSnapshot = collectSnapshot): Promise<Map<string, number>> {
    const log = join(dir, `count-${Math.random().toString(36).slice(2)}`);
    writeFileSync(log, '');
    const session = localSession(['nsenter', '-t', init, '-p', '-m', 'env', `PATH=${shims}:${process.env.PATH}`, `PROCSCOPE_COUNT=${log}`, 'sh', '-s']);
    const snap = await read(session, { namesRoot, compress: false });
    expect(snap.processes.filter((p) => p.name === "sleep").length).toBe(2);
    const counts = new Map<string, number>();
    for (const tool of readFileSync(log, 'utf8').split('\n').filter(Boolean)) counts.set(tool, (counts.get(tool) ?? 0) + 1);
    return counts;
  }
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

  it('starts one nsenter per network namespace without a process, and runs four programs for it (nsenter, sh, awk, ss), not one per table', async () => {
    const empty = join(dir, 'no-runtimes');
    mkdirSync(empty);
    addOrphanNetns(1, 0);
    const one = await count(empty);
    addOrphanNetns(5, 1);
    const six = await count(empty);
    console.log(`collector processes: ${total(one)} with 1 orphan netns, ${total(six)} with 6 (${JSON.stringify(Object.fromEntries(six))})`);
    expect((six.get('nsenter') ?? 0) - (one.get('nsenter') ?? 0)).toBe(5);
    // Each shim counts a program run: nsenter execs sh, which forks awk and execs ss (two forks in all).
    expect(total(six) - total(one)).toBe(5 * 4);
    // No cat per table, and no grep for a runtime the node does not have.
    expect(six.get('cat') ?? 0).toBe(one.get('cat') ?? 0);
    expect(six.get('grep') ?? 0).toBe(0);
  });

  it('reads the first read with one head per group of process files, and starts few programs besides', async () => {
    const empty = join(dir, 'no-runtimes-first');
    mkdirSync(empty);
    const first = await count(empty, collectFirstRead);
    console.log(`first read processes: ${total(first)} (${JSON.stringify(Object.fromEntries(first))})`);
    expect(first.get('head')).toBe(FIRST_READ_GROUPS.length);
    expect(first.get('xargs')).toBe(FIRST_READ_GROUPS.length);
    // Per group awk (its list), xargs, sh and head; an awk keeps status's lines and a tee the cgroups; and the shell
    // itself, readlink, mktemp and rm (the temporary directory), getconf twice and awk for btime. Before the groups:
    // 27, with a head and a tee per kind and a find asked before the first read.
    expect(total(first)).toBeLessThanOrEqual(4 * FIRST_READ_GROUPS.length + 2 + 7);
  });

  it("greps a runtime's state once, however many containers it keeps", async () => {
    const few = join(dir, 'docker-2');
    const many = join(dir, 'docker-40');
    fakeDocker(few, 2);
    fakeDocker(many, 40);
    const a = await count(few);
    const b = await count(many);
    expect(a.get('grep')).toBe(1);
    expect(b.get('grep')).toBe(1);
    expect(total(b)).toBe(total(a));
  });
});
