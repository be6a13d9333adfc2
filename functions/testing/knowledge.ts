import { expect } from 'vitest';
import type { TestApi, TestUser } from './harness';

/** Helpers for the knowledge-base tests: a user with an organization and one knowledge base, and waiting for documents. */
export async function setupKnowledgeBase(api: TestApi): Promise<{ user: TestUser; kbId: string; base: string }> {
  const user = await api.signUp();
  await api.createOrg(user);
  const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'Ayuda', description: 'Centro de ayuda' } });
  expect(kb.status, kb.text).toBe(201);
  return { user, kbId: kb.body.id, base: `/api/v1/knowledge-bases/${kb.body.id}` };
}

/** Runs queued jobs until the document settles (retries wait for their back-off, so drain again). */
export async function settledDocument(api: TestApi, user: TestUser, base: string, docId: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await api.runtime.queue.drain({ timeoutMs: 60_000 });
    const res = await api.call('GET', `${base}/documents/${docId}`, { token: user.token });
    expect(res.status, res.text).toBe(200);
    if (res.body.status === 'ready' || res.body.status === 'failed' || Date.now() > deadline) return res.body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function searchKnowledgeBase(api: TestApi, user: TestUser, base: string, query: string, extra: Record<string, unknown> = {}) {
  const res = await api.call('POST', `${base}/search`, { token: user.token, body: { query, ...extra } });
  expect(res.status, res.text).toBe(200);
  return res.body.data as Array<{ documentId: string; documentName: string; content: string; location: { page?: number; url?: string; headings?: string[] }; retrievers: string[]; score: number }>;
}
