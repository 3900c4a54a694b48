import { describe, expect, it } from 'vitest';
import { ProcscopeFailure } from '../errors';
import { readSnapshot } from './import';
import { MAX_SNAPSHOT_BYTES } from './limits';
import type { Snapshot } from './types';

const valid = (): Snapshot => ({
  format: 'procscope.snapshot/v1',
  node: { target: 'local', hostname: 'h', kernel: '6', collectedAt: '2026-01-01T00:00:00.000Z' },
  processes: [1, 2].map((pid) => ({ pid, ppid: 0, name: 'x', state: 'S', uid: 0, gid: 0, threads: 1, cmdline: [], exe: null, nspid: [pid], namespaces: {}, cgroups: [], fds: [], containerId: null })),
  namespaces: [],
  sockets: [{ proto: 'tcp', inode: 9, local: '0.0.0.0:22', remote: '0.0.0.0:*', state: 'LISTEN', pids: [1, 77] }],
  containers: [],
  errors: [],
});

function failure(text: string) {
  try {
    readSnapshot(text, 'snap.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ProcscopeFailure);
    return (err as ProcscopeFailure).error;
  }
  throw new Error('expected a failure');
}

describe('readSnapshot', () => {
  it.each([
    ['truncated', JSON.stringify(valid()).slice(0, 200), /not valid JSON/, /cut short/],
    ['truncated just after a "}"', JSON.stringify(valid()).slice(0, JSON.stringify(valid()).indexOf('}') + 1), /not valid JSON/, /cut short/],
    ['truncated just after a "]"', JSON.stringify(valid()).slice(0, JSON.stringify(valid()).indexOf(']') + 1), /not valid JSON/, /cut short/],
    ['the wrong format version', JSON.stringify({ ...valid(), format: 'procscope.snapshot/v2' }), /not a procscope\.snapshot\/v1 snapshot \(its format is "procscope\.snapshot\/v2"\)/, /Export/],
    ['not an object', '[1,2,3]', /not a procscope\.snapshot\/v1 snapshot/, /Export/],
    ['off the schema', JSON.stringify({ ...valid(), processes: [{ pid: 'one' }] }), /does not follow the procscope\.snapshot\/v1 schema/, undefined],
    ['empty', '', /not valid JSON/, undefined],
    ['broken in the middle', '{"format": nope}', /not valid JSON/, undefined],
  ])('refuses a file that is %s, saying why', (_name, text, message, hint) => {
    const error = failure(text);
    expect(error.message).toMatch(message);
    expect(error.hint).toEqual(hint === undefined ? undefined : expect.stringMatching(hint));
  });

  it('refuses a file over the size limit before parsing it', () => {
    const error = failure(' '.repeat(MAX_SNAPSHOT_BYTES + 1));
    expect(error).toMatchObject({ kind: 'unsupported' });
    expect(error.message).toMatch(/MB; procscope opens snapshots of up to 128 MB/);
  });

  it('reads a file that validates but lies, and says where', () => {
    const s = valid();
    s.processes.push({ ...s.processes[0]!, name: 'impostor' });
    const read = readSnapshot(JSON.stringify(s));
    expect(read.processes.map((p) => [p.pid, p.name])).toEqual([[1, 'x'], [2, 'x']]);
    expect(read.sockets[0]!.pids).toEqual([1]);
    expect(read.errors).toEqual([
      { scope: 'import', message: 'pid 1 appears more than once; the first is shown' },
      { scope: 'import', message: 'socket 9 names pid 77, which the snapshot does not list' },
    ]);
  });

  it.each([
    ['a CPU% that is not a number', (s: Snapshot) => Object.assign(s.processes[0]!, { cpuPercent: 'boom' }), /\/processes\/0\/cpuPercent must be number,null/],
    ['a unix socket type that is a number', (s: Snapshot) => s.sockets.push({ proto: 'unix', inode: 5, local: '', remote: '', state: 'UNCONN', pids: [], type: 5 as unknown as string }), /\/sockets\/1\/type must be equal to one of the allowed values/],
    ['sharesHost that is not a list', (s: Snapshot) => s.containers.push({ id: 'c1', runtime: 'docker', cgroupPath: '/x', pids: [], pidMap: [], sharesHost: 'net' as unknown as string[] }), /\/containers\/0\/sharesHost must be array/],
    ['a partial view without its counts', (s: Snapshot) => Object.assign(s.node, { partial: { hint: 'x' } }), /\/node\/partial must have required property 'namespacesUnreadable'/],
  ])('refuses %s: every field a view reads has its type in the schema', (_name, spoil, message) => {
    const s = valid();
    spoil(s);
    expect(failure(JSON.stringify(s)).message).toMatch(message);
  });

  it('drops what the schema does not describe, however deep', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const text = JSON.stringify({ ...valid(), extra: 1 }).replace('"hostname":"h"', `"hostname":"h","nested":${deep}`);
    const read = readSnapshot(text);
    expect(Object.keys(read)).not.toContain('extra');
    expect(Object.keys(read.node)).not.toContain('nested');
    expect(() => JSON.stringify(read)).not.toThrow();
    expect(read.processes[0]).toEqual(valid().processes[0]);
  });
});
