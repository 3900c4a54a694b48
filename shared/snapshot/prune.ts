/**
 * Keeps of a schema-valid snapshot only what the schema describes: a field procscope does not know is dropped
 * on import, so no view meets a value of a type it does not expect, and nothing unknown (a 100,000-deep nest)
 * travels further. The schema's own `properties`, `items` and `additionalProperties` guide the walk.
 *
 * It prunes in place: the value is a tree JSON.parse just made, which no one else holds, and at 10,000 processes a
 * copy of it cost a quarter of a second and as much again in garbage collection.
 */
export interface SchemaNode {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
}

export function pruneToSchema(schema: SchemaNode, value: unknown): unknown {
  if (Array.isArray(value)) {
    if (schema.items) for (let i = 0; i < value.length; i++) value[i] = pruneToSchema(schema.items, value[i]);
    return value;
  }
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  const { properties, additionalProperties } = schema;
  for (const key of Object.keys(object)) {
    const known = properties && Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (known) object[key] = pruneToSchema(known, object[key]);
    else if (typeof additionalProperties === 'object') object[key] = pruneToSchema(additionalProperties, object[key]);
    else if (properties) delete object[key];
  }
  return object;
}
