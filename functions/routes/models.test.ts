import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('chat models', () => {
  it('without any provider key only the built-in answerer is available, and it is the default', async () => {
    const owner = await api.signUp();
    await api.createOrg(owner);
    const res = await api.call('GET', '/api/v1/models', { token: owner.token });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.filter((m: { available: boolean }) => m.available).map((m: { id: string }) => m.id)).toEqual(['builtin:extractive']);
    expect(res.body.data.some((m: { provider: string; available: boolean }) => m.provider === 'openai' && !m.available)).toBe(true);
    expect(res.body.defaultModel).toBe('builtin:extractive');
  });
});
