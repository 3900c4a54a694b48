import { describe, expect, it } from 'vitest';
import { parsePasswd } from './passwd';

describe('parsePasswd', () => {
  it('maps uids to the first name and skips junk', () => {
    const users = parsePasswd('root:x:0:0:root:/root:/bin/bash\n# comment\nbad line\ntoor:x:0:0::/:/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\n');
    expect(users.get(0)).toBe('root');
    expect(users.get(65534)).toBe('nobody');
    expect(users.size).toBe(2);
  });
});
