/**
 * A real OpenSSH sshd on loopback for tests: a free port, keys generated in a
 * temp dir, stopped afterwards. `sshdUnavailable()` says why it cannot run here.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export function sshdUnavailable(): string | null {
  if (!existsSync(SSHD)) return `no ${SSHD}: install Debian's openssh-server (.ci/run does)`;
  if (spawnSync('ssh-keygen', ['-?']).error) return 'no ssh-keygen: install openssh-client';
  if (process.getuid?.() !== 0) return 'sshd tests log in as root and as test users, which needs root';
  return null;
}

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `procscope-${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}

export interface KeyPair {
  privatePath: string;
  publicLine: string;
}

export function generateKey(dir: string, name: string, options: { type?: 'ed25519' | 'ecdsa' | 'rsa'; passphrase?: string } = {}): KeyPair {
  const privatePath = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', options.type ?? 'ed25519', '-N', options.passphrase ?? '', '-C', `procscope-test-${name}`, '-f', privatePath]);
  return { privatePath, publicLine: readFileSync(`${privatePath}.pub`, 'utf8').trim() };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, host: string, child: ChildProcess, log: () => string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`sshd exited (${child.exitCode}): ${log()}`));
      const sock = connect(port, host);
      sock.once('data', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd did not listen on ${port}: ${log()}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export interface Sshd {
  port: number;
  dir: string;
  /** the "ssh-ed25519 AAAA..." public host key */
  hostKeyLine: string;
  /** a known_hosts line for this sshd */
  knownHostsLine(): string;
  log(): string;
  /** adds an authorized key for a user */
  authorize(user: string, publicLine: string): void;
  /** kills the sessions (sshd's children) but keeps listening: a dropped connection, then a node that is back */
  dropConnections(): number;
  /** the listener's pid */
  readonly pid: number;
  /** stops listening (sessions stay), as a node whose sshd went away */
  stopListener(): Promise<void>;
  /** listens again on the same port, with the same keys */
  startListener(): Promise<void>;
  stop(): Promise<void>;
}

export interface SshdOptions {
  hostKeyType?: 'ed25519' | 'ecdsa' | 'rsa';
  config?: string[];
  logLevel?: string;
  listen?: string;
  /** run sshd through this argv prefix, e.g. ['ip', 'netns', 'exec', 'x'] */
  wrap?: string[];
  /** it listens where this process cannot connect (another network namespace): wait for its log line instead */
  unreachable?: boolean;
  /**
   * inetd style: this process listens on loopback and runs `sshd -i` (through `wrap`) for each connection, so the
   * sessions live where `wrap` puts them (a bastion reachable from here whose sessions are in another netns)
   */
  inetd?: boolean;
  /**
   * Let bash logins read the users' own ~/.bashrc (the login-shell tests). By default they do not: this machine's
   * root runs pyenv init there, which serialises every session on a lock, so the suite would measure the rc file.
   */
  userRcFiles?: boolean;
}

/** A loopback listener that hands each connection to a fresh `sshd -i`; the process list stands in for sshd's children. */
function inetdListener(port: number, argv: string[], logs: Buffer[], sessions: Set<ChildProcess>): Promise<{ close(): Promise<void> }> {
  const server = createServer((sock) => {
    const c = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    sessions.add(c);
    c.stderr!.on('data', (b: Buffer) => logs.push(b));
    sock.pipe(c.stdin!);
    c.stdout!.pipe(sock);
    c.stdin!.on('error', () => sock.destroy());
    sock.on('error', () => c.kill());
    sock.on('close', () => c.kill());
    c.on('close', () => {
      sessions.delete(c);
      sock.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        close: () =>
          new Promise<void>((done) => {
            for (const c of sessions) c.kill('SIGKILL');
            server.close(() => done());
          }),
      }),
    );
  });
}

