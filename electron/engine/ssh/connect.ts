/** Opens an SSH connection with ssh2: host key check, auth in OpenSSH's order, jump hosts, ProxyCommand, keepalive. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { type AnyAuthMethod, type AuthenticationType, Client, utils } from 'ssh2';
import { type ProcscopeError, ProcscopeFailure } from '../../../shared/errors';
import type { ResolvedHost } from '../../../shared/ssh/route';
import type { StrictHostKeyChecking } from '../../../shared/ssh/ssh-g';
import { knownHostsName } from '../../../shared/ssh/known-hosts';
import { type HostKeyPolicy, type UnknownHostKey, type UnknownKeyDecision, checkHostKey, hostKeyAlgorithmsFor } from './host-keys';
import { type ProxyStream, startProxyCommand } from './proxy-command';

export interface SecretRequest {
  kind: 'password' | 'passphrase';
  /** the last answer was wrong */
  retry?: boolean;
  /** "root@node1:22" or the key file */
  subject: string;
}

export interface ConnectOptions {
  /** asked about a key no known-hosts file lists, when StrictHostKeyChecking is "ask" */
  onUnknownKey: (key: UnknownHostKey) => Promise<UnknownKeyDecision>;
  /** the known_hosts file of a host whose config names none */
  defaultKnownHostsFile: string;
  /** instead of each host's StrictHostKeyChecking (the CLI's --accept-new) */
  strictHostKeyChecking?: StrictHostKeyChecking;
  /** the connection log: ProxyCommand's stderr, keys recorded without asking */
  log?: (line: string) => void;
  /** ssh-agent socket; defaults to $SSH_AUTH_SOCK */
  agentSocket?: string | null;
  password?: string;
  passphrase?: string;
  /** asked for a password or passphrase when one is needed and was not given; null means "no" */
  askSecret?: (req: SecretRequest) => Promise<string | null>;
  /** ask for SSH-level zlib compression (the collector gzips its own output already); default: the config's Compression */
  sshCompression?: boolean;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  readyTimeoutMs?: number;
}

/** The known-hosts files, lookup name and StrictHostKeyChecking of one host, from its config. */
export function hostKeyPolicyFor(host: ResolvedHost, options: ConnectOptions): { policy: HostKeyPolicy; name: string } {
  const [first, ...rest] = host.userKnownHostsFiles?.length ? host.userKnownHostsFiles : [options.defaultKnownHostsFile];
  const strict = options.strictHostKeyChecking ?? host.strictHostKeyChecking;
  const policy: HostKeyPolicy = {
    knownHostsFile: first!,
    alsoRead: [...rest, ...(host.globalKnownHostsFiles ?? [])],
    ...(strict ? { strict } : {}),
    ...(host.hashKnownHosts ? { hash: true } : {}),
    onUnknownKey: options.onUnknownKey,
    onRecorded: (key, file) => options.log?.(`Permanently added ${key.host} (${key.keyType} ${key.fingerprint}) to ${file}.`),
  };
  return { policy, name: host.hostKeyAlias ?? knownHostsName(host.host, host.port) };
}

export interface SshConnection {
  client: Client;
  /** the clients of jump hosts, outermost first */
  jumps: Client[];
  host: ResolvedHost;
  close(): void;
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

type AuthCandidate =
  | { type: 'agent'; label: string }
  | { type: 'publickey'; label: string; file: string }
  | { type: 'password'; label: string };

function authCandidates(host: ResolvedHost, agentSocket: string | null | undefined): AuthCandidate[] {
  const list: AuthCandidate[] = [];
  if (agentSocket && !host.identitiesOnly) list.push({ type: 'agent', label: 'ssh-agent' });
  const files = host.identityFilesGiven
    ? host.identityFiles
    : DEFAULT_IDENTITIES.map((n) => join(homedir(), '.ssh', n)).filter((f) => existsSync(f));
  for (const file of files) list.push({ type: 'publickey', label: `key ${file}`, file });
  list.push({ type: 'password', label: 'password' });
  return list;
}

const handshakeTimedOut = (where: string): ProcscopeError => ({ kind: 'connection', message: `${where} did not complete the SSH handshake in time.`, hint: 'Is it an SSH server on that port? Is the network slow or filtered?' });

/**
 * The handshake's deadline, paused while a person is asked (a host key to compare, a passphrase, a password), as
 * OpenSSH's is: reading a fingerprint for a minute is no timeout.
 */
function handshakeClock(ms: number, expired: () => void) {
  let left = ms;
  let since = Date.now();
  let timer: NodeJS.Timeout | null = null;
  let asking = 0;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    since = Date.now();
    timer = setTimeout(expired, Math.max(0, left));
  };
  return {
    start: arm,
    // Settled: a prompt answered after this (the connection failed while asking) arms nothing.
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    async whileAsking<T>(ask: Promise<T>): Promise<T> {
      if (asking++ === 0 && timer) {
        clearTimeout(timer);
        timer = null;
        left -= Date.now() - since;
      }
      try {
        return await ask;
      } finally {
        if (--asking === 0) arm();
      }
    },
  };
}

