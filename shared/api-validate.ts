/**
 * Checks what a caller of the API sent before anything acts on it: the renderer is not trusted with the
 * node, and nothing it sends reaches a shell. Throws a `parse` ProcscopeFailure on a bad argument.
 */
import { type ApiMethod, type ApiRequests, type AuthMethod, type HostKeyDecision, MAX_INVENTORY_BYTES, type SavedNode } from './api';
import { checkAction, checkTargets } from './actions/actions';
import { fail } from './errors';
import { checkSettings } from './settings';
import { GROUP_NAME } from './fleet/saved-nodes';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const HOST = /^[A-Za-z0-9._:%[\]-]{1,255}$/;
const USER = /^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/;
const JUMP = /^[A-Za-z0-9._@:[\],%-]{1,1024}$/;

function bad(what: string): never {
  fail({ kind: 'parse', message: `Invalid argument: ${what}.` });
}

export function checkId(value: unknown, what = 'id'): string {
  if (typeof value !== 'string' || !ID.test(value)) bad(what);
  return value;
}

function optional<T>(value: unknown, check: (v: unknown) => T): T | undefined {
  return value === undefined || value === null || value === '' ? undefined : check(value);
}

/** A command node's command: one line of text; it runs only once approved outside the renderer. */
function checkCommand(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 4096 || /[\0\r\n]/.test(value)) bad('command');
  return value.trim();
}

export function checkNode(value: unknown): SavedNode {
  if (typeof value !== 'object' || value === null) bad('node');
  const v = value as Record<string, unknown>;
  const name = typeof v.name === 'string' ? v.name.trim() : '';
  if (name === '' || name.length > 100) bad('name');
  if (v.kind === 'command') {
    const groups = optional(v.groups, checkGroups);
    return { id: checkId(v.id, 'node id'), name, kind: 'command', host: 'command', command: checkCommand(v.command), auth: 'agent', ...(v.sudo === true ? { sudo: true } : {}), ...(groups?.length ? { groups } : {}), ...(v.readOnly === true ? { readOnly: true } : {}) };
  }
  if (v.kind !== undefined && v.kind !== 'ssh') bad('node kind');
  const auth = v.auth as AuthMethod;
  if (!['agent', 'key', 'password'].includes(auth)) bad('auth method');
  if (typeof v.host !== 'string' || !HOST.test(v.host) || v.host.startsWith('-')) bad('host');
  const port = optional(v.port, (p) => (Number.isInteger(p) && (p as number) > 0 && (p as number) < 65536 ? (p as number) : bad('port')));
  const user = optional(v.user, (u) => (typeof u === 'string' && USER.test(u) ? u : bad('user')));
  const identityFile = optional(v.identityFile, (f) => (typeof f === 'string' && f.length < 4096 && !f.includes('\0') ? f : bad('identity file')));
  const groups = optional(v.groups, checkGroups);
  const jump = optional(v.jump, (j) => (typeof j === 'string' && JUMP.test(j) && !j.startsWith('-') ? j : bad('jump host')));
  return {
    id: checkId(v.id, 'node id'),
    name,
    host: v.host,
    auth,
    ...(port !== undefined ? { port } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(identityFile !== undefined ? { identityFile } : {}),
    ...(jump !== undefined ? { jump } : {}),
    ...(v.sudo === true ? { sudo: true } : {}),
    ...(groups !== undefined && groups.length > 0 ? { groups } : {}),
    ...(v.readOnly === true ? { readOnly: true } : {}),
  };
}

function checkGroups(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > 32 || !value.every((g) => typeof g === 'string' && GROUP_NAME.test(g))) bad('groups');
  return [...new Set(value as string[])];
}

export function checkDecision(value: unknown): HostKeyDecision {
  if (value !== 'accept-once' && value !== 'accept-always' && value !== 'reject') bad('host key decision');
  return value;
}

