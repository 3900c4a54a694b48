/**
 * The shared modules the renderer imports load in a page, where there is no Node `Buffer`: a module that makes a
 * Buffer when it loads (a constant, say) stops the whole app with "Buffer is not defined". Checked on the built
 * modules, with Buffer taken away before they load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const built = join(root, 'dist', 'shared');

/** Every shared module some renderer file imports, as the renderer spells it. */
function sharedImportsOfRenderer(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/\.tsx?$/.test(e.name) && !/\.test\./.test(e.name)) files.push(join(dir, e.name));
    }
  };
  walk(join(root, 'renderer', 'src'));
  const modules = new Set<string>();
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/from '(?:\.\.\/)+(shared\/[^']+)'/g)) modules.add(m[1]!);
  return [...modules].sort();
}

describe.skipIf(!existsSync(built))('the shared modules of the renderer', () => {
  it('load without Node\'s Buffer', () => {
    const modules = sharedImportsOfRenderer();
    expect(modules).toContain('shared/snapshot/refresh');
    const script = `delete globalThis.Buffer; for (const m of ${JSON.stringify(modules)}) require(${JSON.stringify(root)} + '/dist/' + m + '.js');`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
if (!existsSync(built)) console.warn('SKIP renderer modules: dist/ is not built (npm test builds first)');
