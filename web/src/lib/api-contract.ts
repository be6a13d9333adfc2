/**
 * The API's types as the dashboard sees them, derived from the generated OpenAPI types
 * (api-types.gen.ts, `npm run gen:api`) so a field is defined once: in the route's zod schema.
 */
import type { components, paths } from './api-types.gen';

export type Schemas = components['schemas'];
export type ApiPath = keyof paths;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type SuccessOf<R> = JsonOf<R[200 & keyof R]> | JsonOf<R[201 & keyof R]>;

/** The JSON a path answers with on success (200 or 201). */
export type ApiResponse<P extends ApiPath, M extends Method = 'get'> = paths[P][M] extends { responses: infer R }
  ? SuccessOf<R>
  : never;

/** The JSON body a path accepts. */
export type ApiBody<P extends ApiPath, M extends Method = 'post'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

/** The query parameters a path accepts. */
export type ApiQuery<P extends ApiPath, M extends Method = 'get'> = paths[P][M] extends { parameters: { query?: infer Q } }
  ? NonNullable<Q>
  : never;

/** One item of a `{ data: T[] }` list response. */
export type ListItem<T> = T extends { data: (infer I)[] } ? I : never;
