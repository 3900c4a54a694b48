import { describe, expect, it } from 'vitest';
import { FIRST_READ_GROUPS, LATER_GROUPS, PROCESS_FILES, type ProcessFile, groupName, groupOf, laterGroups, processFilePath, unreadFiles } from './files';
import { buildCollectScript } from './script';

describe('the groups of process files', () => {
  it('read every kind of process file once', () => {
    expect([...FIRST_READ_GROUPS, ...LATER_GROUPS].flat().sort()).toEqual([...PROCESS_FILES].sort());
  });
  it('keep a kind whose bytes a user chooses (argv, cgroup path) in a group of its own in the first read', () => {
    for (const group of FIRST_READ_GROUPS) {
      const chosen = group.filter((k: string) => ['cmdline', 'cgroup'].includes(k));
      if (chosen.length > 0) expect(group).toEqual(chosen.slice(0, 1));
    }
  });
  it.each<[string, string[] | null]>([
    ['stat+status', ['stat', 'status']],
    ['cmdline', ['cmdline']],
    ['stat+constructor', null],
    ['toString', null],
    ['', null],
    ['stat+', null],
  ])('reads the group name %j', (name, want) => {
    expect(groupOf(name)).toEqual(want);
    if (want) expect(groupName(groupOf(name)!)).toBe(name);
  });
  it.each<[string, [number, string] | null]>([
    ['/proc/42/status', [42, 'status']],
    ['/proc/42/constructor', null],
    ['/proc/42/__proto__', null],
    ['/proc/x/stat', null],
    ['/proc//stat', null],
  ])('reads the path %j', (path, want) => {
    expect(processFilePath(path)).toEqual(want);
  });
});

describe('the optional files', () => {
  it.each<[ProcessFile[] | undefined, string[][], string[]]>([
    [undefined, [['cpuset', 'io']], []],
    [['io'], [['cpuset', 'io']], []],
    [[], [['cpuset']], ['io']],
    [['cpuset'], [['cpuset']], ['io']],
  ])('wanted %j: the later groups %j, %j left out', (wanted, groups, unread) => {
    expect(laterGroups(wanted)).toEqual(groups);
    expect(unreadFiles(wanted)).toEqual(unread);
  });

  it('are read in the script only where wanted', () => {
    const nonce = '0'.repeat(32);
    expect(buildCollectScript(nonce, { optionalFiles: [] })).toContain('procfiles "$T/dirs" cpuset\n');
    expect(buildCollectScript(nonce)).toContain('procfiles "$T/dirs" cpuset+io\n');
  });
});
