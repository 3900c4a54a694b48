/**
 * /proc/<pid>/mountinfo (proc(5)):
 * "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
 * Paths escape space, tab, newline and backslash as octal (\040 ...).
 */
import { parseFailure } from '../errors';

export interface MountInfo {
  mountId: number;
  parentId: number;
  majorMinor: string;
  root: string;
  mountPoint: string;
  options: string[];
  optionalFields: string[];
  fsType: string;
  source: string;
  superOptions: string[];
}

export function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountinfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const cols = line.split(' ');
    const dash = cols.indexOf('-', 6);
    if (cols.length < 10 || dash < 0 || cols.length < dash + 3) parseFailure('mountinfo', `malformed line ${JSON.stringify(line)}`);
    mounts.push({
      mountId: Number(cols[0]),
      parentId: Number(cols[1]),
      majorMinor: cols[2]!,
      root: unescapeOctal(cols[3]!),
      mountPoint: unescapeOctal(cols[4]!),
      options: cols[5]!.split(','),
      optionalFields: cols.slice(6, dash),
      fsType: cols[dash + 1]!,
      source: unescapeOctal(cols[dash + 2]!),
      superOptions: (cols[dash + 3] ?? '').split(',').filter(Boolean),
    });
  }
  return mounts;
}

/** Where the cgroup2 hierarchy is mounted (/sys/fs/cgroup on unified nodes, /sys/fs/cgroup/unified on hybrid ones). */
export function findCgroup2Mount(mounts: MountInfo[]): string | null {
  return mounts.find((m) => m.fsType === 'cgroup2')?.mountPoint ?? null;
}
