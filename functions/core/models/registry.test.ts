import { APICallError } from 'ai';
import { describe, expect, it } from 'vitest';
import { OutboundRefused, OutboundTimeout } from '../../lib/network';
import { describeModelFailure } from './registry';

const apiError = (statusCode: number, responseBody: string) =>
  new APICallError({ message: responseBody, url: 'http://llm.example.test/v1/chat/completions', requestBodyValues: {}, statusCode, responseBody });

describe('what a failed model call leaves on the message', () => {
  it.each([
    [401, 'The provider answered HTTP 401 (invalid key or no access)'],
    [403, 'The provider answered HTTP 403 (invalid key or no access)'],
    [404, 'The provider answered HTTP 404 (model or endpoint not found)'],
    [429, 'The provider answered HTTP 429 (rate limited or out of quota)'],
    [400, 'The provider answered HTTP 400 (request rejected)'],
    [502, 'The provider answered HTTP 502 (provider error)'],
  ])('HTTP %i keeps the status and its class, never the body', (status, expected) => {
    const described = describeModelFailure(apiError(status, '<html>internal admin panel: db password hunter2</html>'));
    expect(described).toBe(expected);
    expect(described).not.toContain('hunter2');
  });

  it('names refusals, timeouts and unreachable servers without their details', () => {
    expect(describeModelFailure(new OutboundRefused('llm.example.test resolves to 10.0.0.5, a private address.'))).toBe(
      'Refused address: llm.example.test resolves to 10.0.0.5, a private address.',
    );
    expect(describeModelFailure(new Error('wrapped', { cause: new OutboundTimeout('slow') }))).toBe('Timed out: the provider did not answer in time');
    expect(describeModelFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toMatch(/^Timed out/);
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:11434'), { code: 'ECONNREFUSED' }) });
    expect(describeModelFailure(refused)).toBe('Unreachable: could not connect to the provider (ECONNREFUSED)');
    expect(describeModelFailure(new Error('Unexpected token < in JSON: <html>secret</html>'))).toBe('The model call failed');
  });
});
