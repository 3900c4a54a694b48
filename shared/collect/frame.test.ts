import { describe, expect, it } from 'vitest';
import { parseCollectOutput, parseCompactStat, parseStderr, readHeadSection, parseLinkPairs } from './frame';
import { sectionMark } from './protocol';
import { buildCollectScript } from './script';

const nonce = 'ab'.repeat(16);
const M = sectionMark(nonce);
const sep = `\n${M}:f\n`;
const mark = (name: string) => `\n${M} ${name}\n`;

function output(parts: { list: string[]; data: string[]; links?: [string, string][]; end?: boolean; banner?: string }): Buffer {
  const links = (parts.links ?? []).map(([p, t]) => `${p}\0${t}\0`).join('');
  return Buffer.from(
    (parts.banner ?? '') +
      mark('begin') +
      'procscope-collect 1' +
      mark('ns') +
      '/proc/7/ns/net net:[4026531840]\n/proc/7/ns/uts \n/proc/x/ns/pid pid:[1]\n' +
      mark('self') +
      '99' +
      mark('clk') +
      '250' +
      mark('list') +
      parts.list.join('\n') +
      mark('data') +
      parts.data.map((d) => sep + d).join('') +
      mark('links') +
      links +
      (parts.end === false ? '' : mark('end')),
    'utf8',
  );
}

describe('parseCollectOutput', () => {
  it('reads files byte for byte between separators, whatever they hold', () => {
    const nasty = `a\nb) c:d\n@@PSC${'0'.repeat(32)}:f\n${M.slice(0, 10)}`;
    const out = parseCollectOutput(output({ list: ['/proc/7/cmdline', '/proc/7/stat'], data: [nasty, '7 (x) S 1'] }), '', nonce);
    expect(out.files.get('/proc/7/cmdline')?.toString()).toBe(nasty);
    expect(out.files.get('/proc/7/stat')?.toString()).toBe('7 (x) S 1');
    expect(out.complete).toBe(true);
    expect(out.clockTicks).toBe(250);
    expect(out.selfPid).toBe(99);
    expect(out.namespaces).toEqual([{ pid: 7, type: 'net', inode: 4026531840 }]);
  });

  it('ignores a login banner before the first mark', () => {
    const out = parseCollectOutput(output({ banner: `Welcome!\n${M.slice(0, 8)} end\n`, list: ['/etc/passwd'], data: ['root:x:0:0::/:/bin/sh\n'] }), '', nonce);
    expect(out.files.get('/etc/passwd')?.toString()).toMatch(/^root/);
  });

  it('reads links with newlines in their targets', () => {
    const out = parseCollectOutput(output({ list: [], data: [], links: [['/proc/7/fd/3', '/tmp/a\nb (deleted)'], ['/proc/7/exe', '/bin/x']] }), '', nonce);
    expect(out.links.get('/proc/7/fd/3')).toBe('/tmp/a\nb (deleted)');
    expect(out.links.get('/proc/7/exe')).toBe('/bin/x');
  });

  it('drops files the node could not read, and says why', () => {
    const stderr = "cat: /proc/8/status: No such file or directory\nfind: '/proc/7/fd': Permission denied\nstat: can't stat '/proc/7/ns/net': Permission denied\nsomething else\n";
    const out = parseCollectOutput(output({ list: ['/proc/8/status', '/proc/7/stat'], data: ['', '7 (x) S 1'] }), stderr, nonce);
    expect(out.files.has('/proc/8/status')).toBe(false);
    expect(out.files.get('/proc/7/stat')?.toString()).toBe('7 (x) S 1');
    expect(out.pathErrors.get('/proc/7/fd')).toBe('Permission denied');
    expect(out.pathErrors.get('/proc/7/ns/net')).toBe('Permission denied');
    expect(out.otherErrors).toEqual(['something else']);
  });

  it('notices output that stopped before the end', () => {
    expect(parseCollectOutput(output({ list: [], data: [], end: false }), '', nonce).complete).toBe(false);
  });

  it.each([
    ["cat: /proc/1/cmdline: No such process", '/proc/1/cmdline', 'No such process'],
    ["cat: can't open '/proc/1/stat': No such file or directory", '/proc/1/stat', 'No such file or directory'],
    ["stat: cannot statx '/proc/1/ns/mnt': Permission denied", '/proc/1/ns/mnt', 'Permission denied'],
    ['procscope: /proc/5/exe: cannot read link', '/proc/5/exe', 'cannot read link'],
    ["head: cannot open '/proc/9/stat' for reading: No such file or directory", '/proc/9/stat', 'No such file or directory'],
    ["head: error reading '/proc/9/stat': No such process", '/proc/9/stat', 'No such process'],
    ['head: /proc/9/stat: No such file or directory', '/proc/9/stat', 'No such file or directory'],
  ])('reads the stderr line %j', (line, path, message) => {
    expect(parseStderr(line).pathErrors.get(path)).toBe(message);
  });

  it('knows which files head could not open (no header), and which it opened but could not read (a header)', () => {
    const { unopened } = parseStderr("head: cannot open '/proc/9/stat' for reading: No such file or directory\nhead: error reading '/proc/8/stat': No such process\nhead: /proc/7/stat: No such file or directory\ncat: /proc/6/stat: No such file or directory");
    expect([...unopened].sort()).toEqual(['/proc/7/stat', '/proc/9/stat']);
  });
});

