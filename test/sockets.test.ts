/**
 * Sockets as the kernel has them, against a node that tries to mislead: forged /proc/net/unix rows, a network
 * namespace with no process left in it, IPv4 clients of dual-stack listeners, and unix peers (checked against ss).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readlinkSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot, SnapshotSocket } from '../shared/snapshot/types';
import { netnsLabel } from '../shared/snapshot/netns-name';
import { collectSnapshot } from '../electron/engine/collect';
import { localSession } from '../electron/engine/session';
import { schemaErrors } from './helpers/schema';
import { visibleText } from '../shared/visible';

const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => spawnSync(p, ['-c', 'import socket; socket.send_fds']).status === 0);
const isRoot = process.getuid?.() === 0;
const hasIpNetns = isRoot && spawnSync('ip', ['netns', 'list']).status === 0;
const hasSs = spawnSync('ss', ['-V']).status === 0;
const skipReason = !PYTHON ? 'no python3 with socket.send_fds to make the sockets' : null;
if (skipReason) console.warn(`SKIP socket tests: ${skipReason}`);

/** Holds the sockets; prints one JSON line of what it made, then waits. */
const HOLDER = String.raw`
import json, os, socket, subprocess, sys, time
netns = sys.argv[1]
made = {}
# a unix listener of the "victim", and a connected unix pair
victim = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
victim.bind('/tmp/procscope-victim-%d' % os.getpid()); victim.listen()
made['victimPath'] = '/tmp/procscope-victim-%d' % os.getpid()
made['victimFd'] = victim.fileno()
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.connect(made['victimPath'])
accepted, _ = victim.accept()
made['unixClientFd'] = client.fileno(); made['unixServerFd'] = accepted.fileno()
# an attacker's TCP listener
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM); tcp.bind(('127.0.0.1', 0)); tcp.listen()
made['tcpFd'] = tcp.fileno()
ino = lambda fd: int(os.readlink('/proc/self/fd/%d' % fd)[8:-1])
row = '\n0000000000000000: 00000002 00000000 00010000 0001 01 %d %s'
forged1 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
forged1.bind(('\0evil-a-%d' % os.getpid() + row % (ino(victim.fileno()), '@FORGED-ABSTRACT')).encode()); forged1.listen()
forged2 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
forged2.bind(('\0evil-b-%d' % os.getpid() + row % (ino(tcp.fileno()), '/run/dbus/system_bus_socket')).encode()); forged2.listen()
# a second victim whose inode is forged in both formats: a /proc/net/unix row in one name, an ss row in another
victim2 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
victim2.bind('/tmp/procscope-victim2-%d' % os.getpid()); victim2.listen()
made['victim2Path'] = '/tmp/procscope-victim2-%d' % os.getpid()
made['victim2Fd'] = victim2.fileno()
forged3 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
forged3.bind(('\0evil-c-%d' % os.getpid() + row % (ino(victim2.fileno()), '@FORGED-PROC')).encode()); forged3.listen()
forged4 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
forged4.bind(('\0evil-d-%d\nu_str ESTAB 0 0 @FORGED-SS %d * 0\nu_str ESTAB 0 0 @d' % (os.getpid(), ino(victim2.fileno()))).encode()); forged4.listen()
# an IPv4 client of a dual-stack [::] listener
dual = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); dual.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
dual.bind(('::', 0)); dual.listen()
v4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM); v4.connect(('127.0.0.1', dual.getsockname()[1]))
v6end, _ = dual.accept()
made['v4ClientFd'] = v4.fileno(); made['v6ServerFd'] = v6end.fileno()
# a netlink socket: no table procscope reads lists it
nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
made['netlinkFd'] = nl.fileno()
# a socket made in a network namespace by a process that then left: only this holder keeps it
if netns:
    a, b = socket.socketpair()
    code = "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', 7771)); s.listen(); socket.send_fds(socket.socket(fileno=int(sys.argv[1])), [b'x'], [s.fileno()])"
    subprocess.run(['ip', 'netns', 'exec', netns, sys.executable, '-c', code, str(b.fileno())], pass_fds=(b.fileno(),), check=True)
    _, fds, _, _ = socket.recv_fds(a, 1, 1)
    made['orphanFd'] = fds[0]
print(json.dumps(made), flush=True)
time.sleep(600)
`;

