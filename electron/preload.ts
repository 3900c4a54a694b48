/**
 * The preload: exposes the API to the page method by method through contextBridge. The page gets these
 * functions only, never ipcRenderer or a way to name a channel. Bundled into one CommonJS file (sandboxed preloads cannot require).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_EVENTS, type ApiClient, type ApiEvent, type ApiEvents, ipcChannel } from '../shared/api';

const api: ApiClient = {
  capabilities: () => ipcRenderer.invoke(ipcChannel('capabilities')),
  listNodes: () => ipcRenderer.invoke(ipcChannel('listNodes')),
  saveNode: (node) => ipcRenderer.invoke(ipcChannel('saveNode'), node),
  removeNode: (nodeId) => ipcRenderer.invoke(ipcChannel('removeNode'), nodeId),
  importSshConfig: () => ipcRenderer.invoke(ipcChannel('importSshConfig')),
  connect: (nodeId) => ipcRenderer.invoke(ipcChannel('connect'), nodeId),
  disconnect: (connectionId) => ipcRenderer.invoke(ipcChannel('disconnect'), connectionId),
  collect: (connectionId) => ipcRenderer.invoke(ipcChannel('collect'), connectionId),
  refresh: (connectionId, detailPids) => ipcRenderer.invoke(ipcChannel('refresh'), connectionId, detailPids),
  answerHostKey: (promptId, decision) => ipcRenderer.invoke(ipcChannel('answerHostKey'), promptId, decision),
  answerSecret: (promptId, secret, remember) => ipcRenderer.invoke(ipcChannel('answerSecret'), promptId, secret, remember),
  exportSnapshot: (json, suggestedName) => ipcRenderer.invoke(ipcChannel('exportSnapshot'), json, suggestedName),
  importSnapshot: () => ipcRenderer.invoke(ipcChannel('importSnapshot')),
  checkSnapshot: (text) => ipcRenderer.invoke(ipcChannel('checkSnapshot'), text),
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void) {
    if (!(API_EVENTS as readonly string[]).includes(event)) throw new Error(`no such event: ${String(event)}`);
    const handler = (_e: IpcRendererEvent, payload: ApiEvents[E]) => listener(payload);
    ipcRenderer.on(ipcChannel(event), handler);
    return () => {
      ipcRenderer.removeListener(ipcChannel(event), handler);
    };
  },
};

contextBridge.exposeInMainWorld('procscope', api);
