/**
 * A fleet question as people type it: the CLI's options (`--port 6443 --name ^kube`) or the fleet view's search
 * box (`port:6443 name:^kube`, `6443`, `nginx`, `user:"www data"`). Both become one FleetQuery, checked the same way.
 */
import type { FleetQuery } from './query';
import { UsageError } from '../errors';

export const QUERY_FIELDS = ['port', 'name', 'cmdline', 'exe', 'container', 'pod', 'user'] as const;
export type QueryField = (typeof QUERY_FIELDS)[number];
export type QueryFields = Partial<Record<QueryField, string>>;

const MAX_TERM = 512;

/** A question that does not parse: a usage error (shared/errors.ts), said with the field it concerns. */
export class QueryError extends UsageError {}

function regex(field: string, text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (err) {
    throw new QueryError(`bad ${field}: ${(err as Error).message}`);
  }
}

/** Each field's text as the question: the port a number, name and cmdline regular expressions, the rest as written. */
export function queryFromFields(fields: QueryFields): FleetQuery {
  const q: FleetQuery = {};
  for (const field of QUERY_FIELDS) {
    const text = fields[field];
    if (text === undefined) continue;
    if (text.length > MAX_TERM) throw new QueryError(`bad ${field}: longer than ${MAX_TERM} characters`);
    if (field === 'port') {
      const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
      if (!(port > 0 && port < 65536)) throw new QueryError(`bad port: ${JSON.stringify(text)} (1 to 65535)`);
      q.port = port;
    } else if (field === 'name' || field === 'cmdline') q[field] = regex(field, text);
    else if (text === '') throw new QueryError(`bad ${field}: empty`);
    else q[field] = text;
  }
  return q;
}

const isField = (word: string): word is QueryField => (QUERY_FIELDS as readonly string[]).includes(word);

/**
 * `field:value` terms (a value in double quotes may hold spaces; `\"` and `\\` inside), combined with AND; a bare
 * number is a port, a bare word a name pattern. A field given twice is an error, not a silent choice.
 */
export function parseQueryText(text: string): FleetQuery {
  const fields: QueryFields = {};
  const set = (field: QueryField, value: string) => {
    if (fields[field] !== undefined) throw new QueryError(`${field} is given twice`);
    fields[field] = value;
  };
  const term = /\s*(?:([a-z]+):)?(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < text.length && (m = term.exec(text)) !== null) {
    at = term.lastIndex;
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
    if (m[1] !== undefined) {
      if (!isField(m[1])) throw new QueryError(`unknown field ${JSON.stringify(m[1])}: use ${QUERY_FIELDS.join(', ')}`);
      set(m[1], value);
    } else set(/^\d+$/.test(value) ? 'port' : 'name', value);
  }
  if (text.slice(at).trim() !== '') throw new QueryError(`cannot read ${JSON.stringify(text.slice(at).trim())} (an unclosed quote?)`);
  return queryFromFields(fields);
}

/** The question in the search box's words: `port:6443 name:^kube`. */
export function describeQuery(q: FleetQuery): string {
  const quote = (v: string) => (/[\s"]/.test(v) || v === '' ? `"${v.replace(/["\\]/g, '\\$&')}"` : v);
  return Object.entries(queryJson(q))
    .map(([f, v]) => `${f}:${quote(String(v))}`)
    .join(' ');
}

/** The question as JSON: each field's value, a pattern as its source. */
export function queryJson(q: FleetQuery): Partial<Record<QueryField, string | number>> {
  return Object.fromEntries(QUERY_FIELDS.flatMap((f) => (q[f] === undefined ? [] : [[f, q[f] instanceof RegExp ? q[f].source : q[f]]])));
}
