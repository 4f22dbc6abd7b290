import { z, type ZodType } from 'zod';
import { errorEnvelopeSchema } from '@cityhub/shared';
import type { RouteSpec } from './api-router';

type JsonSchema = Record<string, unknown>;

/**
 * Converts a zod schema to JSON Schema (OpenAPI 3.1 speaks JSON Schema 2020-12)
 * and hoists named sub-schemas (`.meta({ id })`) into components.
 */
function toSchema(schema: ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') {
      const out: JsonSchema = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === '$ref' && typeof v === 'string') out[k] = v.replace('#/$defs/', '#/components/schemas/');
        else if (k !== '$schema' && k !== 'id') out[k] = rewrite(v);
      }
      return out;
    }
    return value;
  };
  const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
  delete json.$defs;
  for (const [name, def] of Object.entries(defs)) components[name] = rewrite(def) as JsonSchema;
  const id = typeof json.id === 'string' ? json.id : undefined;
  const body = rewrite(json) as JsonSchema;
  if (!id) return body;
  components[id] = body;
  return { $ref: `#/components/schemas/${id}` };
}

function queryParameters(schema: ZodType, location: 'query' | 'path', components: Record<string, JsonSchema>) {
  const json = toSchema(schema, 'input', components);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: property,
  }));
}

/** Builds the OpenAPI 3.1 document of the public API from the route specs. */
export function buildOpenApiDocument(specs: RouteSpec[], info: { title: string; version: string }): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  const errorRef = toSchema(errorEnvelopeSchema, 'output', components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const path = spec.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters = [
      ...(spec.params ? queryParameters(spec.params, 'path', components) : []),
      ...(spec.query ? queryParameters(spec.query, 'query', components) : []),
    ];
    const status = String(spec.status ?? 200);
    paths[path] ??= {};
    paths[path][spec.method] = {
      summary: spec.summary,
      tags: [spec.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(spec.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(spec.body, 'input', components) } } } }
        : {}),
      responses: {
        [status]: {
          description: 'success',
          ...(status === '204' ? {} : { content: { 'application/json': { schema: toSchema(spec.response, 'output', components) } } }),
        },
        default: {
          description: `error envelope${spec.errors?.length ? ` (codes include ${spec.errors.join(', ')})` : ''}`,
          content: { 'application/json': { schema: errorRef } },
        },
      },
    };
  }
  return { openapi: '3.1.0', info, paths, components: { schemas: components } };
}
