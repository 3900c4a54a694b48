import { describe, expect, it } from 'vitest';
import { applyUnixDiag, unixDiagAsks } from './ambiguous-unix';
import type { Snapshot, SnapshotSocket } from './types';

const NETNS = 4026531840;
const FORGED = '2 unix socket rows claim this inode ("/run/x", "@FORGED"): one is forged by a socket name with a newline; neither is trusted';

function snapshot(sockets: Partial<SnapshotSocket>[]): Snapshot {
  return {
    format: 'procscope.snapshot/v1',
    node: { target: 'local', hostname: 'n', kernel: '6.1', bootId: 'b', collectedAt: '2026-12-08T00:00:00.000Z' },
    processes: [],
    namespaces: [{ type: 'net', inode: NETNS, pids: [40, 7, 12] }],
    sockets: sockets.map((s) => ({ proto: 'unix', inode: 0, local: '', remote: '', state: 'UNKNOWN', netns: NETNS, pids: [], ...s })),
    containers: [],
    errors: sockets.filter((s) => s.ambiguous).map((s) => ({ scope: `socket ${s.inode}`, kind: 'parse', message: FORGED })),
  } as Snapshot;
}

describe('unixDiagAsks', () => {
  it('asks each namespace with an ambiguous unix socket, through its lowest pid, and nothing else', () => {
    const s = snapshot([{ inode: 9, ambiguous: true, type: 'unknown' }, { inode: 5, ambiguous: true }, { inode: 6, local: '/run/y' }, { proto: 'tcp', inode: 8 }]);
    expect(unixDiagAsks(s)).toEqual([{ netns: NETNS, pid: 7, inodes: [5, 9] }]);
    expect(unixDiagAsks(snapshot([{ inode: 6, local: '/run/y' }]))).toEqual([]);
  });
});

describe('applyUnixDiag', () => {
  const ask = { netns: NETNS, pid: 7, inodes: [5] };
  it.each([
    ['names it from netlink', { byPid: new Map([[7, `netns ${NETNS}\n5 1 10 0 2f72756e2f7800\nend\n`]]) }, { local: '/run/x', state: 'LISTEN', type: 'stream' }, /; netlink \(sock_diag\), which no name can forge, has it as "\/run\/x", which is kept$/],
    ['keeps it unknown when the node has no python3', { byPid: new Map(), notAsked: 'python3 is not on the node, so netlink could not be asked' }, { ambiguous: true, local: '' }, /neither is trusted; python3 is not on the node/],
    ['keeps it unknown when the pid asked through is in another namespace now', { byPid: new Map([[7, 'netns 1\n5 1 10 0 2f72756e2f7800\nend\n']]) }, { ambiguous: true, local: '' }, /pid 7 left the namespace/],
    ['keeps it unknown when the reader failed', { byPid: new Map([[7, `netns ${NETNS}\n`]]), stderr: 'nsenter: Operation not permitted' }, { ambiguous: true }, /netlink could not be asked in it \(nsenter: Operation not permitted\)/],
    ['says when the socket closed since', { byPid: new Map([[7, `netns ${NETNS}\nend\n`]]) }, { ambiguous: true }, /netlink no longer lists it \(closed since\)/],
  ])('%s', (_what, answer, socket, message) => {
    const s = snapshot([{ inode: 5, ambiguous: true }]);
    applyUnixDiag(s, [ask], answer);
    expect(s.sockets[0]).toMatchObject(socket);
    if (!('ambiguous' in socket)) expect(s.sockets[0]!.ambiguous).toBeUndefined();
    expect(s.errors[0]!.message).toMatch(message);
  });

  it('gives a connected end its peer as netlink has it', () => {
    const s = snapshot([{ inode: 5, ambiguous: true }]);
    expect(applyUnixDiag(s, [ask], { byPid: new Map([[7, `netns ${NETNS}\n5 1 1 6 -\nend\n`]]) })).toBe(1);
    expect(s.sockets[0]).toMatchObject({ local: '', state: 'ESTAB', peerInode: 6 });
  });
});
