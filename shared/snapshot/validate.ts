/**
 * Validates a snapshot against shared/snapshot/snapshot.schema.json (JSON Schema 2020-12). The validator is made on
 * first use: in dist/, the one compiled at build time (scripts/compile-schema.js writes validate-compiled.js beside
 * this file); from the sources, Ajv compiles it then. So a command that never validates never pays for it.
 */
import type { ValidateFunction } from 'ajv';

let validate: ValidateFunction | null = null;

function validator(): ValidateFunction {
  if (validate) return validate;
  try {
    validate = require('./validate-compiled.js') as ValidateFunction;
  } catch {
    const Ajv2020 = (require('ajv/dist/2020') as typeof import('ajv/dist/2020')).default;
    const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(require('./snapshot.schema.json') as object);
  }
  return validate;
}

export function schemaErrors(snapshot: unknown): string[] {
  const check = validator();
  if (check(snapshot)) return [];
  return (check.errors ?? []).slice(0, 20).map((e) => `${e.instancePath} ${e.message}`);
}