describe('readHeadSection', () => {
  const head = (files: [string, string][]) => Buffer.from(files.map(([p, c]) => `\n==> ${p} <==\n${c}`).join(''));
  it.each<[string, string[], Buffer, Record<string, string> | null]>([
    ['two files', ['/proc/1/stat', '/proc/2/stat'], head([['/proc/1/stat', 'a\n'], ['/proc/2/stat', 'b\n']]), { '/proc/1/stat': 'a\n', '/proc/2/stat': 'b\n' }],
    ['files with no newline at their end, and empty', ['/proc/1/cmdline', '/proc/2/cmdline', '/proc/3/cmdline'], head([['/proc/1/cmdline', 'a\0'], ['/proc/2/cmdline', ''], ['/proc/3/cmdline', 'c\0']]), { '/proc/1/cmdline': 'a\0', '/proc/2/cmdline': '', '/proc/3/cmdline': 'c\0' }],
    ['no files', [], Buffer.alloc(0), {}],
    ['header-like text that is no whole line', ['/proc/1/cmdline'], head([['/proc/1/cmdline', '\n==> /proc/2/cmdline <==\0']]), { '/proc/1/cmdline': '\n==> /proc/2/cmdline <==\0' }],
    ['a forged header of the next file', ['/proc/1/cmdline', '/proc/2/cmdline'], head([['/proc/1/cmdline', 'x\n==> /proc/2/cmdline <==\nfake'], ['/proc/2/cmdline', 'real']]), null],
    ['a forged header of a file that is not there', ['/proc/1/cmdline'], head([['/proc/1/cmdline', 'x\n==> /proc/2/cmdline <==\nfake']]), null],
    ['a forged header ending a file, against the real one', ['/proc/1/cmdline', '/proc/2/cmdline'], head([['/proc/1/cmdline', 'x\n==> /proc/3/cmdline <=='], ['/proc/2/cmdline', 'y']]), null],
    ['a header missing', ['/proc/1/stat', '/proc/2/stat'], head([['/proc/1/stat', 'a\n']]), null],
    ['headers out of order', ['/proc/1/stat', '/proc/2/stat'], head([['/proc/2/stat', 'b'], ['/proc/1/stat', 'a']]), null],
    ['a head without -v (no headers)', ['/proc/1/stat'], Buffer.from('\n1 (x) S'), null],
  ])('%s', (_name, expected, data, want) => {
    const got = readHeadSection(expected, data);
    expect(got && Object.fromEntries([...got].map(([p, c]) => [p, c.toString('latin1')]))).toEqual(want);
  });
});

