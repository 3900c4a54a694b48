/** The settings part of the API: read and write settings.json in the config directory, checked both ways. */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiHandlers } from '../../shared/api';
import { checkSettings } from '../../shared/settings';
import { writeConfigFile } from './stores';

export function createSettings(configDir: string): Pick<ApiHandlers, 'getSettings' | 'saveSettings'> {
  const file = join(configDir, 'settings.json');
  const read = () => {
    try {
      return checkSettings(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      return {};
    }
  };
  return {
    async getSettings() {
      return read();
    },
    async saveSettings(settings) {
      const next = { ...read(), ...checkSettings(settings) };
      mkdirSync(configDir, { recursive: true, mode: 0o700 });
      writeConfigFile(file, JSON.stringify(next, null, 2) + '\n');
      return next;
    },
  };
}
