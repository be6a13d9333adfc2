import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../db/schema';
import { attachmentsOf } from '../core/channels/attachments';
import { createTestApi, type TestApi } from '../testing/harness';
import { createTeam, uploadAgentFile, widgetVisitor, type Team } from '../testing/inbox';
import { openSse } from '../testing/sse-client';

/**
 * Files in widget conversations: an agent sends one from the inbox, the visitor sees it in the
 * widget (history and live) and reads the bytes with their own session token, and nobody else
 * does: not a visitor of another conversation, not another bot's, not without a session.
 */
let api: TestApi;

beforeAll(async () => {
  api = await createTestApi({ env: { EVENTS_POLL_MS: '50', EVENTS_STREAM_SECONDS: '20' } });
});
afterAll(() => api.close());

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, ...new Array(300).fill(9), 0xff, 0xd9]);

const agentOf = (team: Team) => ({ token: team.owner.token, orgId: team.orgId });

function fileUrl(botId: string, messageId: string, index = 0) {
  return `${api.baseUrl}/api/v1/widget/${botId}/messages/${messageId}/attachments/${index}`;
}

function readFile(botId: string, messageId: string, token?: string, index = 0) {
  return fetch(fileUrl(botId, messageId, index), { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

async function sendToVisitor(team: Team, conversationId: string, file: File, caption?: string) {
  const sent = await uploadAgentFile(api, agentOf(team), conversationId, file, caption);
  expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  return sent.body as { id: string };
}

async function widgetHistory(botId: string, token: string) {
  const res = await api.call('GET', `/api/v1/widget/${botId}/messages`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, res.text).toBe(200);
  return res.body.data as Array<{ id: string; role: string; content: string; attachments?: Array<Record<string, unknown>> }>;
}

describe('files in widget conversations', () => {
  it('an agent\u2019s image reaches the visitor live and in history, and its bytes with the session token', async () => {
    const team = await createTeam(api);
    const visitor = await widgetVisitor(api, team.botId);
    const live = await openSse(`${api.baseUrl}/api/v1/widget/${team.botId}/events`, { authorization: `Bearer ${visitor.token}` });
    await live.waitFor((e) => e.event === 'ready');

    const sent = await sendToVisitor(team, visitor.conversationId, new File([JPEG], 'recibo.jpg', { type: 'image/jpeg' }), 'Aquí tienes');
    const expected = { kind: 'image', status: 'stored', mimeType: 'image/jpeg', size: JPEG.byteLength, filename: 'recibo.jpg' };
    const event = await live.waitFor((e) => e.event === 'message' && e.data.id === sent.id);
    live.close();
    expect(event.data).toMatchObject({ role: 'agent', content: 'Aquí tienes', attachments: [expected] });
    // Where the bytes are stored names the organization: the visitor never learns it.
    expect(JSON.stringify(event.data)).not.toContain('blobKey');

    const history = await widgetHistory(team.botId, visitor.token);
    expect(history.find((m) => m.id === sent.id)?.attachments).toEqual([expected]);

    const file = await readFile(team.botId, sent.id, visitor.token);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-disposition')).toBe(`inline; filename="recibo.jpg"; filename*=UTF-8''recibo.jpg`);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(JPEG);
  });

  it('refuses without a session, to another conversation\u2019s visitor, and for a file that is not there', async () => {
    const team = await createTeam(api);
    const visitor = await widgetVisitor(api, team.botId);
    const sent = await sendToVisitor(team, visitor.conversationId, new File([JPEG], 'a.jpg', { type: 'image/jpeg' }));

    expect((await readFile(team.botId, sent.id)).status).toBe(401);
    expect((await readFile(team.botId, sent.id, 'not-a-session')).status).toBe(401);
    const stranger = await widgetVisitor(api, team.botId);
    expect((await readFile(team.botId, sent.id, stranger.token)).status).toBe(404);
    expect((await readFile(team.botId, sent.id, visitor.token, 1)).status).toBe(404);
    expect((await readFile(team.botId, crypto.randomUUID(), visitor.token)).status).toBe(404);
  });

  it('cross-tenant: another organization\u2019s bot and visitor read nothing of it', async () => {
    const team = await createTeam(api);
    const visitor = await widgetVisitor(api, team.botId);
    const sent = await sendToVisitor(team, visitor.conversationId, new File([JPEG], 'a.jpg', { type: 'image/jpeg' }));

    const other = await createTeam(api);
    const outsider = await widgetVisitor(api, other.botId);
    // Through the other bot: the session is valid there, but the message is not in its conversation.
    expect((await readFile(other.botId, sent.id, outsider.token)).status).toBe(404);
    // Through this bot: the other bot's session is no session here.
    expect((await readFile(team.botId, sent.id, outsider.token)).status).toBe(401);
    // The visitor's own token does not open the other bot's door either.
    expect((await readFile(other.botId, sent.id, visitor.token)).status).toBe(401);
  });

  it('HTML and SVG are never served inline: downloads of plain bytes', async () => {
    const team = await createTeam(api);
    const visitor = await widgetVisitor(api, team.botId);
    const html = await sendToVisitor(team, visitor.conversationId, new File(['<html><script>alert(1)</script></html>'], 'page.html', { type: 'text/html' }));
    const svg = await sendToVisitor(team, visitor.conversationId, new File(['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'], 'logo.svg', { type: 'image/svg+xml' }));

    for (const [sent, name] of [[html, 'page.html'], [svg, 'logo.svg']] as const) {
      const res = await readFile(team.botId, sent.id, visitor.token);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="${name}"`));
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const history = await widgetHistory(team.botId, visitor.token);
    expect(history.find((m) => m.id === svg.id)?.attachments?.[0]).toMatchObject({ kind: 'document', filename: 'logo.svg' });
  });

  it('a private note\u2019s file stays inside, even in the visitor\u2019s own conversation', async () => {
    const team = await createTeam(api);
    const visitor = await widgetVisitor(api, team.botId);
    const sent = await sendToVisitor(team, visitor.conversationId, new File([JPEG], 'a.jpg', { type: 'image/jpeg' }));
    // The inbox does not attach files to notes; a note that carries one (an import, a future feature) must still not leak.
    const [stored] = await api.runtime.services.db.select().from(messages).where(eq(messages.id, sent.id));
    const [note] = await api.runtime.services.db
      .insert(messages)
      .values({ organizationId: team.orgId, conversationId: visitor.conversationId, role: 'note', content: 'interno', channel: 'web', metadata: { attachments: attachmentsOf(stored.metadata) } })
      .returning();

    expect((await readFile(team.botId, note.id, visitor.token)).status).toBe(404);
    expect((await readFile(team.botId, sent.id, visitor.token)).status).toBe(200);
    expect((await widgetHistory(team.botId, visitor.token)).some((m) => m.id === note.id)).toBe(false);
  });

  it('the visitor\u2019s files route answers CORS for the bot\u2019s allowed origins only', async () => {
    const team = await createTeam(api, { allowedOrigins: ['https://shop.example.com'] });
    const visitor = await widgetVisitor(api, team.botId);
    const sent = await sendToVisitor(team, visitor.conversationId, new File([JPEG], 'a.jpg', { type: 'image/jpeg' }));
    const allowed = await fetch(fileUrl(team.botId, sent.id), { headers: { authorization: `Bearer ${visitor.token}`, origin: 'https://shop.example.com' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    const elsewhere = await fetch(fileUrl(team.botId, sent.id), { headers: { authorization: `Bearer ${visitor.token}`, origin: 'https://evil.example' } });
    expect(elsewhere.status).toBe(403);
  });
});
