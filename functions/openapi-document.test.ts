import { describe, expect, it } from 'vitest';
import { createApp } from './app';
import { requestJobs } from './core/jobs/registry';
import { errorStatus } from './lib/errors';
import { createContractCheck } from './testing/contract';

// The document is built from the routes alone; no request reaches the services.
const app = createApp({
  services: () => {
    throw new Error('the OpenAPI document must not need the services');
  },
  jobs: requestJobs,
});

async function openApiDocument() {
  // The same generator /api/openapi.json runs, without the request middleware (which needs services).
  const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'VersaAI', version: '1.0.0' } });
  return JSON.parse(JSON.stringify(doc)) as Record<string, any>;
}

/** Every schema object in the document with where it sits, walked through every nesting keyword. */
function* schemasIn(node: unknown, where: string): Generator<[string, Record<string, unknown>]> {
  if (!node || typeof node !== 'object') return;
  const schema = node as Record<string, any>;
  yield [where, schema];
  for (const [key, value] of Object.entries(schema.properties ?? {})) yield* schemasIn(value, `${where}.${key}`);
  if (schema.items) yield* schemasIn(schema.items, `${where}[]`);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') yield* schemasIn(schema.additionalProperties, `${where}{}`);
  for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const [i, value] of (schema[keyword] ?? []).entries()) yield* schemasIn(value, `${where}|${keyword}${i}`);
  }
}

function* documentSchemas(doc: Record<string, any>): Generator<[string, Record<string, unknown>]> {
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) yield* schemasIn(schema, `#/components/schemas/${name}`);
  for (const [path, operations] of Object.entries<Record<string, any>>(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries<Record<string, any>>(operations)) {
      const at = `${method.toUpperCase()} ${path}`;
      for (const parameter of operation.parameters ?? []) yield* schemasIn(parameter.schema, `${at} parameter ${parameter.name}`);
      for (const [type, content] of Object.entries<any>(operation.requestBody?.content ?? {})) yield* schemasIn(content.schema, `${at} body ${type}`);
      for (const [status, response] of Object.entries<any>(operation.responses ?? {})) {
        for (const [type, content] of Object.entries<any>(response.content ?? {})) yield* schemasIn(content.schema, `${at} ${status} ${type}`);
      }
    }
  }
}

/** A schema that says what it accepts: a type, a reference, a composition, or a closed set. */
const SAYS_WHAT_IT_IS = ['type', '$ref', 'anyOf', 'oneOf', 'allOf', 'enum', 'const'];

describe('the OpenAPI document', () => {
  it('has no schema that accepts anything', async () => {
    const doc = await openApiDocument();
    const untyped = [...documentSchemas(doc)]
      .filter(([, schema]) => !SAYS_WHAT_IT_IS.some((keyword) => keyword in schema))
      .map(([where]) => where);
    expect(untyped).toEqual([]);
  });

  it('enumerates every error code the API can answer with', async () => {
    const doc = await openApiDocument();
    const code = doc.components.schemas.Error.properties.error.properties.code;
    expect([...code.enum].sort()).toEqual(Object.keys(errorStatus).sort());
  });

  it('documents an error body for every 4xx and 5xx response', async () => {
    const doc = await openApiDocument();
    const undocumented: string[] = [];
    for (const [path, operations] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, operation] of Object.entries<Record<string, any>>(operations)) {
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          const schema = response.content?.['application/json']?.schema;
          // /health's 503 is its report of which dependency is down, not an error.
          if (path === '/health') continue;
          // The OpenAI-compatible paths answer in OpenAI's error shape, for OpenAI's clients.
          const errorSchema = path.startsWith('/api/v1/openai/') ? '#/components/schemas/OpenAIError' : '#/components/schemas/Error';
          if (Number(status) >= 400 && schema?.$ref !== errorSchema) undocumented.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    expect(undocumented).toEqual([]);
  });
});

describe('the contract check the integration tests run on every response', () => {
  const contract = createContractCheck(app);

  it('accepts a documented status with a body of the documented shape', () => {
    const body = { error: { code: 'not_found', message: 'Chatbot not found' } };
    expect(contract.check('GET', '/api/v1/chatbots/7d1e0c52-0000-4000-8000-000000000000', 404, 'application/json', body)).toBeNull();
  });

  it('names the route when the body breaks the schema', () => {
    const body = { error: { code: 'no_such_code', message: 'x' } };
    expect(contract.check('GET', '/api/v1/chatbots/7d1e0c52-0000-4000-8000-000000000000', 404, 'application/json', body)).toMatch(
      /^GET \/api\/v1\/chatbots\/\{chatbot_id\} -> 404: body does not match/,
    );
  });

  it('names the route when the status is not documented', () => {
    expect(contract.check('GET', '/api/v1/chatbots', 500, 'application/json', {})).toMatch(/^GET \/api\/v1\/chatbots -> 500: status not documented/);
  });

  it('prefers the literal route over a parameter: /conversations/counts is not /conversations/{id}', () => {
    expect(contract.check('GET', '/api/v1/conversations/counts', 418, 'application/json', {})).toMatch(/\/api\/v1\/conversations\/counts -> 418/);
  });
});
