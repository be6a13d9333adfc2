// Stands in for @ai-sdk/gateway in the Workers bundles (wrangler.toml [alias]): see README.md.
// `ai` imports these four names; only a string model id ("openai/gpt-4o") ever reaches them, and
// VersaAI always passes provider model instances (functions/core/models).

const unsupported = (what) => () => {
  throw new Error(`${what}: the Vercel AI Gateway is not bundled in VersaAI's Workers; pass a provider model instance`);
};

/** No error is ever a gateway error here: `ai` asks to decide whether to wrap or retry one. */
export class GatewayError extends Error {
  static isInstance() {
    return false;
  }
}
export class GatewayAuthenticationError extends GatewayError {}

export const createGateway = unsupported('createGateway');

/** `ai`'s default provider for string model ids: every model lookup explains itself. */
export const gateway = new Proxy(unsupported('gateway'), {
  get: (target, property) => (property === 'then' ? undefined : unsupported(`gateway.${String(property)}`)),
});