describe('buildCollectScript', () => {
  it('takes only a 32-hex nonce, which is the only data in the script', () => {
    expect(() => buildCollectScript("'; rm -rf / #")).toThrow();
    const script = buildCollectScript(nonce);
    expect(script).toContain(M);
    expect(script.endsWith(`printf '\\n%s done\\n' '${M}'\n`)).toBe(true);
  });
});

describe('a group of process files read by one head', () => {
  const head = (files: [string, string][]) => files.map(([p, c]) => `\n==> ${p} <==\n${c}`).join('');
  const stat = (pid: number) => `${pid} (sh) S 1 ${pid} ${pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n`;
  const status = (pid: number) => `Name:\tsh\nState:\tS (sleeping)\nPid:\t${pid}\nPPid:\t1\n`;
  const reply = (cmdlineOf2: string) =>
    Buffer.from(
      mark('begin') +
        mark('pids') +
        '/proc/1\n/proc/2\n' +
        mark('h stat+status') +
        head([['/proc/1/stat', stat(1)], ['/proc/1/status', status(1)], ['/proc/2/stat', stat(2)], ['/proc/2/status', status(2)]]) +
        mark('h cmdline') +
        head([['/proc/1/cmdline', 'init\0'], ['/proc/2/cmdline', cmdlineOf2]]) +
        mark('end'),
      'latin1',
    );
  it.each<[string, string, { unproven: string[]; cmdlineOf2: string | undefined }]>([
    ['each file goes to its process and kind', 'sh\0-c\0', { unproven: [], cmdlineOf2: 'sh\0-c\0' }],
    ['a header forged in an argv costs the cmdline group alone', 'x\n==> /proc/2/stat <==\nfake', { unproven: ['cmdline'], cmdlineOf2: undefined }],
  ])('%s', (_name, cmdlineOf2, want) => {
    const out = parseCollectOutput(reply(cmdlineOf2), '', nonce);
    expect(out.unproven).toEqual(want.unproven);
    expect(out.processes.get(2)?.files.cmdline?.toString('latin1')).toBe(want.cmdlineOf2);
    for (const pid of [1, 2]) {
      expect(out.processes.get(pid)?.files.stat?.toString('latin1')).toBe(stat(pid));
      expect(out.processes.get(pid)?.files.status?.toString('latin1')).toBe(status(pid));
    }
  });
  it('proves the group as a whole: a header missing from the middle leaves both kinds unproven', () => {
    const text = reply('sh\0').toString('latin1').replace(`\n==> /proc/1/status <==\n${status(1)}`, '');
    const out = parseCollectOutput(Buffer.from(text, 'latin1'), '', nonce);
    expect(out.unproven).toEqual(['stat', 'status']);
    expect(out.unprovenPaths).toEqual(['/proc/1/stat', '/proc/1/status', '/proc/2/stat', '/proc/2/status']);
  });
  it('skips a file head could not open, as its error says', () => {
    const text = reply('sh\0').toString('latin1').replace(`\n==> /proc/1/status <==\n${status(1)}`, '');
    const out = parseCollectOutput(Buffer.from(text, 'latin1'), "head: cannot open '/proc/1/status' for reading: No such file or directory", nonce);
    expect(out.unproven).toEqual([]);
    expect(out.processes.get(1)?.files.status).toBeUndefined();
    expect(out.processes.get(1)?.files.stat?.toString('latin1')).toBe(stat(1));
    expect(out.pathErrors.get('/proc/1/status')).toMatch(/No such file/);
  });
});

