/**
 * A small JSON Schema validator for the subset the OpenAPI document uses in its answers: type
 * (with type arrays for nullable), properties, required, additionalProperties, items, enum,
 * oneOf and local $ref. Annotations are ignored; any other keyword fails loudly, so the
 * document cannot rely on an assertion this checker would silently skip.
 */
export type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['description', 'format', 'title', 'default', 'example', 'examples', 'contentMediaType', 'contentEncoding']);
const CHECKED = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'oneOf', '$ref']);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function hasType(v: unknown, t: string): boolean {
  if (t === 'integer') return Number.isInteger(v);
  return typeOf(v) === t;
}

/** Resolves `#/a/b` against the document. */
function resolve(root: unknown, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
  let node = root;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown> | undefined)?.[part];
  if (!node || typeof node !== 'object') throw new Error(`unresolved $ref ${ref}`);
  return node as Schema;
}

/** Every way `value` breaks `schema`, as "<path>: <problem>"; empty when it conforms. */
export function schemaErrors(schema: Schema, value: unknown, root: unknown, at = '$'): string[] {
  for (const k of Object.keys(schema)) {
    if (!ANNOTATIONS.has(k) && !CHECKED.has(k)) throw new Error(`schema-check does not support "${k}" (at ${at})`);
  }
  if (typeof schema.$ref === 'string') return schemaErrors(resolve(root, schema.$ref), value, root, at);
  const errors: string[] = [];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => hasType(value, t))) return [`${at}: expected ${types.join(' or ')}, got ${typeOf(value)}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (Array.isArray(schema.oneOf)) {
    const passing = (schema.oneOf as Schema[]).filter((s) => schemaErrors(s, value, root, at).length === 0).length;
    if (passing !== 1) errors.push(`${at}: matches ${passing} of the oneOf schemas, not exactly one`);
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const k of (schema.required ?? []) as string[]) if (!(k in obj)) errors.push(`${at}: missing required "${k}"`);
    for (const [k, v] of Object.entries(obj)) {
      const sub = (props[k] ?? schema.additionalProperties) as Schema | boolean | undefined;
      if (sub === false) errors.push(`${at}: unexpected property "${k}"`);
      else if (sub && typeof sub === 'object') errors.push(...schemaErrors(sub as Schema, v, root, `${at}.${k}`));
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => errors.push(...schemaErrors(schema.items as Schema, item, root, `${at}[${i}]`)));
  }
  return errors;
}
