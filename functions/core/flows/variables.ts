/** Flow variables and `{{placeholders}}`: one substitution for texts, URLs and request bodies. */
export type Variables = Record<string, unknown>;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}/g;

/** `items.0.name` inside a value; undefined when any step is missing. */
export function readPath(value: unknown, path: string): unknown {
  if (!path) return value;
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Replaces `{{name}}` and `{{name.path}}`; unknown names become empty. `encode` escapes each value (URLs, JSON). */
export function interpolate(template: string, variables: Variables, encode: (text: string) => string = (t) => t): string {
  return template.replace(PLACEHOLDER, (_, path: string) => encode(asText(readPath(variables, path))));
}

/** Escapes a value for the inside of a JSON string literal. */
export function jsonEscape(text: string) {
  return JSON.stringify(text).slice(1, -1);
}
