/** procscope record, as users run it (the built CLI): writes gzipped snapshots, keeps within its bound, reopens. */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { record, recordingName } from '../electron/cli/record';
import type { NodeSession } from '../electron/engine/session';
import type { Snapshot } from '../shared/snapshot/types';
import { runCli } from './helpers/cli';
import { schemaErrors } from './helpers/schema';
import { makeTempDir } from './helpers/sshd';
import { type Scene, sceneUnavailable, startScene } from './helpers/scene';
import { AS_NOBODY, nobodyUnavailable } from './helpers/nobody';

describe('procscope record', () => {
  let dir: string;
  /** A scene of its own to record (helpers/scene.ts), where root may make one: its ticks then take what the scene takes to read, not the whole machine. */
  let scene: Scene | null = null;
  beforeAll(async () => {
    dir = makeTempDir('record');
    if (sceneUnavailable() === null) scene = await startScene();
  });
  afterAll(() => {
    scene?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a gzipped snapshot per tick, removes the oldest beyond --max-size, and the rest open and diff', async () => {
    const out = join(dir, 'rec');
    // One snapshot of this machine, gzipped: the bound is set to hold about two of them.
    const via = scene ? ['--via', `nsenter -t ${scene.init} -p -m sh`] : [];
    const probe = await runCli(['record', ...via, '--every', '1s', '--for', '1s', '-o', join(dir, 'probe')]);
    expect(probe.code, probe.stderr).toBe(0);
    const [one] = readdirSync(join(dir, 'probe'));
    const bound = Math.round(statSync(join(dir, 'probe', one!)).size * 2.5);

    const r = await runCli(['record', ...via, '--every', '1s', '--for', '5s', '--max-size', String(bound), '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const summary = /recorded (\d+) snapshots \((\d+) failed, (\d+) removed/.exec(r.stderr);
    expect(summary, r.stderr).not.toBeNull();
    const [written, failed, removed] = summary!.slice(1).map(Number);
    expect(written).toBeGreaterThanOrEqual(4);
    expect(failed).toBe(0);
    expect(removed).toBeGreaterThan(0);
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(written! - removed!);
    expect(files.every((f) => /^procscope-[A-Za-z0-9._-]+-\d{8}T\d{6}\.\d{3}Z\.json\.gz$/.test(f))).toBe(true);
    expect(files.reduce((n, f) => n + statSync(join(out, f)).size, 0)).toBeLessThanOrEqual(bound);
    expect(r.stderr).toMatch(/oldest removed/);
    const snaps = files.map((f) => JSON.parse(gunzipSync(readFileSync(join(out, f))).toString('utf8')) as Snapshot);
    for (const s of snaps) expect(schemaErrors(s)).toEqual([]);
    // About a second apart, in order.
    const times = snaps.map((s) => Date.parse(s.node.collectedAt));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(500);

    const diff = await runCli(['diff', join(out, files[0]!), join(out, files[files.length - 1]!), '--json']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(JSON.parse(diff.stdout).matching).toBe('identity');
  });

  it('reports a node it cannot read at each tick, and exits 1 when nothing was written', async () => {
    const r = await runCli(['record', '--via', 'echo no shell here >&2; exit 3', '--every', '1s', '--for', '2s', '-o', join(dir, 'none')]);
    expect(r.code).toBe(1);
    expect((r.stderr.match(/no snapshot: .*ended \(exit 3\) before it answered as a shell: no shell here/g) ?? []).length).toBe(2);
    expect(r.stderr).toMatch(/recorded 0 snapshots \(2 failed/);
    expect(readdirSync(join(dir, 'none'))).toEqual([]);
  });

  it('says what is wrong with its options', async () => {
    expect((await runCli(['record'])).stderr).toMatch(/record needs a directory: -o DIR/);
    expect((await runCli(['record', '-o', dir, '--every', 'soon'])).stderr).toMatch(/bad --every: soon/);
    expect((await runCli(['record', '-o', dir, '--max-size', 'lots'])).stderr).toMatch(/bad --max-size: lots/);
  });

  describe('a second local user', () => {
    const nobody = nobodyUnavailable();
    if (nobody) console.warn(`SKIP the second-user record attacks: ${nobody}`);
    const asNobody = (...argv: string[]) => execFileSync(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), ...argv]);

    it.skipIf(nobody !== null)('refuses a directory another user may plant files in', async () => {
      const open = join(dir, 'open-to-all');
      mkdirSync(open);
      chmodSync(open, 0o777);
      const r = await runCli(['record', '--every', '1s', '--for', '1s', '-o', open]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Refused to write in the recording directory .*open-to-all: anyone may write it and it has no sticky bit/);
      const theirs = join(dir, 'theirs');
      mkdirSync(theirs);
      chownSync(theirs, 65534, 65534);
      const t = await runCli(['record', '--every', '1s', '--for', '1s', '-o', theirs]);
      expect(t.code).toBe(1);
      expect(t.stderr).toMatch(/theirs: it belongs to uid 65534/);
      expect(readdirSync(open)).toEqual([]);
    });

    it.skipIf(nobody !== null)('writes nothing through a symlink planted in a sticky directory, and counts and removes only its own files', async () => {
      chmodSync(dir, 0o755);
      const victim = join(dir, 'victim');
      writeFileSync(victim, 'precious\n');
      const probe = join(dir, 'probe-snapshot.json');
      const snap = await runCli(['snapshot', '-o', probe]);
      expect(snap.code, snap.stderr).toBe(0);
      const snapshot = JSON.parse(readFileSync(probe, 'utf8')) as Snapshot;
      const sticky = join(dir, 'sticky');
      mkdirSync(sticky);
      chmodSync(sticky, 0o1777);
      // The names an attacker can foresee: the recording's, its temporary file's (pid and name), an older recording's.
      const name = recordingName(snapshot);
      const older = name.replace(/-\d{8}T/, '-20000101T');
      for (const planted of [`.${name}.${process.pid}.tmp`, name, older]) asNobody('ln', '-s', victim, join(sticky, planted));
      const result = await record({
        dir: sticky,
        everySec: 1,
        forSec: 1,
        maxBytes: 1,
        open: async () => ({ isOpen: () => true, close: () => {} }) as unknown as NodeSession,
        collect: async () => snapshot,
        say: () => {},
        stopped: new Promise(() => {}),
      });
      expect(result).toMatchObject({ written: 1, failed: 0 });
      expect(readFileSync(victim, 'utf8')).toBe('precious\n');
      expect(lstatSync(join(sticky, name)).isFile()).toBe(true);
      expect(JSON.parse(gunzipSync(readFileSync(join(sticky, name))).toString('utf8')).node.collectedAt).toBe(snapshot.node.collectedAt);
      // The older "recording" is another user's symlink: neither counted against the bound nor followed.
      expect(lstatSync(join(sticky, older)).isSymbolicLink()).toBe(true);
      expect(result.removed).toBe(0);
    });
  });
});
