/**
 * Browser mode's guards, tried one by one: loopback only, the one-time token traded for an in-memory session
 * (no cookie), Host and Origin checks, a second local user who reads the URL from a browser's argv, and
 * requests built to crash the server.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../electron/serve/server';
import { API_PROTOCOL, MAX_MESSAGE_BYTES } from '../shared/serve-protocol';
import { makeTempDir } from './helpers/sshd';

const staticDir = join(__dirname, '..', 'dist', 'renderer');
const skip = existsSync(join(staticDir, 'index.html')) ? null : 'the renderer is not built: run npm run build';
if (skip) console.warn(`SKIP serve security tests: ${skip}`);
const otherAddress = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
if (!otherAddress) console.warn('SKIP the loopback-only check: this machine has no address but loopback');

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, path: string, options: { method?: string; headers?: Record<string, string>; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: options.host ?? '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (b) => (body += b));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Bytes as they are, for request lines no HTTP client would send. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (b) => (answer += b.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
  });
}

function upgrade(port: number, headers: Record<string, string>, protocols: string[] = [], path = '/api'): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
}

describe.skipIf(skip !== null)('procscope serve', () => {
  let server: RunningServer;
  const newUrls: string[] = [];
  const origin = () => `http://127.0.0.1:${server.port}`;
  /** What the page does on load: trade the URL's token for a session. */
  const startSession = async (token = server.token) => send(server.port, '/session', { method: 'POST', headers: { Origin: origin(), 'X-Procscope-Token': token } });
  let session: string;
  const withSession = (s = session) => [API_PROTOCOL, `session.${s}`];

  async function api(s = session) {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, withSession(s), { headers: { Origin: origin() } });
    await new Promise((r, j) => {
      ws.on('open', r);
      ws.on('error', j);
    });
    const call = (method: unknown, args: unknown) =>
      new Promise<{ ok: boolean; value?: unknown; error?: { kind: string; message: string } }>((resolve) => {
        const id = Math.floor(Math.random() * 1e9);
        ws.on('message', function onMessage(data) {
          const msg = JSON.parse(String(data)) as { id: number; result: { ok: boolean; error?: { kind: string; message: string } } };
          if (msg.id === id) {
            ws.off('message', onMessage);
            resolve(msg.result);
          }
        });
        ws.send(JSON.stringify({ id, method, args }));
      });
    return { ws, call };
  }

  beforeAll(async () => {
    server = await startServer({ staticDir, configDir: makeTempDir('serve'), onNewUrl: (url) => newUrls.push(url) });
    const first = await startSession();
    expect(first.status).toBe(200);
    session = (JSON.parse(first.body) as { session: string }).session;
  });
  afterAll(async () => server?.close());

  it('prints a loopback URL', () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
  });

  it.skipIf(!otherAddress)(`refuses connections to this machine's other address (${otherAddress ?? 'none here'})`, async () => {
    await expect(send(server.port, '/', { host: otherAddress! })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('serves the page with a strict CSP and sets no cookie', async () => {
    const page = await send(server.port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    expect((await send(server.port, '/../../etc/passwd')).status).toBe(404);
    expect((await send(server.port, '/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
  });

  it('trades a token once: a used URL is worthless, and a fresh one is printed', async () => {
    const printed = new URL(newUrls[0]!).searchParams.get('token')!;
    const fresh = server.token;
    expect(fresh).toBe(printed);
    const once = await startSession(fresh);
    expect(once.status).toBe(200);
    expect(once.headers['set-cookie']).toBeUndefined();
    const again = await startSession(fresh);
    expect(again.status).toBe(401);
    expect(again.body).toMatch(/used already/);
    expect(newUrls).toHaveLength(2);
    expect(server.token).not.toBe(fresh);
    // Without the page's Origin, or without the token, nothing is traded.
    expect((await send(server.port, '/session', { method: 'POST', headers: { 'X-Procscope-Token': server.token } })).status).toBe(403);
    expect((await send(server.port, '/session', { method: 'POST', headers: { Origin: origin() } })).status).toBe(401);
    expect((await send(server.port, '/session', { method: 'POST', headers: { Origin: 'http://127.0.0.1:1', 'X-Procscope-Token': server.token } })).status).toBe(403);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await send(server.port, '/', { headers: { Host: `evil.example:${server.port}` } })).status).toBe(403);
    expect((await send(server.port, '/session', { method: 'POST', headers: { Host: `evil.example:${server.port}`, Origin: `http://evil.example:${server.port}`, 'X-Procscope-Token': server.token } })).status).toBe(403);
  });

  it('opens the API WebSocket only with a session, from its own origin', async () => {
    expect(await upgrade(server.port, { Origin: origin() }, withSession())).toBe('open');
    expect(await upgrade(server.port, { Origin: 'http://evil.example' }, withSession())).toBe(403);
    expect(await upgrade(server.port, { Origin: origin() }, [API_PROTOCOL])).toBe(403);
    expect(await upgrade(server.port, { Origin: origin() }, withSession('x'.repeat(32)))).toBe(403);
    expect(await upgrade(server.port, { Origin: origin(), Cookie: `procscope_token=${server.token}` }, [API_PROTOCOL])).toBe(403);
    expect(await upgrade(server.port, { Origin: origin() }, withSession(), `/api?token=${server.token}`)).toBe('open');
    expect(await upgrade(server.port, { Origin: origin() }, [API_PROTOCOL, `session.${server.token}`])).toBe(403);
    expect(await upgrade(server.port, { Origin: origin(), Host: `evil.example:${server.port}` }, withSession())).toBe(403);
  });

  it('answers only typed API calls, and checks their arguments before anything runs', async () => {
    const { ws, call } = await api();
    const marker = join(makeTempDir('serve-marker'), 'pwned');
    expect(await call('listNodes', [])).toMatchObject({ ok: true });
    expect((await call('__proto__', [])).error?.message).toMatch(/Unknown method/);
    expect((await call('constructor', [])).error?.message).toMatch(/Unknown method/);
    expect((await call('hasOwnProperty', [])).error?.message).toMatch(/Unknown method/);
    expect((await call('connect', [`$(touch ${marker})`])).error?.message).toMatch(/Invalid argument: node id/);
    expect((await call('refresh', ['abc', ['1; rm -rf /']])).error?.message).toMatch(/Invalid argument: detail pids/);
    expect((await call('refresh', ['abc', [1.5]])).error?.message).toMatch(/Invalid argument: detail pids/);
    expect((await call('saveNode', [{ id: 'x1', name: 'n', host: `-oProxyCommand=touch ${marker}`, auth: 'agent' }])).error?.message).toMatch(/host/);
    expect((await call('saveNode', [{ id: 'x1', name: 'n', host: 'ok', auth: 'agent', jump: 'a;b' }])).error?.message).toMatch(/jump/);
    expect((await call('saveNode', [{ id: 'x1', name: 'n', host: 'ok', auth: 'agent', user: 'root --x' }])).error?.message).toMatch(/user/);
    expect((await call('saveNode', [{ id: 'x1', name: 'n', kind: 'command', command: `true\ntouch ${marker}`, auth: 'agent' }])).error?.message).toMatch(/Invalid argument: command/);
    expect((await call('saveNode', [{ id: 'x1', name: 'n', kind: 'shell', command: 'sh', auth: 'agent' }])).error?.message).toMatch(/Invalid argument: node kind/);
    expect((await call('answerHostKey', ['p1', { secret: 'hunter2' }])).error?.message).toMatch(/Invalid argument: host key decision/);
    expect((await call('actOnProcesses', ['abc', [{ pid: 1, startTicks: 5 }], { kind: 'signal', signal: `TERM; touch ${marker}` }])).error?.message).toMatch(/Invalid argument: not an action/);
    expect((await call('actOnProcesses', ['abc', [{ pid: '1 $(reboot)', startTicks: 5 }], { kind: 'signal', signal: 'TERM' }])).error?.message).toMatch(/Invalid argument: not a process/);
    expect((await call('actOnProcesses', ['abc', [{ pid: 1, startTicks: 5 }], { kind: 'renice', nice: -21 }])).error?.message).toMatch(/Invalid argument: not an action/);
    expect((await call('fleetAsk', [['x1'], 5])).error?.message).toMatch(/Invalid argument: query/);
    expect((await call('importInventory', [`a\n${marker}`])).error?.message).toMatch(/Invalid argument: inventory source/);
    expect((await call('saveNode', [{ id: 'x1', name: 'n', host: 'ok', auth: 'agent', groups: ['a b'] }])).error?.message).toMatch(/Invalid argument: groups/);
    expect(existsSync(marker)).toBe(false);
    ws.close();
  });

  it('stays up after requests built to crash it, without a token', async () => {
    expect(await raw(server.port, `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1.1 400/);
    expect((await send(server.port, '/%')).status).toBe(400);
    expect((await send(server.port, '/%E0%A4%A')).status).toBe(400);
    expect(await raw(server.port, 'NOT A REQUEST\r\n\r\n')).toMatch(/^HTTP\/1.1 400/);
    expect(await upgrade(server.port, { Origin: origin() }, withSession(), '/%')).toBe(403);
    expect((await send(server.port, '/')).status).toBe(200);
  });

  it('answers a 100,000-deep import with an error and stays up', async () => {
    const { ws, call } = await api();
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const asSnapshot = `{"format":"procscope.snapshot/v1","node":{"target":"local","hostname":"h","kernel":"6","collectedAt":"2026-01-01T00:00:00Z","x":${deep}},"processes":[],"namespaces":[],"sockets":[],"containers":[],"errors":[],"y":${deep}}`;
    const answer = await call('checkSnapshot', [asSnapshot]);
    expect(answer.ok).toBe(true);
    expect(Object.keys(answer.value as object)).not.toContain('y');
    const bare = await call('checkSnapshot', [deep]);
    expect(bare.ok).toBe(false);
    expect(bare.error?.message).toMatch(/not a procscope\.snapshot\/v1 snapshot/);
    expect(await call('listNodes', [])).toMatchObject({ ok: true });
    ws.close();
  });

  it('closes a connection that announces a message over the import limit, before reading it, and stays up', async () => {
    // A frame header saying MAX_MESSAGE_BYTES + 1 follow: the server must refuse from the header alone.
    const answer = await new Promise<Buffer>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () =>
        socket.write(
          `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${origin()}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
            `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${withSession().join(', ')}\r\n\r\n`,
        ),
      );
      let got = Buffer.alloc(0);
      socket.on('data', (b) => {
        got = Buffer.concat([got, b]);
        const end = got.indexOf('\r\n\r\n');
        if (end > 0 && got.subarray(0, end).toString().startsWith('HTTP/1.1 101') && !socket.readableEnded) {
          const header = Buffer.alloc(14);
          header[0] = 0x81;
          header[1] = 0x80 | 127;
          header.writeBigUInt64BE(BigInt(MAX_MESSAGE_BYTES + 1), 2);
          socket.write(header);
          got = Buffer.alloc(0);
        }
      });
      socket.on('close', () => resolve(got));
    });
    expect(answer[0]).toBe(0x88);
    expect(answer.readUInt16BE(2)).toBe(1009);
    const again = await api();
    expect(await again.call('listNodes', [])).toMatchObject({ ok: true });
    again.ws.close();
  });

  it('runs one collection at a time for a page: a second waits for the first to end', async () => {
    const { ws, call } = await api();
    const connected = (await call('connect', ['local'])) as { ok: boolean; value: { connectionId: string } };
    expect(connected.ok).toBe(true);
    const id = connected.value.connectionId;
    const [first, second] = (await Promise.all([call('collect', [id]), call('collect', [id])])) as { ok: boolean; value: { node: { collectedAt: string; durationMs: number } } }[];
    expect(first!.ok && second!.ok).toBe(true);
    const [a, b] = [first!.value.node, second!.value.node].sort((x, y) => Date.parse(x.collectedAt) - Date.parse(y.collectedAt));
    expect(Date.parse(b!.collectedAt)).toBeGreaterThanOrEqual(Date.parse(a!.collectedAt) + a!.durationMs - 5);
    await call('disconnect', [id]);
    ws.close();
  });

  describe('a second local user', () => {
    let browser: ChildProcess;
    let dir: string;
    const nobody = (() => {
      try {
        execFileSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'true']);
        return null;
      } catch (err) {
        return `cannot run as nobody with setpriv: ${(err as Error).message}`;
      }
    })();
    if (nobody) console.warn(`SKIP the second-user attack: ${nobody}`);

    beforeAll(() => {
      dir = makeTempDir('attacker');
    });
    afterAll(() => browser?.kill('SIGKILL'));

    it.skipIf(nobody !== null)('finds the URL in a browser argv but cannot use it, nor borrow a cookie', async () => {
      // The user opens the printed URL: the browser has it in its argv, and its page trades the token.
      const url = server.url;
      browser = spawn('/bin/sh', ['-c', 'sleep 120; :', 'chromium', url], { stdio: 'ignore' });
      expect((await startSession(new URL(url).searchParams.get('token')!)).status).toBe(200);
      // The attacker, as another user, reads every argv it may, and tries each token it finds.
      const script = join(dir, 'attack.js');
      writeFileSync(
        script,
        `
const fs = require('fs'); const http = require('http');
const port = ${server.port};
const found = [];
for (const pid of fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {
  try { const m = /token=([A-Za-z0-9_-]+)/.exec(fs.readFileSync('/proc/' + pid + '/cmdline', 'latin1')); if (m) found.push(m[1]); } catch {}
}
const ask = (options) => new Promise((resolve) => {
  const req = http.request({ host: '127.0.0.1', port, ...options }, (res) => { res.resume(); resolve(res.statusCode); });
  req.on('upgrade', () => resolve(101)); req.on('error', (e) => resolve(String(e.code))); req.end();
});
(async () => {
  const results = [];
  for (const token of found) {
    const origin = 'http://127.0.0.1:' + port;
    results.push(['session', await ask({ method: 'POST', path: '/session', headers: { Origin: origin, 'X-Procscope-Token': token } })]);
    results.push(['page', await ask({ path: '/?token=' + token })]);
    const ws = { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', Origin: origin };
    results.push(['ws-cookie', await ask({ path: '/api', headers: { ...ws, Cookie: 'procscope_token=' + token, 'Sec-WebSocket-Protocol': '${API_PROTOCOL}' } })]);
    results.push(['ws-query', await ask({ path: '/api?token=' + token, headers: { ...ws, 'Sec-WebSocket-Protocol': '${API_PROTOCOL}' } })]);
    results.push(['ws-token-as-session', await ask({ path: '/api', headers: { ...ws, 'Sec-WebSocket-Protocol': '${API_PROTOCOL}, session.' + token } })]);
  }
  process.stdout.write(JSON.stringify({ uid: process.getuid(), found, results }));
})();
`,
      );
      // Asynchronously: the server answering the attacker runs in this process.
      const { stdout: out } = await promisify(execFile)('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, script], { encoding: 'utf8', timeout: 30_000 });
      const attack = JSON.parse(out) as { uid: number; found: string[]; results: [string, number][] };
      expect(attack.uid).toBe(65534);
      expect(attack.found).toContain(new URL(url).searchParams.get('token'));
      const byKind = Object.fromEntries(attack.results.filter((_, i) => Math.floor(i / 5) === attack.found.indexOf(new URL(url).searchParams.get('token')!)));
      expect(byKind).toEqual({ session: 401, page: 200, 'ws-cookie': 403, 'ws-query': 403, 'ws-token-as-session': 403 });
      // The page is public (it holds no secret); what matters is that it sets nothing a browser would hand on.
      expect(attack.results.every(([kind, status]) => kind === 'page' || status !== 101)).toBe(true);
    });
  });
});
