import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain JS module for the Workers bundler, without type declarations
import * as absent from './ai-gateway-absent/index.js';

/** The names `ai`'s bundle imports from @ai-sdk/gateway, read from the installed `ai` itself. */
function namesAiImportsFromGateway(): string[] {
  const entry = createRequire(import.meta.url).resolve('ai');
  const source = readFileSync(entry, 'utf8');
  const imports = [...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']@ai-sdk\/gateway["']/g)];
  return [...new Set(imports.flatMap((m) => m[1]!.split(',').map((part) => part.trim().split(/\s+as\s+/)[0]!).filter(Boolean)))];
}

describe('the AI Gateway stand-in of the Workers bundle', () => {
  it('exports every name ai imports from @ai-sdk/gateway', () => {
    const names = namesAiImportsFromGateway();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(absent, name).toHaveProperty(name);
  });

  it('never claims an error, so ai neither wraps nor retries one as a gateway error', () => {
    expect(absent.GatewayError.isInstance(new Error('boom'))).toBe(false);
    expect(absent.GatewayAuthenticationError.isInstance(new absent.GatewayAuthenticationError())).toBe(false);
  });

  it('explains itself when a string model id reaches it', () => {
    expect(() => absent.gateway.languageModel('openai/gpt-4o')).toThrow(/AI Gateway is not bundled/);
    expect(() => absent.createGateway({})).toThrow(/pass a provider model instance/);
  });
});
