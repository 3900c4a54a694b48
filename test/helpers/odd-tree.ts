/**
 * A tree of sleepers with odd names and argv (a newline, a forged head header), open files and children, for a pid
 * namespace of its own: `sh -c ODD_TREE tree DIR` prints "ready" once all run. DIR receives a file one of them writes.
 */
export const ODD_TREE = String.raw`
mkdir -p "$1"
bash -c 'exec 3</dev/null 4>"$0/out"; exec -a "odd
name" sleep 600' "$1" &
sh -c 'sleep 600 & sleep 600 & wait' &
bash -c 'exec -a "x
==> /proc/1/cmdline <==
y" sleep 600' &
sh -c 'exec 5</etc/passwd; exec sleep 600' &
sleep 1
echo ready
wait`;
