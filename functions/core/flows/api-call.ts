import type { apiRequest } from './schema';
import type { z } from 'zod';
import { interpolate, jsonEscape, type Variables } from './variables';
import type { FlowHost } from './runtime';

/**
 * One HTTP request of an API call node or a tool: `{{variables}}` substituted (URL-encoded in the
 * URL, JSON-escaped inside a JSON body), sent through the host (the SSRF-safe outbound port in
 * production), the answer parsed as JSON when it is.
 */
export interface ApiResult {
  status: number;
  url: string;
  text: string;
  json: unknown;
}

type ApiRequest = z.infer<typeof apiRequest>;

function looksLikeJson(text: string) {
  const t = text.trim();
  return t.startsWith('{') || t.startsWith('[');
}

export async function callApi(host: FlowHost, request: ApiRequest, vars: Variables, headers: Record<string, string>, signal: AbortSignal, timeoutMs: number): Promise<ApiResult> {
  const url = interpolate(request.url, vars, encodeURIComponent);
  let body: string | undefined;
  if (request.body !== undefined && request.method !== 'GET') {
    const json = looksLikeJson(request.body);
    body = interpolate(request.body, vars, json ? jsonEscape : undefined);
    if (json && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  const answer = await host.http({ url, method: request.method, headers, body, timeoutMs, signal });
  let json: unknown = null;
  try {
    json = answer.body ? JSON.parse(answer.body) : null;
  } catch {
    json = null;
  }
  return { status: answer.status, url, text: answer.body, json };
}
