/**
 * Keeps of a schema-valid snapshot only what the schema describes: a field procscope does not know is dropped
 * on import, so no view meets a value of a type it does not expect, and nothing unknown (a 100,000-deep nest)
 * travels further. The schema's own `properties`, `items` and `additionalProperties` guide the walk.
 */
export interface SchemaNode {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
}

export function pruneToSchema(schema: SchemaNode, value: unknown): unknown {
  if (Array.isArray(value)) return schema.items ? value.map((v) => pruneToSchema(schema.items!, v)) : value;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const known = schema.properties && Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
    if (known) out[key] = pruneToSchema(known, v);
    else if (typeof schema.additionalProperties === 'object') out[key] = pruneToSchema(schema.additionalProperties, v);
    else if (!schema.properties) out[key] = v;
  }
  return out;
}