function describeSocketError(err: NodeJS.ErrnoException & { level?: string }, where: string): ProcscopeError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return { kind: 'connection', message: `${where} refused the connection.`, hint: 'Is sshd running there, and is the port right (-p PORT)?' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { kind: 'connection', message: `Cannot resolve the host name of ${where}.`, hint: 'Check the spelling, your DNS, or the HostName in ~/.ssh/config.' };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return { kind: 'connection', message: `${where} is unreachable (${err.code}).`, hint: 'Check the network path, a VPN, or a jump host (-J).' };
  }
  if (err.level === 'client-timeout') return handshakeTimedOut(where);
  return { kind: 'connection', message: `SSH connection to ${where} failed: ${err.message}` };
}

function connectOne(host: ResolvedHost, options: ConnectOptions, sock?: Duplex, proxy?: ProxyStream): Promise<Client> {
  const where = `${host.user}@${host.host}:${host.port}`;
  const client = new Client();
  let onExpired = () => {};
  const clock = handshakeClock(options.readyTimeoutMs ?? (host.connectTimeoutSec ? host.connectTimeoutSec * 1000 : 20000), () => onExpired());
  const found = hostKeyPolicyFor(host, options);
  const name = found.name;
  const policy = { ...found.policy, onUnknownKey: (key: Parameters<typeof found.policy.onUnknownKey>[0]) => clock.whileAsking(Promise.resolve(found.policy.onUnknownKey(key))) };
  const askSecret = options.askSecret && ((q: Parameters<NonNullable<ConnectOptions['askSecret']>>[0]) => clock.whileAsking(Promise.resolve(options.askSecret!(q))));
  const agentSocket = options.agentSocket === undefined ? process.env.SSH_AUTH_SOCK : options.agentSocket;
  const candidates = authCandidates(host, agentSocket);
  const tried: string[] = [];
  let needsPassphrase = false;
  let hostKeyError: ProcscopeError | null = null;
  let authError: ProcscopeError | null = null;
  let serverMethods: string[] | null = null;

  const nextAuth = async (methodsLeft: AuthenticationType[] | null): Promise<AnyAuthMethod | false> => {
    if (methodsLeft) serverMethods = methodsLeft;
    while (candidates.length > 0) {
      const c = candidates.shift()!;
      const allowed = (m: string) => methodsLeft === null || methodsLeft.includes(m as AuthenticationType);
      if (c.type === 'agent' && allowed('publickey')) {
        tried.push(c.label);
        return { type: 'agent', username: host.user, agent: agentSocket! };
      }
      if (c.type === 'publickey' && allowed('publickey')) {
        let data: Buffer;
        try {
          data = readFileSync(c.file);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          tried.push(`${c.label} (${code === 'ENOENT' ? 'no such file' : `unreadable: ${code}`})`);
          continue;
        }
        let passphrase = options.passphrase;
        let parsed = utils.parseKey(data, passphrase);
        // As ssh does: a wrong passphrase is asked again, three times in all.
        for (let asked = 0; asked < 3 && parsed instanceof Error && /passphrase|encrypted/i.test(parsed.message); asked++) {
          const answer = await askSecret?.({ kind: 'passphrase', subject: c.file, ...(passphrase !== undefined ? { retry: true } : {}) });
          if (answer == null) break;
          passphrase = answer;
          parsed = utils.parseKey(data, passphrase);
        }
        if (parsed instanceof Error) {
          const locked = /encrypted|passphrase/i.test(parsed.message);
          if (locked) needsPassphrase = true;
          tried.push(`${c.label} (${locked ? (passphrase === undefined ? 'needs a passphrase' : 'wrong passphrase') : parsed.message})`);
          continue;
        }
        tried.push(c.label);
        return { type: 'publickey', username: host.user, key: data, ...(passphrase !== undefined ? { passphrase } : {}) };
      }
      if (c.type === 'password' && allowed('password')) {
        const password = options.password ?? (await askSecret?.({ kind: 'password', subject: where })) ?? null;
        if (password === null) continue;
        tried.push(c.label);
        return { type: 'password', username: host.user, password };
      }
    }
    return false;
  };

  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    const settle = (err: ProcscopeError | null) => {
      if (settled) return;
      settled = true;
      clock.stop();
      if (err) {
        client.end();
        reject(new ProcscopeFailure(err));
      } else resolve(client);
    };
    // Destroyed before settle ends it: an ended socket is no longer writable, and ssh2's destroy() then leaves it
    // open, half-closed, for as long as a silent peer holds its end (a CLI that never exits).
    onExpired = () => {
      client.destroy();
      settle(handshakeTimedOut(where));
    };
    clock.start();
    client.on('ready', () => settle(null));
    client.on('error', (err: NodeJS.ErrnoException & { level?: string }) => {
      if (hostKeyError) return settle(hostKeyError);
      const proxyError = proxy?.failure();
      if (proxyError) return settle(proxyError);
      if (authError) return settle(authError);
      if (err.level === 'client-authentication') {
        return settle({
          kind: 'auth',
          message: `Authentication failed for ${where}: tried ${tried.length ? tried.join(', ') : 'nothing'}${serverMethods ? `; the server accepts ${serverMethods.join(', ')}` : ''}.`,
          hint: needsPassphrase
            ? 'Give the key\'s passphrase when asked (on a terminal), or set PROCSCOPE_PASSPHRASE; or load the key into ssh-agent.'
            : 'Give a key (-i KEY), load one into ssh-agent, or set PROCSCOPE_PASSWORD; check the user name (-l USER).',
        });
      }
      settle(describeSocketError(err, where));
    });
    client.on('close', () => settle(hostKeyError ?? proxy?.failure() ?? { kind: 'connection', message: `${where} closed the connection during the handshake.` }));
    // Nagle's algorithm holds back SSH's small packets for an ACK: 40 ms per round trip on loopback and more
    // on a real link, paid by the key exchange, every channel open and every refresh of the persistent shell.
    client.on('connect', () => client.setNoDelay(true));
    client.connect({
      host: host.host,
      port: host.port,
      username: host.user,
      ...(sock ? { sock } : {}),
      // procscope's own clock (handshakeClock) keeps the deadline: ssh2's cannot pause while a person is asked.
      readyTimeout: 0,
      // ServerAliveInterval when the config sets one; else procscope's own, so a live tab notices a dead link.
      keepaliveInterval: options.keepaliveIntervalMs ?? (host.serverAliveIntervalSec ? host.serverAliveIntervalSec * 1000 : 5000),
      keepaliveCountMax: options.keepaliveCountMax ?? (host.serverAliveIntervalSec ? (host.serverAliveCountMax ?? 3) : 3),
      algorithms: {
        serverHostKey: hostKeyAlgorithmsFor(policy, name) as never,
        ...((options.sshCompression ?? host.compression) ? { compress: ['zlib@openssh.com', 'zlib', 'none'] as never } : {}),
      },
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        checkHostKey(policy, name, host.port, key).then(
          (err) => {
            hostKeyError = err;
            verify(err === null);
          },
          (err: Error) => {
            hostKeyError = { kind: 'host-key', reason: 'unknown', host: name, keyType: '', fingerprint: '', knownHostsFile: policy.knownHostsFile, message: `Cannot check the host key: ${err.message}` };
            verify(false);
          },
        );
      },
      authHandler: (methodsLeft, _partial, callback) => {
        // ssh2 takes `false` for "no more methods"; its types do not say so.
        const next = callback as (method: AnyAuthMethod | false) => void;
        nextAuth(methodsLeft).then(next, (err: Error) => {
          authError = { kind: 'auth', message: `Authentication for ${where} failed: ${err.message}` };
          next(false);
        });
      },
    });
  });
}

