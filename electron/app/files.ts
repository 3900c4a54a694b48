/** The files part of the API: export through a save dialog, import through an open dialog, check a text the page read. */
import { basename } from 'node:path';
import type { ApiHandlers } from '../../shared/api';
import { fail } from '../../shared/errors';
import { readSnapshot } from '../../shared/snapshot/import';
import { readSnapshotFile } from '../engine/snapshot-file';
import { writeFileAtomically } from '../fs/atomic-write';

export interface Dialogs {
  /** a path to save to, or null if the user cancelled */
  saveFile(suggestedName: string): Promise<string | null>;
  openFile(): Promise<string | null>;
}

type FileHandlers = Pick<ApiHandlers, 'exportSnapshot' | 'importSnapshot' | 'checkSnapshot'>;

export function createFiles(dialogs: Dialogs | undefined): FileHandlers {
  const need = (what: string): Dialogs => dialogs ?? fail({ kind: 'unsupported', message: `This transport ${what} files in the browser.` });
  return {
    async exportSnapshot(json, suggestedName) {
      const path = await need('saves').saveFile(suggestedName);
      if (path === null) return null;
      writeFileAtomically(path, json);
      return { path };
    },
    async importSnapshot() {
      const path = await need('opens').openFile();
      if (path === null) return null;
      return { snapshot: readSnapshotFile(path, basename(path)), name: basename(path) };
    },
    async checkSnapshot(text) {
      return readSnapshot(text);
    },
  };
}
