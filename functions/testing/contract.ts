import type { z } from '@hono/zod-openapi';
import type { App } from '../app';

/**
 * The API contract, checked on every response the integration tests receive: the status must be
 * one the route documents, and a JSON body must parse with the documented schema. A route that
 * answers what `/api/openapi.json` does not promise fails the test that called it, naming the
 * route, so the document cannot drift from the handlers.
 */
export interface ContractCheck {
  /** Returns a description of the breach, or null when the response keeps the contract. */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown): string | null;
}

interface DocumentedRoute {
  method: string;
  template: string;
  pattern: RegExp;
  literalSegments: number;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** Statuses any route may answer although none documents them: the server's own guards. */
const UNDOCUMENTED_BUT_EXPECTED = new Set([
  413, // the body limit, before any route runs
  421, // Host check (DNS rebinding), before any route runs
]);

export function createContractCheck(app: App): ContractCheck {
  const routes = documentedRoutes(app);
  return {
    check(method, url, status, contentType, body) {
      const path = new URL(url, 'http://x').pathname;
      const route = findRoute(routes, method.toLowerCase(), path);
      if (!route) return null; // not an API route (static assets, the widget script…)
      const where = `${method.toUpperCase()} ${route.template} -> ${status}`;
      const documented = route.responses[String(status)];
      if (!documented) {
        return UNDOCUMENTED_BUT_EXPECTED.has(status) ? null : `${where}: status not documented in the OpenAPI document`;
      }
      const schema = documented.content?.['application/json']?.schema as z.ZodType | undefined;
      if (!schema || !contentType?.includes('application/json')) return null;
      const parsed = schema.safeParse(body);
      if (parsed.success) return null;
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      return `${where}: body does not match the documented schema (${issues.join('; ')})`;
    },
  };
}

function documentedRoutes(app: App): DocumentedRoute[] {
  const definitions = (app as unknown as { openAPIRegistry: { definitions: Array<{ type: string; route?: { method: string; path: string; responses: DocumentedRoute['responses'] } }> } })
    .openAPIRegistry.definitions;
  return definitions.flatMap((definition) => {
    if (definition.type !== 'route' || !definition.route) return [];
    const { method, path, responses } = definition.route;
    const segments = path.split('/');
    const pattern = new RegExp(`^${segments.map((s) => (s.startsWith('{') ? '[^/]+' : escapeRegExp(s))).join('/')}/?$`);
    return [{ method, template: path, pattern, literalSegments: segments.filter((s) => !s.startsWith('{')).length, responses }];
  });
}

/** The most specific documented route for a path: `/conversations/counts` before `/conversations/{id}`. */
function findRoute(routes: DocumentedRoute[], method: string, path: string): DocumentedRoute | undefined {
  return routes
    .filter((route) => route.method === method && route.pattern.test(path))
    .sort((a, b) => b.literalSegments - a.literalSegments)[0];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