const none = (): [] => [];
const connectionId = (args: unknown[]): [string] => [checkId(args[0], 'connection id')];
const nodeId = (args: unknown[]): [string] => [checkId(args[0], 'node id')];

function checkPids(value: unknown): number[] {
  if (!Array.isArray(value) || value.length > 16 || !value.every((p) => Number.isInteger(p) && p > 0 && p < 2 ** 31)) bad('detail pids');
  return value as number[];
}

function checkBase(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > 40) bad('base');
  return value;
}

function checkSnapshotText(value: unknown): string {
  if (typeof value !== 'string') bad('snapshot text');
  return value;
}

/**
 * Every method of the API with the check of its arguments. Its keys are the method list every transport
 * derives its plumbing from: adding a method is adding it to ApiRequests and here (the compiler asks for both).
 */
const ARG_CHECKS: { [K in ApiMethod]: (args: unknown[]) => ApiRequests[K]['args'] } = {
  capabilities: none,
  listNodes: none,
  saveNode: (args) => [checkNode(args[0])],
  removeNode: nodeId,
  importSshConfig: none,
  resolveNode: (args) => [checkNode(args[0])],
  connect: nodeId,
  disconnect: connectionId,
  collect: connectionId,
  refresh: (args) => [checkId(args[0], 'connection id'), checkPids(args[1]), checkBase(args[2])],
  answerHostKey: (args) => [checkId(args[0], 'prompt id'), checkDecision(args[1])],
  answerSecret: (args) => {
    const secret = args[1];
    if (secret !== null && (typeof secret !== 'string' || secret.length > 4096)) bad('secret');
    return [checkId(args[0], 'prompt id'), secret, args[2] === true];
  },
  exportSnapshot: (args) => {
    if (typeof args[0] !== 'string') bad('snapshot');
    if (typeof args[1] !== 'string' || !/^[A-Za-z0-9._ -]{1,120}$/.test(args[1])) bad('file name');
    return [args[0], args[1]];
  },
  importSnapshot: none,
  checkSnapshot: (args) => [checkSnapshotText(args[0])],
  importInventory: (args) => {
    const v = args[0] as Record<string, unknown> | null;
    if (typeof v !== 'object' || v === null) bad('inventory source');
    if (v.kind === 'file') {
      if (typeof v.name !== 'string' || v.name === '' || v.name.length > 255 || /[\0-\x1f]/.test(v.name)) bad('inventory file name');
      if (typeof v.text !== 'string' || v.text.length > MAX_INVENTORY_BYTES) bad('inventory file text');
      return [{ kind: 'file', name: v.name, text: v.text }];
    }
    if (v.kind !== 'named' || typeof v.spec !== 'string' || v.spec.trim() === '' || v.spec.length > 4096 || /[\0\r\n]/.test(v.spec)) bad('inventory source');
    return [{ kind: 'named', spec: v.spec.trim() }];
  },
  fleetStatus: none,
  getSettings: none,
  saveSettings: (args) => [checkSettings(args[0])],
  actOnProcesses: (args) => {
    const id = checkId(args[0], 'connection id');
    try {
      return [id, checkTargets(args[1]), checkAction(args[2])];
    } catch (err) {
      return bad((err as Error).message);
    }
  },
  fleetAsk: (args) => {
    if (!Array.isArray(args[0]) || args[0].length > 10_000) bad('node ids');
    if (typeof args[1] !== 'string' || args[1].length > 4096) bad('query');
    return [(args[0] as unknown[]).map((id) => checkId(id, 'node id')), args[1]];
  },
};

export const API_METHODS = Object.keys(ARG_CHECKS) as ApiMethod[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.hasOwn(ARG_CHECKS, name);
}

/** Checks the arguments of one request; returns them as the handler's types. */
export function checkArgs<K extends ApiMethod>(method: K, args: unknown[]): ApiRequests[K]['args'] {
  return ARG_CHECKS[method](args);
}