interface Made {
  victimPath: string;
  victimFd: number;
  victim2Path: string;
  victim2Fd: number;
  unixClientFd: number;
  unixServerFd: number;
  tcpFd: number;
  v4ClientFd: number;
  v6ServerFd: number;
  netlinkFd: number;
  orphanFd?: number;
}

const netnsName = `procscope-test-${process.pid}`;
let holder: ChildProcess | null = null;
let made: Made;
let snapshot: Snapshot;
const inodeOf = (fd: number) => Number(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${holder!.pid}/fd/${fd}`))![1]);
const socketOf = (fd: number): SnapshotSocket[] => snapshot.sockets.filter((s) => s.inode === inodeOf(fd));

beforeAll(async () => {
  if (skipReason) return;
  if (hasIpNetns) spawnSync('ip', ['netns', 'add', netnsName]);
  else console.warn('SKIP orphan netns: needs root and ip netns');
  holder = spawn(PYTHON!, ['-c', HOLDER, hasIpNetns ? netnsName : ''], { stdio: ['ignore', 'pipe', 'inherit'] });
  made = await new Promise<Made>((resolve, reject) => {
    holder!.stdout!.once('data', (b: Buffer) => resolve(JSON.parse(b.toString()) as Made));
    holder!.once('exit', (code) => reject(new Error(`socket holder exited with ${code}`)));
  });
  snapshot = await collectSnapshot(localSession());
});

afterAll(() => {
  holder?.kill('SIGKILL');
  if (hasIpNetns) spawnSync('ip', ['netns', 'delete', netnsName]);
  if (made) spawnSync('rm', ['-f', made.victimPath, made.victim2Path]);
});

describe.skipIf(skipReason !== null)('sockets against a misleading node', () => {
  it('never gives a forged unix row to the socket it names: ss (netlink) keeps the real name, and the forger\'s is shown whole', () => {
    const victim = socketOf(made.victimFd);
    expect(victim.map((s) => s.local)).not.toContain('@FORGED-ABSTRACT');
    expect(victim).toHaveLength(1);
    expect(snapshot.errors.some((e) => e.scope === `socket ${victim[0]!.inode}` && /forged/.test(e.message))).toBe(true);
    if (hasSs && isRoot) {
      // The kernel's own answer: the victim is a listener at its path, as ss (sock_diag) lists it.
      expect(victim[0]).toMatchObject({ local: made.victimPath, state: 'LISTEN', type: 'stream' });
      expect(victim[0]!.ambiguous).toBeUndefined();
      const forger = snapshot.sockets.find((s) => s.proto === 'unix' && s.local.startsWith(`@evil-a-${holder!.pid}`))!;
      expect(forger.local).toBe(`@evil-a-${holder!.pid}\n0000000000000000: 00000002 00000000 00010000 0001 01 ${victim[0]!.inode} @FORGED-ABSTRACT`);
      expect(visibleText(forger.local)).toContain('\\n0000000000000000:');
      const forger2 = snapshot.sockets.find((s) => s.proto === 'unix' && s.local.startsWith(`@evil-b-${holder!.pid}`))!;
      expect(forger2.local).toMatch(/\n0000000000000000: .* \/run\/dbus\/system_bus_socket$/);
    } else {
      console.warn('SKIP the ss resolution of a forged unix row: needs root (nsenter) and ss');
      expect(victim[0]!.ambiguous).toBe(true);
    }
    expect(schemaErrors(snapshot)).toEqual([]);
  });

  it('names a unix socket whose inode is forged in both /proc/net/unix and ss from netlink, which no name can forge', () => {
    const victim = socketOf(made.victim2Fd);
    expect(victim).toHaveLength(1);
    const error = snapshot.errors.find((e) => e.scope === `socket ${victim[0]!.inode}`);
    expect(error?.message).toMatch(/forged/);
    if (!(hasSs && isRoot)) {
      console.warn('SKIP the netlink resolution of a doubly forged unix row: needs root (nsenter) and ss');
      expect(victim[0]!.ambiguous).toBe(true);
      return;
    }
    // The kernel's own answer: a listener at its path, as ss lists it for the real row.
    expect(victim[0]).toMatchObject({ local: made.victim2Path, state: 'LISTEN', type: 'stream' });
    expect(victim[0]!.ambiguous).toBeUndefined();
    expect(error!.message).toMatch(/netlink \(sock_diag\).*which is kept/);
    const real = spawnSync('ss', ['-xlHn'], { encoding: 'utf8' }).stdout.split('\n').find((l) => l.includes(made.victim2Path));
    expect(real).toContain(` ${victim[0]!.inode} `);
  });

  it('never turns a TCP listener into a unix socket with a borrowed path', () => {
    const tcp = socketOf(made.tcpFd);
    expect(tcp.map((s) => s.proto)).toEqual(['tcp']);
    expect(snapshot.sockets.some((s) => s.local === '/run/dbus/system_bus_socket' && s.inode === inodeOf(made.tcpFd))).toBe(false);
  });

  it("links a unix socket to its peer, as ss's netlink view has it", () => {
    if (spawnSync('ss', ['-V']).status !== 0) return console.warn('SKIP unix peers: no ss (iproute2)');
    const client = socketOf(made.unixClientFd)[0]!;
    const server = socketOf(made.unixServerFd)[0]!;
    expect(client.peerInode).toBe(server.inode);
    expect(server.peerInode).toBe(client.inode);
    // Other suites may hold tens of thousands of unix sockets meanwhile: spawnSync's default 1 MB would cut the list.
    const ss = spawnSync('ss', ['-xaHn'], { maxBuffer: 512 * 1024 * 1024 }).stdout.toString();
    expect(ss).toMatch(new RegExp(` ${client.inode} \\S+ ${server.inode} *$`, 'm'));
  });

  it('links an IPv4 client to the dual-stack [::] listener that accepted it', () => {
    const client = socketOf(made.v4ClientFd)[0]!;
    const server = socketOf(made.v6ServerFd)[0]!;
    expect(server.proto).toBe('tcp6');
    expect(server.local).toMatch(/^\[::ffff:127\.0\.0\.1\]:\d+$/);
    expect(client.peerInode).toBe(server.inode);
    expect(server.peerInode).toBe(client.inode);
  });

  it.skipIf(!hasIpNetns)('names a namespace made with ip netns add, as lsns does', () => {
    // The kernel's answer: the inode of the namespace its bind mount holds.
    const inode = statSync(`/run/netns/${netnsName}`).ino;
    const ns = snapshot.namespaces.find((n) => n.type === 'net' && n.inode === inode);
    expect(ns?.paths).toContain(`/run/netns/${netnsName}`);
    expect(netnsLabel(ns!.inode, ns!.paths)).toBe(`${inode} (${netnsName})`);
  });

  it('labels a socket that no table lists instead of showing it bare', () => {
    const holderProc = snapshot.processes.find((p) => p.pid === holder!.pid)!;
    const fd = holderProc.fds!.find((f) => f.fd === made.netlinkFd)!;
    expect(fd.socketInode).toBe(inodeOf(made.netlinkFd));
    expect(fd.socketUnlisted).toBe(true);
    expect(holderProc.fds!.find((f) => f.fd === made.tcpFd)!.socketUnlisted).toBeUndefined();
  });

  it.skipIf(!hasIpNetns)('finds a network namespace no process is in, and the sockets made there', () => {
    // The kernel's answer: the inode of the namespace its bind mount holds.
    const inode = statSync(`/run/netns/${netnsName}`).ino;
    const ns = snapshot.namespaces.find((n) => n.type === 'net' && n.inode === inode);
    expect(ns, `netns ${netnsName} (${inode})`).toBeDefined();
    expect(ns!.pids).toEqual([]);
    expect(ns!.paths).toContain(`/run/netns/${netnsName}`);
    const orphan = socketOf(made.orphanFd!);
    expect(orphan).toHaveLength(1);
    expect(orphan[0]).toMatchObject({ proto: 'tcp', local: '127.0.0.1:7771', state: 'LISTEN', netns: inode, pids: [holder!.pid] });
  });
});
