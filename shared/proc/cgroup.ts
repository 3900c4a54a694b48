/** /proc/<pid>/cgroup: "hierarchy-ID:controller-list:path" per line; the path may itself hold ':'. */
import { parseFailure } from '../errors';

export interface CgroupEntry {
  hierarchy: number;
  controllers: string[];
  path: string;
}

export function parseCgroup(text: string): CgroupEntry[] {
  const entries: CgroupEntry[] = [];
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (body === '') return entries;
  for (const line of body.split('\n')) {
    const first = line.indexOf(':');
    const second = first < 0 ? -1 : line.indexOf(':', first + 1);
    const id = first < 0 ? NaN : Number(line.slice(0, first));
    if (second < 0 || !/^\d+$/.test(line.slice(0, first)) || !Number.isInteger(id)) {
      // A path with a newline in it (only root can make one): keep it whole.
      const last = entries[entries.length - 1];
      if (!last) parseFailure('cgroup', `malformed line ${JSON.stringify(line)}`);
      last.path += '\n' + line;
      continue;
    }
    const controllerList = line.slice(first + 1, second);
    entries.push({
      hierarchy: id,
      controllers: controllerList === '' ? [] : controllerList.split(','),
      path: line.slice(second + 1),
    });
  }
  return entries;
}