function forward(via: Client, host: ResolvedHost): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, host.host, host.port, (err, stream) => {
      if (err) {
        reject(new ProcscopeFailure({ kind: 'connection', message: `The jump host could not reach ${host.host}:${host.port}: ${err.message}`, hint: 'Check the destination from the jump host, and that it allows TCP forwarding (AllowTcpForwarding).' }));
      } else resolve(stream);
    });
  });
}

/** Connects to `host`, through its jump hosts or its ProxyCommand when it has them. */
export async function connectSsh(host: ResolvedHost, options: ConnectOptions): Promise<SshConnection> {
  const opened: Client[] = [];
  let proxy: ProxyStream | undefined;
  try {
    let via: Client | null = null;
    for (const hop of host.jumps) {
      if (via === null) {
        const conn = await connectSsh(hop, options);
        opened.push(...conn.jumps, conn.client);
        via = conn.client;
      } else {
        via = await connectOne(hop, options, await forward(via, hop));
        opened.push(via);
      }
    }
    if (!via && host.proxyCommand) proxy = startProxyCommand(host.proxyCommand, host.alias, options.log);
    const client = await connectOne(host, options, via ? await forward(via, host) : proxy, proxy);
    return {
      client,
      jumps: opened,
      host,
      close() {
        client.end();
        for (const c of [...opened].reverse()) c.end();
        proxy?.stop();
      },
    };
  } catch (err) {
    for (const c of opened.reverse()) c.end();
    proxy?.stop();
    throw err;
  }
}