describe('parseCompactStat', () => {
  const full = '42 S 1 120 30 4 9000 250 20 0 123456';
  it.each<[string, string, Record<number, object> | null]>([
    ['eleven fields: CPU is utime + stime, with priority, nice and vsize', `${full}\nend\n`, { 42: { state: 'S', ppid: 1, cpuTicks: 150, threads: 4, startTicks: 9000, rssPages: 250, priority: 20, nice: 0, vsizeBytes: 123456 } }],
    ['eight fields, as an older collector sent them: left out (the version line refuses such a reply)', '42 R 1 5 5 1 9000 10\nend\n', {}],
    ['a real-time process: a negative priority, and a vsize past 2^32', '9 S 2 0 0 1 5 0 -51 0 4294971392\nend\n', { 9: { state: 'S', ppid: 2, cpuTicks: 0, threads: 1, startTicks: 5, rssPages: 0, priority: -51, nice: 0, vsizeBytes: 4294971392 } }],
    ['a number with a sign or a point in the wrong place is skipped', '42 S 1 1.5 0 1 1 1 20 0 0\n43 S +1 0 0 1 1 1 20 0 0\nend\n', {}],
    ['a negative nice value', '7 S 1 0 0 1 1 1 39 19 0\nend', { 7: { state: 'S', ppid: 1, cpuTicks: 0, threads: 1, startTicks: 1, rssPages: 1, priority: 39, nice: 19, vsizeBytes: 0 } }],
    ['nothing but the end: every process exited, or none was read', 'end\n', {}],
    ['no end line: its reader stopped early, so absences prove nothing', `${full}\n`, null],
    ['an empty section', '', null],
    ['a line of another width is skipped', `${full}\n43 S 1 2 3\nend\n`, { 42: expect.objectContaining({ cpuTicks: 150 }) }],
    ['a state that is not one letter is skipped', '42 SS 1 0 0 1 1 1\n43 ? 1 0 0 1 1 1\nend\n', {}],
    ['a field that is not a number is skipped', '42 S 1 x 0 1 1 1\n43 S 1 0 0 1 1 1 20 zero 0\nend\n', {}],
    ['the "+ /proc/N" lines of new processes are not stats', `+ /proc/42\n${full}\nend\n`, { 42: expect.objectContaining({ threads: 4 }) }],
  ])('%s', (_name, text, want) => {
    const got = parseCompactStat(text);
    expect(got && Object.fromEntries(got)).toEqual(want);
  });
});

describe('parseLinkPairs', () => {
  const pairs = (...bytes: (string | number[])[]) => Buffer.concat(bytes.map((b) => (typeof b === 'string' ? Buffer.from(b, 'latin1') : Buffer.from(b))));
  it.each([
    ['plain pairs', pairs('/proc/1/fd/0\0/dev/null\0/proc/1/exe\0/usr/bin/x\0'), [['/proc/1/fd/0', '/dev/null'], ['/proc/1/exe', '/usr/bin/x']]],
    ['a newline and a NUL-free delimiter in a target', pairs('/proc/2/cwd\0/tmp/a\nb ==> x <==\0'), [['/proc/2/cwd', '/tmp/a\nb ==> x <==']]],
    ['valid UTF-8 beside ASCII targets', pairs('/proc/3/fd/1\0socket:[9]\0/proc/3/cwd\0/srv/', [0xc3, 0xa9], '\0'), [['/proc/3/fd/1', 'socket:[9]'], ['/proc/3/cwd', '/srv/é']]],
    ['invalid UTF-8 kept as lone surrogates, ASCII neighbours untouched', pairs('/proc/4/fd/3\0/x', [0xff, 0xfe], '\0/proc/4/fd/4\0pipe:[7]\0'), [['/proc/4/fd/3', '/x\udcff\udcfe'], ['/proc/4/fd/4', 'pipe:[7]']]],
    ['an empty target', pairs('/proc/5/exe\0\0'), [['/proc/5/exe', '']]],
    ['a pair cut short is dropped', pairs('/proc/6/fd/0\0/dev/null\0/proc/6/fd/1\0/dev/nu'), [['/proc/6/fd/0', '/dev/null']]],
    ['a path outside /proc is dropped', pairs('/etc/x\0/y\0/proc/7/exe\0/z\0'), [['/proc/7/exe', '/z']]],
    ['nothing', pairs(''), []],
  ])('%s', (_name, section, expected) => {
    expect([...parseLinkPairs(section)]).toEqual(expected);
  });
});
