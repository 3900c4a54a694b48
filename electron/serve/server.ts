/**
 * `procscope serve`: the renderer and the API for a browser, on loopback only.
 * Access needs the random token of the printed URL (kept after the first load in an HttpOnly, SameSite=Strict
 * cookie); requests with a foreign Host (DNS rebinding) or a foreign Origin (cross-site WebSocket) are refused.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ApiEvent, ApiEvents } from '../../shared/api';
import { dispatch } from '../app/dispatch';
import { type ServiceOptions, createService } from '../app/service';
import { noVault } from '../app/stores';

export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

export interface ServeOptions extends Omit<ServiceOptions, 'vault' | 'transport' | 'emit' | 'dialogs'> {
  port?: number;
  staticDir: string;
  /** fixed token (tests); random otherwise */
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
  /** open WebSocket clients, for leak checks */
  clientCount(): number;
}

const COOKIE = 'procscope_token';

function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE) return v;
  }
  return undefined;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  if (!existsSync(join(options.staticDir, 'index.html'))) {
    throw new Error(`no built renderer in ${options.staticDir}: run "npm run build"`);
  }
  const token = options.token ?? randomBytes(24).toString('base64url');
  const sockets = new Set<WebSocket>();
  const emit = <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => {
    const text = JSON.stringify({ event, payload });
    for (const ws of sockets) ws.send(text);
  };
  const service = createService({ ...options, vault: noVault, transport: 'browser', emit });
  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const hostOk = (req: IncomingMessage) => allowedHosts().includes(req.headers.host ?? '');
  const originOk = (req: IncomingMessage) => allowedHosts().some((h) => req.headers.origin === `http://${h}`);

  const refuse = (res: ServerResponse, code: number, text: string) => {
    res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(text + '\n');
  };

  const server = createServer((req, res) => {
    if (!hostOk(req)) return refuse(res, 403, 'procscope: refused: unexpected Host header.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'procscope: method not allowed.');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const fromQuery = url.searchParams.get('token') ?? undefined;
    const authorized = sameToken(fromQuery, token) || sameToken(cookieToken(req), token);
    if (!authorized) return refuse(res, 401, 'procscope: open the URL that "procscope serve" printed; it carries the access token.');
    const path = url.pathname === '/' ? '/index.html' : decodeURIComponent(url.pathname);
    const file = normalize(join(options.staticDir, path));
    if (!file.startsWith(normalize(options.staticDir) + sep) || !existsSync(file) || !statSync(file).isFile()) return refuse(res, 404, 'procscope: not found.');
    const headers: Record<string, string> = {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    if (fromQuery) headers['Set-Cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 512 * 1024 * 1024 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const authorized = sameToken(cookieToken(req), token) || sameToken(url.searchParams.get('token') ?? undefined, token);
    if (url.pathname !== '/api' || !hostOk(req) || !originOk(req) || !authorized) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => void answer(ws, data.toString()));
    });
  });

  async function answer(ws: WebSocket, text: string): Promise<void> {
    let msg: { id?: unknown; method?: unknown; args?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      msg = {};
    }
    if (typeof msg.id !== 'number') return;
    const result = await dispatch(service.handlers, msg.method, msg.args);
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: msg.id, result }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    clientCount: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        service.dispose();
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
