export { schemaErrors } from '../../shared/snapshot/validate';

let diffValidator: ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null } = null as never;

/** Checks a `procscope diff --json` document against shared/snapshot/diff.schema.json. */
export function diffSchemaErrors(diff: unknown): string[] {
  if (!diffValidator) {
    const Ajv2020 = (require('ajv/dist/2020') as typeof import('ajv/dist/2020')).default;
    const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    diffValidator = ajv.compile(require('../../shared/snapshot/diff.schema.json') as object);
  }
  if (diffValidator(diff)) return [];
  return (diffValidator.errors ?? []).slice(0, 20).map((e) => `${e.instancePath} ${e.message}`);
}
