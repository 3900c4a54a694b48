import { describe, expect, it } from 'vitest';
import { describeQuery, parseQueryText, queryFromFields } from './query-text';

describe('parseQueryText', () => {
  it.each<[string, string]>([
    ['6443', 'port:6443'],
    ['nginx', 'name:nginx'],
    ['port:6443 name:^kube', 'port:6443 name:^kube'],
    ['  user:"www data"  container:3f2a ', 'container:3f2a user:"www data"'],
    ['cmdline:"--config=\\"a b\\""', 'cmdline:"--config=\\"a b\\""'],
    ['exe:/usr/bin/agent pod:kube-system/coredns-1', 'exe:/usr/bin/agent pod:kube-system/coredns-1'],
    ['', ''],
  ])('%j reads as %j', (text, described) => expect(describeQuery(parseQueryText(text))).toBe(described));

  it.each<[string, RegExp]>([
    ['port:0', /bad port/],
    ['port:70000', /bad port/],
    ['port:http', /bad port/],
    ['name:(', /bad name/],
    ['colour:red', /unknown field "colour"/],
    ['name:a name:b', /name is given twice/],
    ['6443 port:80', /port is given twice/],
    ['user:"unclosed', /cannot read/],
    ['user:""', /bad user: empty/],
  ])('%j is refused (%s)', (text, why) => expect(() => parseQueryText(text)).toThrow(why));

  it('gives regular expressions for name and cmdline, text for the rest', () => {
    const q = queryFromFields({ name: '^a', cmdline: 'b$', exe: '/x', port: '22' });
    expect(q.name).toBeInstanceOf(RegExp);
    expect(q.cmdline!.test('ab')).toBe(true);
    expect(q).toMatchObject({ exe: '/x', port: 22 });
  });
});
