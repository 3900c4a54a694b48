/** The Electron main process: one window with the secure defaults, the API over IPC, native dialogs, safeStorage. */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, type IpcMainInvokeEvent, app, dialog, ipcMain, safeStorage, session } from 'electron';
import { type ApiEvent, type ApiEvents, ipcChannel } from '../shared/api';
import { API_METHODS } from '../shared/api-validate';
import { dispatch } from './app/dispatch';
import { createService } from './app/service';
import { vaultFor } from './app/stores';
import { type LockableContents, type LockableSession, isTrustedSender, lockDownContents, lockDownSession, windowOptions } from './window-config';
import { type CommandApproval, approvalQuestion } from '../shared/approval';
import { visibleText } from '../shared/visible';

const INDEX_HTML = join(__dirname, '..', 'renderer', 'index.html');
const INDEX_URL = pathToFileURL(INDEX_HTML).toString();
const PRELOAD = join(__dirname, '..', 'preload', 'preload.js');

let mainWindow: BrowserWindow | null = null;

function emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void {
  mainWindow?.webContents.send(ipcChannel(event), payload);
}

function lockDown(): void {
  lockDownSession(session.defaultSession as unknown as LockableSession);
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents as unknown as LockableContents));
}

let approvalTurn: Promise<boolean> = Promise.resolve(false);

/** The approval as a native dialog; its text is what a screen shows as it is (approvalRefusal turned away the rest). */
async function askInDialog(approval: CommandApproval): Promise<boolean> {
  const q = approvalQuestion(approval);
  const r = await dialog.showMessageBox(mainWindow!, {
    type: 'warning',
    buttons: ['Cancel', 'Run it'],
    defaultId: 0,
    cancelId: 0,
    message: q.title,
    detail: [visibleText(q.command), ...(q.sudo ? [q.sudo] : [])].join('\n\n'),
  });
  return r.response === 1;
}

function serveApi(): () => void {
  const configDir = app.getPath('userData');
  const vault = vaultFor(safeStorage, configDir);
  const service = createService({
    configDir,
    vault,
    transport: 'electron',
    emit,
    dialogs: {
      async saveFile(suggestedName) {
        const r = await dialog.showSaveDialog(mainWindow!, { defaultPath: suggestedName, filters: [{ name: 'procscope snapshot', extensions: ['json'] }] });
        return r.canceled || !r.filePath ? null : r.filePath;
      },
      async openFile() {
        const r = await dialog.showOpenDialog(mainWindow!, { properties: ['openFile'], filters: [{ name: 'procscope snapshot', extensions: ['json', 'gz'] }] });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
    },
    // A native dialog, which the page cannot draw or answer, one at a time: a program runs only when the person says so.
    approveCommand: (approval) => (approvalTurn = approvalTurn.then(() => askInDialog(approval), () => askInDialog(approval))),
  });
  for (const method of API_METHODS) {
    ipcMain.handle(ipcChannel(method), (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      const frame = event.senderFrame;
      if (!isTrustedSender(frame?.url, frame !== null && frame.parent === null, INDEX_URL)) {
        return { ok: false, error: { kind: 'permission-denied', message: 'Refused: the request did not come from procscope\'s own page.' } };
      }
      return dispatch(service.handlers, method, args);
    });
  }
  return () => service.dispose();
}

function createWindow(): void {
  mainWindow = new BrowserWindow(windowOptions(PRELOAD));
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => (mainWindow = null));
  void mainWindow.loadFile(INDEX_HTML);
}

app.enableSandbox();
void app.whenReady().then(() => {
  lockDown();
  const dispose = serveApi();
  createWindow();
  app.on('window-all-closed', () => {
    dispose();
    app.quit();
  });
});
