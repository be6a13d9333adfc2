/**
 * Response headers for the dashboard's pages, one definition for every way they are served:
 * the Node server (built files), the Vite dev server, and Workers static assets (a `_headers`
 * file the web build writes). The API's JSON and the Scalar page get theirs in `app.ts`.
 *
 * `/widget.js` gets these headers too, which is harmless: CSP and framing headers only govern
 * documents, and the widget runs as a script inside the customer's page, never in a frame of ours.
 */
const policy = (directives: Record<string, string[]>) =>
  Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');

const dashboardDirectives = (dev: boolean): Record<string, string[]> => ({
  'default-src': ["'self'"],
  // Vite's dev server injects React Refresh's inline preamble; the build has no inline script
  // (the theme bootstrap is /theme.js).
  'script-src': dev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
  // React and Recharts set style attributes and the widget preview injects <style>; styles
  // cannot run code, so this is not the hole `unsafe-inline` is for scripts.
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  // Vite's hot reload talks over a WebSocket to the same host.
  'connect-src': dev ? ["'self'", 'ws:', 'wss:'] : ["'self'"],
  // The chatbot install tab previews the widget in a srcdoc frame.
  'frame-src': ["'self'"],
  'worker-src': ["'self'", 'blob:'],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
});

export function dashboardSecurityHeaders(options: { dev?: boolean } = {}): Record<string, string> {
  return {
    'Content-Security-Policy': policy(dashboardDirectives(options.dev ?? false)),
    'X-Frame-Options': 'DENY',
    // Verification, reset and invitation links carry their token in the URL: never send it on.
    'Referrer-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

/** The same headers in Cloudflare's `_headers` format, for Workers static assets. */
export function dashboardHeadersFile(): string {
  const lines = Object.entries(dashboardSecurityHeaders()).map(([name, value]) => `  ${name}: ${value}`);
  return `# Written by the web build (functions/lib/security-headers.ts); Workers static assets apply it.\n/*\n${lines.join('\n')}\n`;
}

/** The API reference page (/api/docs): Scalar's inline bootstrap runs by nonce. */
export const docsPolicy = {
  defaultSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Everything else the API answers is data, never a document to render or frame. */
export const apiPolicy = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
};
