/** Validates a snapshot against shared/snapshot/snapshot.schema.json with Ajv (draft 2020-12). */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import schema from './snapshot.schema.json';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

export function schemaErrors(snapshot: unknown): string[] {
  if (validate(snapshot)) return [];
  return (validate.errors ?? []).slice(0, 20).map((e) => `${e.instancePath} ${e.message}`);
}
