import { describe, expect, it } from 'vitest';
import { parseFdTarget, parseNamespaceLink } from './links';

describe('parseNamespaceLink', () => {
  it.each([
    ['net:[4026531840]', { type: 'net', inode: 4026531840 }],
    ['pid_for_children:[4026531836]', { type: 'pid_for_children', inode: 4026531836 }],
    ['/not/a/namespace', null],
  ])('%s', (target, expected) => expect(parseNamespaceLink(target)).toEqual(expected));
});

describe('parseFdTarget', () => {
  it.each([
    ['socket:[12345]', { kind: 'socket', inode: 12345 }],
    ['pipe:[678]', { kind: 'pipe', inode: 678 }],
    ['anon_inode:[eventfd]', { kind: 'anon_inode', anonKind: 'eventfd' }],
    ['anon_inode:inotify', { kind: 'anon_inode', anonKind: 'inotify' }],
    ['/var/log/syslog', { kind: 'file' }],
    ['/tmp/gone (deleted)', { kind: 'file', deleted: true }],
    ['/dev/pts/0', { kind: 'file' }],
    ['net:[4026531840]', { kind: 'other' }],
  ])('%s', (target, expected) => expect(parseFdTarget(target)).toEqual(expected));
});
