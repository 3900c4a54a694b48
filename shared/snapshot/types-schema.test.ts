/**
 * The snapshot's types (types.ts) and its schema (snapshot.schema.json) describe one format: every field of one is a
 * field of the other, at every depth, and a union of strings is the schema's enum. Import prunes what the schema
 * does not name, so a field added to the types alone would vanish on export and import; this test says which.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  enum?: unknown[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
}

const typesFile = join(__dirname, 'types.ts');
const schema = JSON.parse(readFileSync(join(__dirname, 'snapshot.schema.json'), 'utf8')) as SchemaNode;

/** Differences between a type and a schema node, as "path: what" lines. */
const program = ts.createProgram([typesFile], { strict: true, noEmit: true });
const checker = program.getTypeChecker();

function drift(rootName: string, root: SchemaNode): string[] {
  const source = program.getSourceFile(typesFile)!;
  const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === rootName)!;
  const out: string[] = [];
  const seen = new Set<ts.Type>();

  /** The schema's variants of a node (anyOf/oneOf), or the node itself. */
  const variants = (node: SchemaNode): SchemaNode[] => node.anyOf ?? node.oneOf ?? [node];

  const walk = (type: ts.Type, node: SchemaNode, path: string) => {
    const parts = type.isUnion() ? type.types : [type];
    const defined = parts.filter((t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
    const literals = defined.filter((t) => t.isStringLiteral()).map((t) => (t as ts.StringLiteralType).value);
    const schemaEnum = variants(node).flatMap((v) => (v.enum ?? []) as unknown[]).filter((v): v is string => typeof v === 'string');
    if (literals.length > 1 && literals.length === defined.length && schemaEnum.length > 0) {
      const missing = literals.filter((l) => !schemaEnum.includes(l));
      const extra = schemaEnum.filter((l) => !literals.includes(l));
      if (missing.length || extra.length) out.push(`${path}: enum differs (types only: ${missing.join(', ') || '-'}; schema only: ${extra.join(', ') || '-'})`);
    }
    for (const t of defined) {
      if (checker.isArrayType(t)) {
        const element = checker.getTypeArguments(t as ts.TypeReference)[0]!;
        const items = variants(node).find((v) => v.items)?.items;
        if (!items) out.push(`${path}: an array in the types, not in the schema`);
        else walk(element, items, `${path}[]`);
        continue;
      }
      if (!(t.flags & ts.TypeFlags.Object) || seen.has(t)) continue;
      const index = t.getStringIndexType();
      const objectNode = variants(node).find((v) => v.properties || typeof v.additionalProperties === 'object');
      if (index) {
        const values = objectNode?.additionalProperties;
        if (typeof values === 'object') walk(index, values, `${path}{}`);
        else out.push(`${path}: a map in the types, not in the schema`);
        continue;
      }
      const props = checker.getPropertiesOfType(t);
      if (props.length === 0) continue;
      seen.add(t);
      const schemaProps = objectNode?.properties ?? {};
      for (const prop of props) {
        const child = schemaProps[prop.name];
        if (!child) {
          out.push(`${path}.${prop.name}: in the types, not in the schema`);
          continue;
        }
        walk(checker.getTypeOfSymbolAtLocation(prop, decl), child, `${path}.${prop.name}`);
      }
      for (const name of Object.keys(schemaProps)) if (!props.some((p) => p.name === name)) out.push(`${path}.${name}: in the schema, not in the types`);
      seen.delete(t);
    }
  };
  walk(checker.getDeclaredTypeOfSymbol(checker.getSymbolAtLocation(decl.name)!), root, rootName);
  return out;
}

describe('the snapshot types and schema', () => {
  it('name the same fields at every depth, and the same strings where a field is one of a few', () => {
    expect(drift('Snapshot', schema)).toEqual([]);
  });

  it.each([
    ['a field of the types missing from the schema', (n: SchemaNode) => delete n.properties!.processes!.items!.properties!.ppid, 'Snapshot.processes[].ppid: in the types, not in the schema'],
    ['a deep one', (n: SchemaNode) => delete n.properties!.containers!.items!.properties!.resources!.properties!.oomKills, 'Snapshot.containers[].resources.oomKills: in the types, not in the schema'],
    ['a field of the schema alone', (n: SchemaNode) => (n.properties!.node!.properties!.oomScore = { type: 'integer' }), 'Snapshot.node.oomScore: in the schema, not in the types'],
    ['a string the schema does not allow', (n: SchemaNode) => (n.properties!.containers!.items!.properties!.runtime!.enum = ['docker', 'containerd', 'cri-o', 'podman', 'lxc', 'other']), 'Snapshot.containers[].runtime: enum differs (types only: systemd-nspawn; schema only: -)'],
  ] as [string, (n: SchemaNode) => unknown, string][])('tells %s', (_what, change, line) => {
    const changed = structuredClone(schema);
    change(changed);
    expect(drift('Snapshot', changed)).toContain(line);
  });
});
