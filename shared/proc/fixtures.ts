/** Reads a fixture of real /proc text captured on a Linux machine (test helper). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBytes } from '../bytes';

export function fixture(name: string): string {
  return decodeBytes(readFileSync(join(__dirname, 'fixtures', name)));
}
