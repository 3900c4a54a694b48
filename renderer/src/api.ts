/** The API as the renderer sees it: Electron's preload (window.procscope), or `procscope serve`'s WebSocket. */
import type { ApiClient, ApiEvent, ApiEvents, ApiMethod, ApiRequests } from '../../shared/api';
import type { ProcscopeError, Result } from '../../shared/errors';
import { MAX_SNAPSHOT_BYTES } from '../../shared/snapshot/limits';

declare global {
  interface Window {
    procscope?: ApiClient;
  }
}

const LOST: ProcscopeError = {
  kind: 'connection',
  message: 'Lost the connection to "procscope serve".',
  hint: 'Is it still running? Start it again and reload this page.',
};

type Listener = (payload: never) => void;

/** A WebSocket client for `procscope serve`; reconnects with backoff, and fails open requests on a drop. */
export function webSocketClient(url: string): ApiClient {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let backoff = 250;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const queue: string[] = [];
  const listeners = new Map<ApiEvent, Set<Listener>>();

  const open = () => {
    ws = new WebSocket(url);
    ws.onopen = () => {
      backoff = 250;
      for (const msg of queue.splice(0)) ws!.send(msg);
    };
    ws.onmessage = (e) => {
      const msg = JSON.parse(String(e.data)) as { id?: number; result?: Result<unknown>; event?: ApiEvent; payload?: unknown };
      if (msg.id !== undefined && msg.result) {
        pending.get(msg.id)?.(msg.result);
        pending.delete(msg.id);
      } else if (msg.event) {
        for (const l of listeners.get(msg.event) ?? []) (l as (p: unknown) => void)(msg.payload);
      }
    };
    ws.onclose = () => {
      for (const resolve of pending.values()) resolve({ ok: false, error: LOST });
      pending.clear();
      setTimeout(open, backoff);
      backoff = Math.min(backoff * 2, 5000);
    };
  };
  open();

  function call<K extends ApiMethod>(method: K, ...args: ApiRequests[K]['args']): Promise<Result<ApiRequests[K]['result']>> {
    const id = nextId++;
    const text = JSON.stringify({ id, method, args });
    return new Promise((resolve) => {
      pending.set(id, resolve as (r: Result<unknown>) => void);
      if (ws?.readyState === WebSocket.OPEN) ws.send(text);
      else queue.push(text);
    });
  }

  return {
    capabilities: () => call('capabilities'),
    listNodes: () => call('listNodes'),
    saveNode: (node) => call('saveNode', node),
    removeNode: (nodeId) => call('removeNode', nodeId),
    importSshConfig: () => call('importSshConfig'),
    connect: (nodeId) => call('connect', nodeId),
    disconnect: (connectionId) => call('disconnect', connectionId),
    collect: (connectionId) => call('collect', connectionId),
    refresh: (connectionId, detailPids) => call('refresh', connectionId, detailPids),
    answerHostKey: (promptId, decision) => call('answerHostKey', promptId, decision),
    answerSecret: (promptId, secret, remember) => call('answerSecret', promptId, secret, remember),
    checkSnapshot: (text) => call('checkSnapshot', text),
    // Files are the browser's business here: a download, and a file input.
    exportSnapshot: async (json, suggestedName) => {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
      link.download = suggestedName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      return { ok: true, value: { path: suggestedName } };
    },
    importSnapshot: () =>
      new Promise((resolve) => {
        const input = document.createElement('input');
        input.type = 'file';
        input.accept = '.json,application/json';
        input.addEventListener('cancel', () => resolve({ ok: true, value: null }));
        input.addEventListener('change', async () => {
          const file = input.files?.[0];
          if (!file) return resolve({ ok: true, value: null });
          if (file.size > MAX_SNAPSHOT_BYTES) {
            const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
            return resolve({ ok: false, error: { kind: 'unsupported', message: `${file.name} is ${mb(file.size)} MB; procscope opens snapshots of up to ${mb(MAX_SNAPSHOT_BYTES)} MB.`, hint: 'Export one process tree instead of the whole node.' } });
          }
          const checked = await call('checkSnapshot', await file.text());
          resolve(checked.ok ? { ok: true, value: { snapshot: checked.value, name: file.name } } : checked);
        });
        input.click();
      }),
    on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as Listener);
      listeners.set(event, set);
      return () => set.delete(listener as Listener);
    },
  };
}

export function connectApi(): ApiClient {
  if (window.procscope) return window.procscope;
  return webSocketClient(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`);
}
