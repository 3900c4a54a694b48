/**
 * A second, small read that only a forged /proc/net/unix row sets off: the unix sockets of one network namespace,
 * asked of netlink's sock_diag (UNIX_DIAG) by a Python reader on the node, for the inodes that two rows claimed in
 * both /proc/net/unix and ss (a forger can put a fake row of either format in a socket name, never in netlink's
 * binary answer). The reader prints the namespace it ran in, then "inode type state peer hexname" per socket asked
 * about, then "end" (shared/proc/unix-diag.ts parses it). Nodes without python3 keep the sockets marked unknown.
 */

/** The reader, run as `python3 - INODE...`: Python 3, standard library only. */
export const UNIX_DIAG_PROGRAM = String.raw`import os, socket, struct, sys
want = set(int(a) for a in sys.argv[1:])
print('netns %d' % os.stat('/proc/self/ns/net').st_ino)
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)
# unix_diag_req: every state, UDIAG_SHOW_NAME | UDIAG_SHOW_PEER
body = struct.pack('=BBHIIIII', socket.AF_UNIX, 0, 0, 0xffffffff, 0, 1 | 4, 0xffffffff, 0xffffffff)
# SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP
s.send(struct.pack('=IHHII', 16 + len(body), 20, 0x301, 1, 0) + body)
done = False
while not done:
    data = s.recv(1 << 20)
    if not data:
        sys.exit(1)
    at = 0
    while at + 16 <= len(data):
        size, kind = struct.unpack_from('=IH', data, at)
        if size < 16 or kind == 3:
            done = True
            break
        if kind == 2:
            sys.stderr.write('netlink error %d\n' % -struct.unpack_from('=i', data, at + 16)[0])
            sys.exit(1)
        stype, state, ino = struct.unpack_from('=xBBxI', data, at + 16)
        name, peer, a = None, 0, at + 32
        while a + 4 <= at + size:
            alen, atype = struct.unpack_from('=HH', data, a)
            if alen < 4:
                break
            if atype == 0:
                name = data[a + 4:a + alen]
            elif atype == 2:
                peer = struct.unpack_from('=I', data, a + 4)[0]
            a += (alen + 3) & ~3
        if ino in want:
            print('%d %d %d %d %s' % (ino, stype, state, peer, '-' if name is None else name.hex()))
        at += (size + 3) & ~3
print('end')`;

/** One network namespace to ask: entered through a process in it, for these socket inodes. */
export interface UnixDiagAsk {
  netns: number;
  pid: number;
  inodes: number[];
}

/** The most inodes asked of one namespace: a node where more rows are forged says so in the rest. */
export const UNIX_DIAG_MAX_INODES = 2000;
