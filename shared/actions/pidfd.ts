/**
 * Signals sent through a pidfd (Linux 5.3+, python3.9+ on the node): the process is held open, its start time
 * checked, and the signal sent to what is held, so a pid reused between the check and the send gets nothing.
 * Arguments: SIGNAL, then pid and start time pairs; a line per target as the shell's act() writes them. Exit 3,
 * before any output, means the node cannot (no pidfd_open): the shell then checks and sends each itself.
 * Kept free of single quotes: the script passes it to python3 -c in single quotes.
 */
import { internalFailure } from '../errors';
export const PIDFD_SIGNAL_PY = String.raw`import os, signal, sys
if not hasattr(os, "pidfd_open") or not hasattr(signal, "pidfd_send_signal"):
    sys.exit(3)
try:
    os.close(os.pidfd_open(os.getpid()))
except OSError:
    sys.exit(3)
sig = getattr(signal, "SIG" + sys.argv[1])
args = sys.argv[2:]
for i in range(0, len(args), 2):
    pid, want = int(args[i]), args[i + 1]
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        print("R %d gone" % pid)
        continue
    except OSError as e:
        print("R %d failed %s" % (pid, e.strerror))
        continue
    try:
        try:
            with open("/proc/%d/stat" % pid, "rb") as f:
                stat = f.read()
        except OSError:
            print("R %d gone" % pid)
            continue
        fields = stat[stat.rfind(b") ") + 2:].split()
        if len(fields) < 20:
            print("R %d failed unreadable stat" % pid)
            continue
        started = fields[19].decode()
        if started != want:
            print("R %d reused %s" % (pid, started))
            continue
        try:
            signal.pidfd_send_signal(fd, sig)
            print("R %d done pidfd" % pid)
        except ProcessLookupError:
            print("R %d gone" % pid)
        except OSError as e:
            print("R %d failed %s" % (pid, e.strerror))
    finally:
        os.close(fd)
`;
if (PIDFD_SIGNAL_PY.includes("'")) internalFailure('PIDFD_SIGNAL_PY must hold no single quote');
