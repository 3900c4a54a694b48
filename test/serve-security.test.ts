/** Browser mode's guards, tried one by one: loopback only, the token, Host and Origin checks, cross-site WebSocket upgrades. */
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../electron/serve/server';
import { makeTempDir } from './helpers/sshd';

const staticDir = join(__dirname, '..', 'dist', 'renderer');
const skip = existsSync(join(staticDir, 'index.html')) ? null : 'the renderer is not built: run npm run build';
if (skip) console.warn(`SKIP serve security tests: ${skip}`);

function get(port: number, path: string, headers: Record<string, string> = {}, host = '127.0.0.1'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers }, (res) => {
      let body = '';
      res.on('data', (b) => (body += b));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function upgrade(port: number, headers: Record<string, string>, path = '/api'): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
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
  const origin = () => `http://127.0.0.1:${server.port}`;
  const cookie = () => `procscope_token=${server.token}`;
  beforeAll(async () => {
    server = await startServer({ staticDir, configDir: makeTempDir('serve') });
  });
  afterAll(async () => server?.close());

  it('listens on loopback only', async () => {
    const other = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (other) await expect(get(server.port, '/', {}, other.address)).rejects.toThrow(/ECONNREFUSED/);
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
  });

  it('serves the app with the token, sets a strict cookie and CSP, and refuses without it', async () => {
    const ok = await get(server.port, `/?token=${server.token}`);
    expect(ok.status).toBe(200);
    expect(String(ok.headers['set-cookie'])).toMatch(/procscope_token=.*HttpOnly.*SameSite=Strict/);
    expect(ok.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect((await get(server.port, '/')).status).toBe(401);
    expect((await get(server.port, '/?token=wrong')).status).toBe(401);
    expect((await get(server.port, '/', { Cookie: cookie() })).status).toBe(200);
    expect((await get(server.port, '/../../etc/passwd', { Cookie: cookie() })).status).toBe(404);
  });

  it('refuses a foreign Host header (DNS rebinding), even with the token', async () => {
    const r = await get(server.port, `/?token=${server.token}`, { Host: `evil.example:${server.port}` });
    expect(r.status).toBe(403);
  });

  it('accepts the API WebSocket only from its own origin, with the token', async () => {
    expect(await upgrade(server.port, { Origin: origin(), Cookie: cookie() })).toBe('open');
    expect(await upgrade(server.port, { Origin: 'http://evil.example', Cookie: cookie() })).toBe(403);
    expect(await upgrade(server.port, { Origin: origin() })).toBe(403);
    expect(await upgrade(server.port, { Cookie: cookie() })).toBe(403);
    expect(await upgrade(server.port, { Origin: origin(), Cookie: cookie(), Host: `evil.example:${server.port}` })).toBe(403);
  });

  it('answers only typed API calls, and checks their arguments before anything runs', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, { headers: { Origin: origin(), Cookie: cookie() } });
    await new Promise((r) => ws.on('open', r));
    const call = (method: unknown, args: unknown) =>
      new Promise<{ ok: boolean; error?: { kind: string; message: string } }>((resolve) => {
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
    expect(await call('listNodes', [])).toMatchObject({ ok: true });
    expect((await call('__proto__', [])).error?.message).toMatch(/Unknown method/);
    expect((await call('constructor', [])).error?.message).toMatch(/Unknown method/);
    expect((await call('connect', ['$(touch /tmp/pwned)'])).error?.message).toMatch(/Invalid argument: node id/);
    expect((await call('refresh', ['abc', ['1; rm -rf /']])).error?.message).toMatch(/Invalid argument: detail pids/);
    expect((await call('refresh', ['abc', [1.5]])).error?.message).toMatch(/Invalid argument: detail pids/);
    expect((await call('saveNode', [{ id: 'x1', name: 'n', host: '-oProxyCommand=sh', auth: 'agent' }])).error?.message).toMatch(/host/);
    expect((await call('saveNode', [{ id: 'x1', name: 'n', host: 'ok', auth: 'agent', jump: 'a;b' }])).error?.message).toMatch(/jump/);
    expect((await call('saveNode', [{ id: 'x1', name: 'n', host: 'ok', auth: 'agent', user: 'root --x' }])).error?.message).toMatch(/user/);
    expect(existsSync('/tmp/pwned')).toBe(false);
    ws.close();
  });
});