async function waitForLog(log: () => string, child: ChildProcess, timeoutMs = 10000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !/Server listening on/.test(log()); await new Promise((r) => setTimeout(r, 50))) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${log()}`);
    if (Date.now() > deadline) throw new Error(`sshd did not say it listens: ${log()}`);
  }
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = makeTempDir('sshd');
  const keysDir = join(dir, 'authorized_keys');
  mkdirSync(keysDir, { mode: 0o755 });
  const hostKey = generateKey(dir, 'host_key', { type: options.hostKeyType ?? 'ed25519' });
  const port = await freePort();
  const listen = options.listen ?? '127.0.0.1';
  const config = [
    `Port ${port}`,
    `ListenAddress ${listen}`,
    `HostKey ${hostKey.privatePath}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${keysDir}/%u`,
    'PermitRootLogin yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'AllowTcpForwarding yes',
    'PrintMotd no',
    'MaxStartups 100',
    `LogLevel ${options.logLevel ?? 'VERBOSE'}`,
    'Subsystem sftp internal-sftp',
    // bash reads ~/.bashrc for an sshd session only as a top-level shell (SHLVL below 2 once it counts itself).
    ...(options.userRcFiles ? [] : ['SetEnv SHLVL=1']),
    ...(options.config ?? []),
  ];
  const configPath = join(dir, 'sshd_config');
  writeFileSync(configPath, config.join('\n') + '\n');
  const logs: Buffer[] = [];
  const argv = [...(options.wrap ?? []), SSHD, options.inetd ? '-i' : '-D', '-e', '-f', configPath];
  const log = () => Buffer.concat(logs).toString('utf8');
  const sessions = new Set<ChildProcess>();
  if (options.inetd) return inetdSshd(port, listen, dir, hostKey, keysDir, await inetdListener(port, argv, logs, sessions), sessions, log);
  const startListening = async () => {
    const c = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.on('data', (b: Buffer) => logs.push(b));
    if (options.unreachable) await waitForLog(log, c);
    else await waitForPort(port, listen, c, log);
    return c;
  };
  let child = await startListening();
  const exited = (c: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  const dropConnections = (): number => {
    const parentOf = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        parentOf.set(Number(entry), Number(/^PPid:\s*(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))![1]));
      } catch {
        /* gone */
      }
    }
    const isUnderListener = (pid: number): boolean => {
      for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (p === child.pid) return true;
      return false;
    };
    let killed = 0;
    for (const pid of parentOf.keys()) {
      if (!isUnderListener(pid)) continue;
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        /* gone */
      }
    }
    return killed;
  };
  return {
    port,
    dir,
    ...hostKeyLines(hostKey, listen, port),
    log,
    get pid() {
      return child.pid!;
    },
    dropConnections,
    async stopListener() {
      await exited(child);
    },
    async startListener() {
      child = await startListening();
    },
    authorize: authorizer(keysDir),
    async stop() {
      // Sessions outlive their listener; end them too, so no test leaves a shell behind.
      dropConnections();
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function authorizer(keysDir: string): Sshd['authorize'] {
  return (user, publicLine) => {
    const file = join(keysDir, user);
    writeFileSync(file, (existsSync(file) ? readFileSync(file, 'utf8') : '') + publicLine + '\n', { mode: 0o644 });
  };
}

function hostKeyLines(hostKey: KeyPair, listen: string, port: number): Pick<Sshd, 'hostKeyLine' | 'knownHostsLine'> {
  const [type, blob] = hostKey.publicLine.split(' ');
  return { hostKeyLine: `${type} ${blob}`, knownHostsLine: () => `[${listen}]:${port} ${type} ${blob}` };
}

function inetdSshd(port: number, listen: string, dir: string, hostKey: KeyPair, keysDir: string, listener: { close(): Promise<void> }, sessions: Set<ChildProcess>, log: () => string): Sshd {
  const unsupported = () => {
    throw new Error('not for an inetd-style sshd');
  };
  return {
    port,
    dir,
    ...hostKeyLines(hostKey, listen, port),
    log,
    pid: process.pid,
    dropConnections() {
      const n = sessions.size;
      for (const c of sessions) c.kill('SIGKILL');
      return n;
    },
    stopListener: unsupported,
    startListener: unsupported,
    authorize: authorizer(keysDir),
    async stop() {
      await listener.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates (once) a local user with a password for the password and sudo tests. */
export function ensureUser(name: string, password: string): void {
  if (spawnSync('id', [name]).status !== 0) {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', name]);
  }
  execFileSync('chpasswd', { input: `${name}:${password}\n` });
}

/** Writes a sudoers drop-in; returns a function that removes it. */
export function sudoersRule(name: string, rule: string): () => void {
  const file = `/etc/sudoers.d/${name}`;
  writeFileSync(file, rule + '\n', { mode: 0o440 });
  return () => rmSync(file, { force: true });
}
