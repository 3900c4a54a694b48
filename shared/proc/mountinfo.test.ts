import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures';
import { findCgroup2Mount, parseMountinfo } from './mountinfo';

describe('parseMountinfo', () => {
  it('reads a real mountinfo and finds cgroup2', () => {
    const mounts = parseMountinfo(fixture('mountinfo.txt'));
    expect(mounts.find((m) => m.mountPoint === '/')).toBeDefined();
    expect(findCgroup2Mount(mounts)).toMatch(/^\/sys\/fs\/cgroup/);
  });

  it('reads optional fields and undoes octal escapes', () => {
    const [m] = parseMountinfo('36 35 98:0 /mnt1 /mnt/my\\040dir rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n');
    expect(m).toMatchObject({ mountId: 36, parentId: 35, mountPoint: '/mnt/my dir', optionalFields: ['master:1', 'shared:2'], fsType: 'ext3', source: '/dev/root' });
  });

  it('rejects a line without the separator', () => {
    expect(() => parseMountinfo('1 2 3:4 / / rw x y z\n')).toThrow();
  });
});
