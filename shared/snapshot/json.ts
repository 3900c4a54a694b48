/**
 * A snapshot's JSON in pieces, for writing without building one string of it all: at 10,000 processes that
 * string and its encoding cost tens of MB of peak memory. The pieces, joined, are exactly
 * JSON.stringify(snapshot, null, indent).
 */
export function* jsonChunks(value: object, indent: 0 | 2 = 0, elementsPerChunk = 256): Generator<string> {
  const nl = indent ? '\n' : '';
  const pad = (depth: number) => ' '.repeat(indent * depth);
  const nested = (v: unknown, depth: number) => {
    const text = JSON.stringify(v, null, indent || undefined);
    return indent ? text.replace(/\n/g, `\n${pad(depth)}`) : text;
  };
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  yield '{';
  for (const [i, [key, v]] of entries.entries()) {
    let piece = `${i > 0 ? ',' : ''}${nl}${pad(1)}${JSON.stringify(key)}:${indent ? ' ' : ''}`;
    if (!Array.isArray(v) || v.length === 0) {
      yield piece + nested(v, 1);
      continue;
    }
    piece += '[';
    for (let at = 0; at < v.length; at += elementsPerChunk) {
      for (let j = at; j < Math.min(v.length, at + elementsPerChunk); j++) {
        const element = v[j] === undefined || typeof v[j] === 'function' || typeof v[j] === 'symbol' ? 'null' : nested(v[j], 2);
        piece += `${j > 0 ? ',' : ''}${nl}${pad(2)}${element}`;
      }
      yield piece;
      piece = '';
    }
    yield `${nl}${pad(1)}]`;
  }
  yield `${nl}}`;
}
