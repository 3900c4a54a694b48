import { describe, expect, it } from 'vitest';
import { SECTION } from './protocol';
import { buildCollectScript, buildRereadScript, buildUnixDiagScript } from './script';

const nonce = 'cd'.repeat(16);
const scripts = {
  full: buildCollectScript(nonce),
  compressed: buildCollectScript(nonce, { compress: true }),
  lean: buildCollectScript(nonce, { lean: { sockets: false } }),
  first: buildCollectScript(nonce, { firstOnly: true }),
  refresh: buildCollectScript(nonce, { refresh: { knownPids: [1, 2], detailPids: [2] } }),
  reread: buildRereadScript(nonce, ['/proc/1/cmdline']),
  unixDiag: buildUnixDiagScript(nonce, [{ netns: 4026531840, pid: 1, inodes: [5] }]),
};
const known = new Set<string>(Object.values(SECTION));

describe('the collector protocol', () => {
  it.each(Object.entries(scripts))('%s: marks only sections the protocol names', (_name, script) => {
    const marked = [...script.matchAll(/\bmark "?([^"\s;]+(?: \$[a-z])?)"?/g)].map((m) => m[1]!);
    expect(marked.length).toBeGreaterThan(0);
    expect(marked.filter((name) => !known.has(name) && name !== 'h $g' && name !== 'psi-$f' && name !== '"$1"' && name !== '$1')).toEqual([]);
  });
});
