/** A node to inspect: this machine, or an SSH destination "[user@]host[:port]" ("[v6addr]:port" for IPv6). */
import { UsageError } from './errors';

export type Target = { kind: 'local' } | { kind: 'ssh'; host: string; user?: string; port?: number };

export function parseTarget(text: string | undefined): Target {
  if (text === undefined || text === '' || text === 'local') return { kind: 'local' };
  let rest = text;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let host = rest;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2] ? Number(bracketed[2]) : undefined;
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const [h, p] = rest.split(':');
    host = h!;
    port = Number(p);
  }
  if (!host || /[\s/]/.test(host) || host.startsWith('-')) throw new UsageError(`not a host: ${JSON.stringify(text)}`);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new UsageError(`not a port in ${JSON.stringify(text)}`);
  if (user !== undefined && (user === '' || /[\s:/]/.test(user))) throw new UsageError(`not a user name in ${JSON.stringify(text)}`);
  return { kind: 'ssh', host, ...(user ? { user } : {}), ...(port ? { port } : {}) };
}

export function formatSshTarget(user: string, host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${user}@${h}:${port}`;
}
