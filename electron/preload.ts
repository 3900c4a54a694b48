/**
 * The preload: exposes the API to the page method by method through contextBridge. The page gets these
 * functions only, never ipcRenderer or a way to name a channel. Bundled into one CommonJS file (sandboxed preloads cannot require).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_EVENTS, type ApiEvent, type ApiEvents, ipcChannel } from '../shared/api';
import { clientOf } from '../shared/api-client';
import { internalFailure } from '../shared/errors';

const api = clientOf(
  (method, args) => ipcRenderer.invoke(ipcChannel(method), ...args),
  <E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void) => {
    if (!API_EVENTS.includes(event)) internalFailure(`no such event: ${String(event)}`);
    const handler = (_e: IpcRendererEvent, payload: ApiEvents[E]) => listener(payload);
    ipcRenderer.on(ipcChannel(event), handler);
    return () => {
      ipcRenderer.removeListener(ipcChannel(event), handler);
    };
  },
);

contextBridge.exposeInMainWorld('procscope', api);
