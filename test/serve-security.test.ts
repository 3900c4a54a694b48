/**
 * Browser mode's guards, tried one by one: loopback only, the one-time token traded for an in-memory session
 * (no cookie), Host and Origin checks, a second local user who reads the URL from a browser's argv, and
 * requests built to crash the server.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONNECTIONS, type RunningServer, startServer } from '../electron/serve/server';
import { MAX_INVENTORY_BYTES } from '../shared/api';
import { API_PROTOCOL, MAX_MESSAGE_BYTES } from '../shared/serve-protocol';
import { CHROMIUM, browserUnavailable, startServe } from './helpers/browser';
import { makeTempDir } from './helpers/sshd';
import { AS_NOBODY, nobodyUnavailable } from './helpers/nobody';
import { skipForMachine } from './helpers/skip';

const staticDir = join(__dirname, '..', 'dist', 'renderer');
const skip = existsSync(join(staticDir, 'index.html')) ? null : 'the renderer is not built: run npm run build';
if (skip) console.warn(`SKIP serve security tests: ${skip}`);
const otherAddress = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
if (!otherAddress) skipForMachine('the loopback-only check', 'this machine has no address but loopback');

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
    expect((await call('refresh', ['abc', [], { $gt: '' }])).error?.message).toMatch(/Invalid argument: base/);
    expect((await call('refresh', ['abc', [], 'x'.repeat(41)])).error?.message).toMatch(/Invalid argument: base/);
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
    expect((await call('importInventory', ['/etc/shadow'])).error?.message).toMatch(/Invalid argument: inventory source/);
    expect((await call('saveNode', [{ id: 'x1', name: 'n', host: 'ok', auth: 'agent', groups: ['a b'] }])).error?.message).toMatch(/Invalid argument: groups/);
    expect(existsSync(marker)).toBe(false);
    ws.close();
  });

  it('reads no local file the page names as an inventory (/etc/shadow, /dev/zero, a FIFO); a picked file\'s problems name lines, not text', async () => {
    const { ws, call } = await api();
    const fifo = join(makeTempDir('serve-fifo'), 'inventory');
    execFileSync('mkfifo', [fifo]);
    for (const spec of ['/etc/shadow', '/dev/zero', fifo, 'ssh-config:/etc/shadow', './hosts']) {
      const r = await call('importInventory', [{ kind: 'named', spec }]);
      expect(r.error, spec).toMatchObject({ kind: 'permission-denied', message: `The page may not name a file to read (${spec}).` });
    }
    // The server answered at once and is still up (a FIFO opened for reading would have hung it).
    expect(await call('listNodes', [])).toMatchObject({ ok: true });
    const picked = await call('importInventory', [{ kind: 'file', name: 'hosts', text: 'root:$6$salt$hash:19000:0:99999:7:::\nweb-1 prod\n' }]);
    expect(picked).toMatchObject({ ok: true, value: { added: 1, problems: ['line 1: not a destination'] } });
    expect(JSON.stringify(picked)).not.toContain('$6$');
    expect((await call('importInventory', [{ kind: 'file', name: 'big', text: 'x'.repeat(MAX_INVENTORY_BYTES + 1) }])).error?.message).toMatch(/Invalid argument: inventory file text/);
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
    let dir: string;
    const nobody = nobodyUnavailable();
    if (nobody) console.warn(`SKIP the second-user attack: ${nobody}`);
    const noBrowser = browserUnavailable();
    if (noBrowser) console.warn(`SKIP the token race against a real browser: ${noBrowser}`);

    beforeAll(() => {
      dir = makeTempDir('attacker');
      chmodSync(dir, 0o755);
    });

    it.skipIf(nobody !== null || noBrowser !== null)('never shows the token to a user who polls every command line from before the browser starts', async () => {
      const served = await startServe({ HOME: join(dir, 'home'), XDG_RUNTIME_DIR: '' });
      const browserDir = join(dir, 'browser-profile');
      let browser: ChildProcess | undefined;
      try {
        const token = new URL(served.url).searchParams.get('token')!;
        // The attacker, as another user, polls every argv and tries every token it sees, until its stdin closes.
        const script = join(dir, 'poll.js');
        writeFileSync(
          script,
          `
const fs = require('fs'); const http = require('http');
const seen = new Set(); const argvs = new Set(); let passes = 0; let page = 'unread';
try { fs.readFileSync(${JSON.stringify(served.launchPage)}, 'utf8'); page = 'read'; } catch (e) { page = e.code; }
let open = true; process.stdin.on('end', () => (open = false)); process.stdin.resume();
const tryToken = (token) => new Promise((resolve) => {
  const req = http.request({ host: '127.0.0.1', port: ${served.port}, method: 'POST', path: '/session', headers: { Origin: 'http://127.0.0.1:${served.port}', 'X-Procscope-Token': token } }, (res) => { res.resume(); resolve(res.statusCode); });
  req.on('error', () => resolve(0)); req.end();
});
const won = [];
(async () => {
  while (open) {
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\\d+$/.test(pid)) continue;
      let argv = '';
      try { argv = fs.readFileSync('/proc/' + pid + '/cmdline', 'latin1'); } catch { continue; }
      if (argv.includes('chromium')) argvs.add(argv.split('\\0').filter((a) => a.startsWith('file:') || a.startsWith('http')).join(' '));
      for (const m of argv.matchAll(/token=([A-Za-z0-9_-]+)/g)) if (!seen.has(m[1])) { seen.add(m[1]); if ((await tryToken(m[1])) === 200) won.push(m[1]); }
    }
    if (passes++ === 0) process.stdout.write('ready\\n');
    await new Promise((r) => setImmediate(r));
  }
  process.stdout.write(JSON.stringify({ uid: process.getuid(), passes, page, tokens: [...seen], won, argvs: [...argvs] }) + '\\n');
})();
`,
        );
        const attacker = spawn(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), process.execPath, script], { stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        attacker.stdout!.on('data', (b: Buffer) => (out += b.toString()));
        await expect.poll(() => out, { timeout: 20_000 }).toContain('ready');
        // The person opens the file:// serve printed, as its output says.
        const printed = /Open (file:\/\/\S+\.html)/.exec(served.output())![1]!;
        browser = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${browserDir}`, printed], { stdio: 'ignore' });
        // The page trades the token: serve says a page opened the app.
        await expect.poll(() => served.output(), { timeout: 60_000 }).toContain('a page opened the app');
        attacker.stdin!.end();
        await new Promise((r) => attacker.once('exit', r));
        const attack = JSON.parse(out.slice(out.indexOf('{'))) as { uid: number; passes: number; page: string; tokens: string[]; won: string[]; argvs: string[] };
        expect(attack.uid).toBe(65534);
        expect(attack.page).toBe('EACCES');
        // It looked at the browser's own command line the whole time: it saw the file:// URL, never the token.
        expect(attack.argvs).toContain(printed);
        expect(attack.passes).toBeGreaterThan(1);
        expect(attack.tokens).toEqual([]);
        expect(attack.won).toEqual([]);
        expect(served.output()).not.toContain(token);
        expect(statSync(served.launchPage).mode & 0o777).toBe(0o600);
        expect(statSync(dirname(served.launchPage)).mode & 0o777).toBe(0o700);
      } finally {
        browser?.kill('SIGKILL');
        await served.stop();
      }
      // Stopping serve removes its launch page.
      expect(existsSync(served.launchPage)).toBe(false);
    });

    it.skipIf(nobody !== null || noBrowser !== null)('lets the page in while another user floods serve with idle connections', async () => {
      // A desktop's usual limit of 1,024 open files: without a bound, the flood takes every one of them.
      const served = await startServe({ HOME: join(dir, 'home-flood'), XDG_RUNTIME_DIR: '' }, [], { wrap: ['prlimit', '--nofile=1024:1024', '--'] });
      try {
        const script = join(dir, 'flood.js');
        writeFileSync(
          script,
          `
const net = require('net');
const sockets = []; let closed = 0; let failed = 0;
const one = () => new Promise((resolve) => {
  const s = net.connect(${served.port}, '127.0.0.1');
  s.on('connect', () => { sockets.push(s); resolve(); });
  s.on('error', () => { failed++; resolve(); });
  s.on('close', () => closed++);
});
(async () => {
  for (let i = 0; i < 3000; i += 100) await Promise.all(Array.from({ length: 100 }, one));
  process.stdout.write(JSON.stringify({ uid: process.getuid(), opened: sockets.length, failed }) + '\\n');
  process.stdin.on('end', () => { process.stdout.write(JSON.stringify({ closed }) + '\\n'); process.exit(0); });
  process.stdin.resume();
})();
`,
        );
        const attacker = spawn(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), process.execPath, script], { stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        attacker.stdout!.on('data', (b: Buffer) => (out += b.toString()));
        await expect.poll(() => out, { timeout: 60_000 }).toContain('opened');
        const flood = JSON.parse(out.split('\n')[0]!) as { uid: number; opened: number };
        expect(flood.uid).toBe(65534);
        expect(flood.opened).toBeGreaterThan(1024);
        // The flood holds its connections open; serve still holds few files, and the person's page loads and starts.
        const fds = readdirSync(`/proc/${served.child.pid}/fd`).length;
        expect(fds).toBeLessThan(MAX_CONNECTIONS + 100);
        expect((await send(served.port, '/')).status).toBe(200);
        const token = new URL(served.url).searchParams.get('token')!;
        expect((await send(served.port, '/session', { method: 'POST', headers: { Origin: `http://127.0.0.1:${served.port}`, 'X-Procscope-Token': token } })).status).toBe(200);
        attacker.stdin!.end();
        await new Promise((r) => attacker.once('exit', r));
        expect(JSON.parse(out.trim().split('\n')[1]!).closed).toBeGreaterThan(flood.opened - MAX_CONNECTIONS - 10);
      } finally {
        await served.stop();
      }
    });
  });
});
