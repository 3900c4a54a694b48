import { describe, expect, it } from 'vitest';
import { scanConfigHosts, splitConfigArgs } from './config-hosts';

describe('scanConfigHosts', () => {
  it.each<[string, string, { hosts: string[]; includes: string[] }]>([
    ['Host lines, patterns left out', 'Host web-1 web-2 *.prod !bad\nHost db?\nHost db\n', { hosts: ['web-1', 'web-2', 'db'], includes: [] }],
    ['keywords in any case, with =', 'include  ~/.ssh/conf.d/*\nHOST=a\nhost b\n', { hosts: ['a', 'b'], includes: ['~/.ssh/conf.d/*'] }],
    ['several Include patterns, quoted ones', 'Include a.conf "with space.conf" /etc/x/*.conf\n', { hosts: [], includes: ['a.conf', 'with space.conf', '/etc/x/*.conf'] }],
    ['comments, blank lines, Match blocks', '# Host commented\n\nMatch host x\n  User y\nHost "quoted"\n', { hosts: ['quoted'], includes: [] }],
    [
      'only Includes that apply to every host',
      'Include top.conf\nHost a\n  Include only-a.conf\nHost *\n  Include star.conf\nMatch host b\n  Include only-b.conf\nMatch all\n  Include all.conf\n',
      { hosts: ['a'], includes: ['top.conf', 'star.conf', 'all.conf'] },
    ],
    ['a name listed twice once', 'Host a\nHost a b\n', { hosts: ['a', 'b'], includes: [] }],
  ])('%s', (_name, text, expected) => {
    expect(scanConfigHosts(text)).toEqual(expected);
  });

  it('splits arguments as ssh_config does', () => {
    expect(splitConfigArgs('a  "b c" d')).toEqual(['a', 'b c', 'd']);
  });
});
