/** The API as the renderer sees it: Electron's preload (window.procscope), or `procscope serve`'s WebSocket. */
import type { ApiClient } from '../../shared/api';
import { clientOf, eventHub } from '../../shared/api-client';
import type { ProcscopeError, Result } from '../../shared/errors';
import { API_PROTOCOL, MAX_MESSAGE_BYTES } from '../../shared/serve-protocol';
import { MAX_SNAPSHOT_BYTES } from '../../shared/snapshot/limits';
import type { Snapshot } from '../../shared/snapshot/types';
import { fail } from '../../shared/errors';

declare global {
  interface Window {
    procscope?: ApiClient;
  }
}


const LOST: ProcscopeError = {
  kind: 'connection',
  message: 'Lost the connection to "procscope serve".',
  hint: 'Is it still running? Start it again and open the URL it prints.',
};

const mb = (n: number) => (n / 1024 / 1024).toFixed(0);

/** A gzipped file's text, inflated no further than `limit` bytes (a bomb stops there). */
async function inflateAtMost(file: Blob, limit: number): Promise<string> {
  const reader = file.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const parts: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    bytes += value.length;
    if (bytes >= limit) {
      await reader.cancel();
      break;
    }
  }
  return new TextDecoder().decode(await new Blob(parts as BlobPart[]).arrayBuffer());
}

/** A WebSocket client for `procscope serve`; reconnects with backoff, and fails open requests on a drop. */
export function webSocketClient(url: string, session: string): ApiClient {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let backoff = 250;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const queue: string[] = [];
  const hub = eventHub();

  const open = () => {
    ws = new WebSocket(url, [API_PROTOCOL, `session.${session}`]);
    ws.onopen = () => {
      backoff = 250;
      for (const msg of queue.splice(0)) ws!.send(msg);
    };
    ws.onmessage = (e) => {
      const msg = JSON.parse(String(e.data)) as { id?: number; result?: Result<unknown>; event?: Parameters<typeof hub.emit>[0]; payload?: never };
      if (msg.id !== undefined && msg.result) {
        pending.get(msg.id)?.(msg.result);
        pending.delete(msg.id);
      } else if (msg.event) {
        hub.emit(msg.event, msg.payload as never);
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

  const call = (method: string, args: unknown[]): Promise<Result<unknown>> => {
    const id = nextId++;
    const text = JSON.stringify({ id, method, args });
    if (text.length > MAX_MESSAGE_BYTES) {
      return Promise.resolve({ ok: false, error: { kind: 'unsupported', message: `The request is ${mb(text.length)} MB; procscope serve takes up to ${mb(MAX_MESSAGE_BYTES)} MB.` } });
    }
    return new Promise((resolve) => {
      pending.set(id, resolve);
      if (ws?.readyState === WebSocket.OPEN) ws.send(text);
      else queue.push(text);
    });
  };

  // Files are the browser's business here: a download, and a file input.
  return clientOf(call, hub.on, {
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
        input.accept = '.json,.gz,application/json,application/gzip';
        input.addEventListener('cancel', () => resolve({ ok: true, value: null }));
        input.addEventListener('change', async () => {
          const file = input.files?.[0];
          if (!file) return resolve({ ok: true, value: null });
          if (file.size > MAX_SNAPSHOT_BYTES) {
            return resolve({ ok: false, error: { kind: 'unsupported', message: `${file.name} is ${mb(file.size)} MB; procscope opens snapshots of up to ${mb(MAX_SNAPSHOT_BYTES)} MB.`, hint: 'Export one process tree instead of the whole node.' } });
          }
          // procscope record writes .json.gz: inflated here, and held to the same limit once inflated.
          const gzipped = new Uint8Array(await file.slice(0, 2).arrayBuffer());
          const text = gzipped[0] === 0x1f && gzipped[1] === 0x8b ? await inflateAtMost(file, MAX_SNAPSHOT_BYTES + 1) : await file.text();
          if (text.length > MAX_SNAPSHOT_BYTES) {
            return resolve({ ok: false, error: { kind: 'unsupported', message: `${file.name} inflates to ${mb(text.length)} MB; procscope opens snapshots of up to ${mb(MAX_SNAPSHOT_BYTES)} MB.` } });
          }
          const checked = (await call('checkSnapshot', [text])) as Result<Snapshot>;
          resolve(checked.ok ? { ok: true, value: { snapshot: checked.value, name: file.name } } : checked);
        });
        input.click();
      }),
  });
}

/**
 * Trades the URL's one-time token for a session: the token leaves the address bar at once, the session lives
 * only in this page's memory. A reload needs a new URL (procscope serve prints one after each use).
 */
async function startSession(): Promise<string> {
  const token = new URLSearchParams(location.search).get('token');
  history.replaceState(null, '', '/');
  if (!token) fail({ kind: 'auth', message: 'This page was opened without a token (or reloaded).', hint: 'Open the newest URL that "procscope serve" printed.' });
  const res = await fetch('/session', { method: 'POST', headers: { 'X-Procscope-Token': token }, cache: 'no-store' });
  if (!res.ok) fail({ kind: 'auth', message: (await res.text()).replace(/^procscope: /, '').trim() });
  return ((await res.json()) as { session: string }).session;
}

export async function connectApi(): Promise<ApiClient> {
  if (window.procscope) return window.procscope;
  const session = await startSession();
  return webSocketClient(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`, session);
}
