/**
 * A full read reads /proc/<pid>/io only when asked (a column shown needs it): without, no process has I/O figures
 * and the snapshot says the file was left out; with, the kernel's own figures come back.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectSnapshot } from '../electron/engine/collect';
import { localSession } from '../electron/engine/session';
import { schemaErrors } from './helpers/schema';

describe('the optional process files', () => {
  it('are left out when no column needs them, and the snapshot says so', async () => {
    const snapshot = await collectSnapshot(localSession(), { optionalFiles: [] });
    expect(snapshot.node.unreadFiles).toEqual(['io']);
    expect(snapshot.processes.filter((p) => p.io !== undefined)).toEqual([]);
    expect(schemaErrors(snapshot)).toEqual([]);
  });

  it('are read when asked, as the kernel has them', async () => {
    const snapshot = await collectSnapshot(localSession(), { optionalFiles: ['io'] });
    expect(snapshot.node.unreadFiles).toBeUndefined();
    const me = snapshot.processes.find((p) => p.pid === process.pid);
    const kernel = Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${process.pid}/io`, 'utf8'))![1]);
    // This process reads on: its rchar at the read is at most what it is now.
    expect(me?.io?.rchar).toBeGreaterThan(0);
    expect(me!.io!.rchar).toBeLessThanOrEqual(kernel);
  });
});
