/**
 * `procscope serve`: the renderer and the API for a browser, on loopback only.
 *
 * Access: the printed URL carries a one-time token. The page trades it once (POST /session) for a session
 * secret it keeps in memory and offers in the WebSocket handshake (as a subprotocol); there is no cookie, so
 * nothing a browser would hand to another port's page, and a used or leaked URL is worthless. When the token is
 * used, a fresh URL is made and reported (onNewUrl) for the next page. Requests with a foreign Host (DNS
 * rebinding) or a foreign Origin (cross-site) are refused. Every handler answers bad input with an error and
 * the server stays up.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ApiEvent, ApiEvents } from '../../shared/api';
import { API_PROTOCOL, MAX_MESSAGE_BYTES } from '../../shared/serve-protocol';
import { dispatch } from '../app/dispatch';
import { type ServiceOptions, createService } from '../app/service';
import { noVault } from '../app/stores';
import { RENDERER_CSP } from '../window-config';
import { fail } from '../../shared/errors';

/** The page's CSP, plus what only a header can say. */
export const CSP = `${RENDERER_CSP}; frame-ancestors 'none'`;
/**
 * Open connections kept at most. Any local user can open connections to a loopback port: past this many, the one
 * idle longest (no request under way, no API session) is closed to make room, so a flood churns through its own
 * connections and the person's page still gets in; an API WebSocket is never closed for room.
 */
export const MAX_CONNECTIONS = 128;
/** How long a connection may take to send its request's headers, and the whole request. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** Requests one WebSocket may have waiting at once. */
const MAX_PENDING = 64;
/**
 * Methods that run a collection on a node: one of each at a time per WebSocket, so a page starts at most two at
 * once (a live refresh runs beside a full read, from its first read).
 */
const COLLECTIONS = new Set(['collect', 'refresh']);

interface PageClient {
  /** requests not yet answered */
  pending: number;
  /** per collection method, the end of the last one asked */
  collections: Map<string, Promise<unknown>>;
}

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
  /** fixed first token (tests); random otherwise */
  token?: string;
  /** called with a fresh URL each time a page has used the last one */
  onNewUrl?: (url: string) => void;
}

export interface RunningServer {
  /** the URL a page can open now (its token is unused) */
  readonly url: string;
  port: number;
  /** the token of `url` */
  readonly token: string;
  close(): Promise<void>;
  /** open WebSocket clients, for leak checks */
  clientCount(): number;
}

function same(a: string | undefined, b: string | null): boolean {
  if (a === undefined || b === null) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const secret = () => randomBytes(24).toString('base64url');

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  if (!existsSync(join(options.staticDir, 'index.html'))) {
    fail({ kind: 'not-found', message: `no built renderer in ${options.staticDir}`, hint: 'Run "npm run build" (npm install does it).' });
  }
  const staticRoot = normalize(options.staticDir) + sep;
  let token: string | null = options.token ?? secret();
  const sessions = new Set<string>();
  const sockets = new Set<WebSocket>();
  const emit = <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => {
    const text = JSON.stringify({ event, payload });
    for (const ws of sockets) ws.send(text);
  };
  const service = createService({ ...options, vault: noVault, transport: 'browser', emit });
  let port = 0;
  const urlOf = (t: string | null) => `http://127.0.0.1:${port}/?token=${t ?? ''}`;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const hostOk = (req: IncomingMessage) => allowedHosts().includes(req.headers.host ?? '');
  const originOk = (req: IncomingMessage) => allowedHosts().some((h) => req.headers.origin === `http://${h}`);

  const answerText = (res: ServerResponse, code: number, text: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    res.end(text + (type.startsWith('text/plain') ? '\n' : ''));
  };

  /** POST /session with the URL's token: the token is spent, a session secret is answered, a new URL is made. */
  function startSession(req: IncomingMessage, res: ServerResponse): void {
    if (!originOk(req)) return answerText(res, 403, 'procscope: refused: a session is started by procscope\'s own page.');
    const offered = req.headers['x-procscope-token'];
    if (typeof offered !== 'string' || !same(offered, token)) {
      return answerText(res, 401, 'procscope: this URL was used already, or is not the one "procscope serve" printed. Open the newest URL it printed.');
    }
    const session = secret();
    sessions.add(session);
    token = secret();
    options.onNewUrl?.(urlOf(token));
    answerText(res, 200, JSON.stringify({ session }), 'application/json');
  }

  function serveFile(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    let path: string;
    try {
      path = pathname === '/' ? '/index.html' : decodeURIComponent(pathname);
    } catch {
      return answerText(res, 400, 'procscope: bad path.');
    }
    const file = normalize(join(options.staticDir, path));
    if (path.includes('\0') || !file.startsWith(staticRoot) || !existsSync(file) || !statSync(file).isFile()) return answerText(res, 404, 'procscope: not found.');
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  }

  const server = createServer({ connectionsCheckingInterval: 2_000 }, (req, res) => {
    try {
      if (!hostOk(req)) return answerText(res, 403, 'procscope: refused: unexpected Host header.');
      let pathname: string;
      try {
        pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      } catch {
        return answerText(res, 400, 'procscope: bad request target.');
      }
      if (pathname === '/session' && req.method === 'POST') return startSession(req, res);
      if (req.method !== 'GET' && req.method !== 'HEAD') return answerText(res, 405, 'procscope: method not allowed.');
      // The page and its scripts hold no secret (they are the npm package's files); the API is what needs a session.
      serveFile(req, res, pathname);
    } catch (err) {
      if (!res.headersSent) answerText(res, 500, `procscope: ${(err as Error).message}`);
      else res.destroy();
    }
  });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = 5_000;
  // Connections with no request under way, oldest first (a Set keeps insertion order): the ones closed for room.
  const idle = new Set<Duplex>();
  let open = 0;
  // Node closes a connection slow to send headers only once it sent a byte: one that sends nothing is closed here.
  const silent = new WeakMap<Duplex, NodeJS.Timeout>();
  const spoke = (socket: Duplex) => {
    clearTimeout(silent.get(socket));
    idle.delete(socket);
  };
  server.on('connection', (socket: Duplex) => {
    open++;
    silent.set(socket, setTimeout(() => socket.destroy(), HEADERS_TIMEOUT_MS).unref());
    socket.once('close', () => {
      open--;
      spoke(socket);
    });
    if (open > MAX_CONNECTIONS) {
      const oldest = idle.values().next().value;
      if (oldest) {
        idle.delete(oldest);
        oldest.destroy();
      } else {
        socket.destroy();
        return;
      }
    }
    idle.add(socket);
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    spoke(req.socket);
    // Kept alive for its next request, it is idle again until that one comes.
    res.once('finish', () => {
      if (!req.socket.destroyed) idle.add(req.socket);
    });
  });
  server.on('upgrade', (req: IncomingMessage) => spoke(req.socket));
  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, handleProtocols: (offered) => (offered.has(API_PROTOCOL) ? API_PROTOCOL : false) });
  const sessionOf = (req: IncomingMessage) =>
    String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .find((p) => p.startsWith('session.'))
      ?.slice('session.'.length);
  const hasSession = (req: IncomingMessage) => {
    const offered = sessionOf(req);
    return offered !== undefined && [...sessions].some((s) => same(offered, s));
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      let pathname = '';
      try {
        pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      } catch {
        // refused below
      }
      if (pathname !== '/api' || !hostOk(req) || !originOk(req) || !hasSession(req)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        const client: PageClient = { pending: 0, collections: new Map() };
        ws.on('close', () => sockets.delete(ws));
        ws.on('error', () => ws.terminate());
        ws.on('message', (data) => void answer(ws, client, data.toString()));
      });
    } catch {
      socket.destroy();
    }
  });

  async function answer(ws: WebSocket, client: PageClient, text: string): Promise<void> {
    let id: unknown;
    try {
      const msg = JSON.parse(text) as { id?: unknown; method?: unknown; args?: unknown };
      id = msg?.id;
      if (typeof id !== 'number') return;
      if (client.pending >= MAX_PENDING) {
        return reply(ws, id, { ok: false, error: { kind: 'unsupported', message: `More than ${MAX_PENDING} requests are waiting; this one was refused.` } });
      }
      client.pending++;
      try {
        const run = () => dispatch(service.handlers, msg.method, msg.args);
        let result: Awaited<ReturnType<typeof run>>;
        const method = String(msg.method);
        if (COLLECTIONS.has(method)) {
          const turn = (client.collections.get(method) ?? Promise.resolve()).then(run);
          client.collections.set(method, turn.catch(() => undefined));
          result = await turn;
        } else {
          result = await run();
        }
        reply(ws, id, result);
      } finally {
        client.pending--;
      }
    } catch (err) {
      if (typeof id === 'number') reply(ws, id, { ok: false, error: { kind: 'internal', message: `The request could not be answered: ${(err as Error).message}` } });
    }
  }

  function reply(ws: WebSocket, id: number, result: unknown): void {
    let text: string;
    try {
      text = JSON.stringify({ id, result });
    } catch (err) {
      text = JSON.stringify({ id, result: { ok: false, error: { kind: 'internal', message: `The answer could not be sent: ${(err as Error).message}` } } });
    }
    if (ws.readyState === ws.OPEN) ws.send(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    get url() {
      return urlOf(token);
    },
    get token() {
      return token ?? '';
    },
    port,
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
