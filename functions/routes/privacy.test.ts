import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { channels, contacts, conversations, dailyMetrics, documents, messages } from '../../db/schema';
import { startBotTestApi } from '../testing/bots';
import { parseSse, type FakeOpenAI } from '../testing/fake-openai';
import type { TestApi, TestUser } from '../testing/harness';
import { storeInbound } from '../core/channels/inbound';
import { storeEmail } from '../core/channels/email/receive';
import { loadBotRuntime } from '../core/chat/bot-runtime';
import { purgeOrganization, runPurgeJob } from '../core/privacy/retention';
import { namespaceFor } from '../core/retrieval/namespace';
import { conversationStreamKey, orgStreamKey } from '../core/events/publish';

let api: TestApi;
let llm: FakeOpenAI;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ api, llm, close } = await startBotTestApi());
});
afterAll(() => close());

const DAY = 86_400_000;
const PII = 'Soy ana.lopez@example.com, mi móvil es 612 345 678 y la tarjeta 4111 1111 1111 1111; IBAN ES91 2100 0418 4502 0005 1332.';

async function orgWithBot(botOverrides: Record<string, unknown> = {}) {
  const owner = await api.signUp();
  const org = await api.createOrg(owner);
  const bot = await api.call('POST', '/api/v1/chatbots', {
    token: owner.token,
    body: { name: 'Soporte', model: 'compatible:fake-llm', answerOnlyFromKnowledge: false, ...botOverrides },
  });
  expect(bot.status, bot.text).toBe(201);
  await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: owner.token });
  return { owner, orgId: org.id, botId: bot.body.id as string };
}

async function widgetChat(botId: string, message: string, existing?: { sessionToken: string; conversationId: string }) {
  const session = existing ?? (await api.call('POST', `/api/v1/widget/${botId}/session`, { body: {} })).body;
  const chat = await api.call('POST', `/api/v1/widget/${botId}/chat`, { headers: { authorization: `Bearer ${session.sessionToken}` }, body: { message } });
  expect(chat.status, chat.text).toBe(200);
  return { session, events: parseSse(chat.raw) };
}

async function enableRedaction(owner: TestUser, orgId: string) {
  const res = await api.call('PATCH', '/api/v1/privacy/settings', { token: owner.token, orgId, body: { redaction: { enabled: true } } });
  expect(res.status, res.text).toBe(200);
  expect(res.body.redaction.enabled).toBe(true);
}

describe('privacy settings', () => {
  it('are off by default, change field by field, and the change is in the audit log without personal data', async () => {
    const { owner, orgId } = await orgWithBot();
    const initial = await api.call('GET', '/api/v1/privacy/settings', { token: owner.token, orgId });
    expect(initial.status, initial.text).toBe(200);
    expect(initial.body).toEqual({ retention: { conversationsDays: null, messagesDays: null, filesDays: null }, redaction: { enabled: false } });
    const changed = await api.call('PATCH', '/api/v1/privacy/settings', { token: owner.token, orgId, body: { retention: { messagesDays: 30 } } });
    expect(changed.body.retention).toEqual({ conversationsDays: null, messagesDays: 30, filesDays: null });
    const again = await api.call('PATCH', '/api/v1/privacy/settings', { token: owner.token, orgId, body: { retention: { filesDays: 7 }, redaction: { enabled: true } } });
    expect(again.body).toEqual({ retention: { conversationsDays: null, messagesDays: 30, filesDays: 7 }, redaction: { enabled: true } });
    const invalid = await api.call('PATCH', '/api/v1/privacy/settings', { token: owner.token, orgId, body: { retention: { messagesDays: 0 } } });
    expect(invalid.status).toBe(422);
    const audit = await api.call('GET', '/api/v1/audit-log?action=privacy.settings_updated', { token: owner.token, orgId });
    expect(audit.body.data[0].metadata.fields).toEqual(['retention.filesDays', 'redaction.enabled']);
    // Other settings keys of the organization survive (the privacy key is merged, not replaced).
    const [org] = await api.runtime.services.db.execute(sql`select settings from organizations where id = ${orgId}`).then((r: any) => r.rows ?? r);
    expect(org.settings.privacy.retention.messagesDays).toBe(30);
  });

  it('another organization can neither read nor change them, and agents cannot either', async () => {
    const victim = await orgWithBot();
    const attacker = await api.signUp();
    await api.createOrg(attacker, 'Intruder');
    const read = await api.call('GET', '/api/v1/privacy/settings', { token: attacker.token, orgId: victim.orgId });
    expect(read.status).toBe(404);
    const write = await api.call('PATCH', '/api/v1/privacy/settings', { token: attacker.token, orgId: victim.orgId, body: { retention: { messagesDays: 1 } } });
    expect(write.status).toBe(404);
    const agent = await api.addMember(victim.owner, victim.orgId, 'agent');
    expect((await api.call('PATCH', '/api/v1/privacy/settings', { token: agent.token, orgId: victim.orgId, body: { redaction: { enabled: true } } })).status).toBe(403);
    expect((await api.call('POST', '/api/v1/privacy/retention/run', { token: attacker.token, orgId: victim.orgId })).status).toBe(404);
    const settings = await api.call('GET', '/api/v1/privacy/settings', { token: victim.owner.token, orgId: victim.orgId });
    expect(settings.body.retention.messagesDays).toBeNull();
    expect(settings.body.redaction.enabled).toBe(false);
  });
});

describe('redaction', () => {
  it('the widget stores masked text and the model sees placeholders, in the question and the history; the bot still answers', async () => {
    const { owner, orgId, botId } = await orgWithBot();
    // An earlier message, before redaction was on, still holds the data: the model must not see it.
    const first = await widgetChat(botId, 'Mi correo antiguo es pepe@example.org');
    await enableRedaction(owner, orgId);
    llm.requests.length = 0;
    const { session, events } = await widgetChat(botId, PII, first.session);
    const done = events.find((e) => e.event === 'done')!.data;
    expect(done.message.content.length).toBeGreaterThan(0);

    const [stored] = await api.runtime.services.db.select().from(messages).where(sql`${messages.conversationId} = ${session.conversationId} and ${messages.role} = 'user' and ${messages.content} like 'Soy%'`);
    expect(stored.content).toBe('Soy [email], mi móvil es [phone] y la tarjeta [card]; IBAN [iban].');
    const prompt = JSON.stringify(llm.requests.at(-1)!.messages);
    expect(prompt).toContain('[email]');
    for (const secret of ['ana.lopez@example.com', '612 345 678', '4111 1111 1111 1111', 'ES91 2100', 'pepe@example.org']) expect(prompt).not.toContain(secret);
    // The inbox preview is the stored (masked) text too.
    const [conv] = await api.runtime.services.db.select().from(conversations).where(eq(conversations.id, session.conversationId));
    expect(conv.lastMessagePreview).not.toContain('ana.lopez');
  });

  it('messages are stored as written while redaction is off', async () => {
    const { botId } = await orgWithBot();
    const { session } = await widgetChat(botId, 'Escribidme a luis@example.com');
    const rows = await api.runtime.services.db.select().from(messages).where(sql`${messages.conversationId} = ${session.conversationId} and ${messages.role} = 'user'`);
    expect(rows[0].content).toBe('Escribidme a luis@example.com');
  });

  it('a channel message (webhook path) is masked before it is stored, and so is its answer\u2019s prompt', async () => {
    const { owner, orgId, botId } = await orgWithBot();
    await enableRedaction(owner, orgId);
    const { db } = api.runtime.services;
    const [channel] = await db.insert(channels).values({ organizationId: orgId, botId, platform: 'telegram', name: 'TG', status: 'connected' }).returning();
    const outcome = await storeInbound(api.runtime.services, channel, {
      messages: [{ externalId: 'tg-1', contact: { externalId: 'chat-1', name: 'Ana' }, contentType: 'text', content: PII, metadata: {}, answer: false }],
      edits: [],
      statuses: [],
      ignored: 0,
    });
    expect(outcome.stored).toBe(1);
    const [row] = await db.select().from(messages).where(sql`${messages.organizationId} = ${orgId} and ${messages.externalId} = 'tg-1'`);
    expect(row.content).toBe('Soy [email], mi móvil es [phone] y la tarjeta [card]; IBAN [iban].');
    // An edit of the message is masked too.
    await storeInbound(api.runtime.services, channel, {
      messages: [],
      edits: [{ externalId: 'tg-1', content: 'Mejor a otro@example.com', editedAt: new Date().toISOString() }] as any,
      statuses: [],
      ignored: 0,
    });
    const [edited] = await db.select().from(messages).where(eq(messages.id, row.id));
    expect(edited.content).toBe('Mejor a [email]');
    const runtime = await loadBotRuntime(api.runtime.services, botId);
    expect(runtime?.redactPii).toBe(true);
  });

  it('captions of channel media and filenames of attachments are masked too: in the message, its metadata and the blob key', async () => {
    const { owner, orgId, botId } = await orgWithBot();
    await enableRedaction(owner, orgId);
    const { db } = api.runtime.services;
    const [whatsapp] = await db.insert(channels).values({ organizationId: orgId, botId, platform: 'whatsapp', name: 'WA', status: 'connected' }).returning();
    await storeInbound(api.runtime.services, whatsapp, {
      messages: [
        {
          externalId: 'wamid.doc-1',
          contact: { externalId: '34600000001', name: 'Ana' },
          contentType: 'document',
          content: 'Mi DNI, llamadme al 612 345 678',
          metadata: { media: { id: 'media-1', mimeType: 'application/pdf', caption: 'Mi DNI, llamadme al 612 345 678', filename: 'dni ana.lopez@example.com.pdf' } },
          answer: false,
        },
      ],
      edits: [],
      statuses: [],
      ignored: 0,
    });
    const [doc] = await db.select().from(messages).where(sql`${messages.organizationId} = ${orgId} and ${messages.externalId} = 'wamid.doc-1'`);
    expect(doc.content).toBe('Mi DNI, llamadme al [phone]');
    expect((doc.metadata.media as Record<string, unknown>).caption).toBe('Mi DNI, llamadme al [phone]');
    const stored = JSON.stringify(doc.metadata);
    expect(stored).not.toContain('ana.lopez');
    expect(stored).not.toContain('612 345 678');
    expect((doc.metadata.attachments as Array<{ filename: string }>)[0].filename).toContain('[email]');

    // Email keeps its files itself: the masked name is what names the blob.
    const [email] = await db.insert(channels).values({ organizationId: orgId, botId, platform: 'email', name: 'Mail', status: 'connected', externalAccountId: 'soporte@inbound.versaai.local' }).returning();
    await storeEmail(api.runtime.services, email, {
      messageId: 'redact-1@example.org',
      from: { address: 'luis@example.org', name: 'Luis' },
      to: ['soporte@inbound.versaai.local'],
      subject: 'Papeles',
      text: 'Adjunto',
      html: null,
      inReplyTo: null,
      references: [],
      headers: {},
      attachments: [{ filename: 'nomina luis@example.org.pdf', mimeType: 'application/pdf', size: 3, inline: false, contentId: null, read: async () => new Uint8Array([1, 2, 3]) }],
    });
    const [mail] = await db.select().from(messages).where(sql`${messages.organizationId} = ${orgId} and ${messages.externalId} = 'redact-1@example.org'`);
    const [attachment] = mail.metadata.attachments as Array<{ filename: string; blobKey: string; status: string }>;
    expect(attachment.status).toBe('stored');
    expect(attachment.filename).toContain('[email]');
    expect(attachment.filename).not.toContain('luis@');
    expect(attachment.blobKey).not.toContain('luis');
    expect(await api.runtime.services.blobs.get(attachment.blobKey)).not.toBeNull();
  });

  it('captions and filenames are kept as sent while redaction is off', async () => {
    const { orgId, botId } = await orgWithBot();
    const { db } = api.runtime.services;
    const [whatsapp] = await db.insert(channels).values({ organizationId: orgId, botId, platform: 'whatsapp', name: 'WA', status: 'connected' }).returning();
    await storeInbound(api.runtime.services, whatsapp, {
      messages: [
        {
          externalId: 'wamid.doc-2',
          contact: { externalId: '34600000002' },
          contentType: 'document',
          content: '[document: pepe@example.org.pdf]',
          metadata: { media: { id: 'media-2', mimeType: 'application/pdf', filename: 'pepe@example.org.pdf' } },
          answer: false,
        },
      ],
      edits: [],
      statuses: [],
      ignored: 0,
    });
    const [doc] = await db.select().from(messages).where(sql`${messages.organizationId} = ${orgId} and ${messages.externalId} = 'wamid.doc-2'`);
    expect((doc.metadata.attachments as Array<{ filename: string }>)[0].filename).toBe('pepe@example.org.pdf');
  });
});

/** A contact with two conversations, messages, an attachment blob and a document (with vectors) it uploaded. */
async function seedContact(owner: TestUser, orgId: string, botId: string) {
  const { services } = api.runtime;
  const { session } = await widgetChat(botId, 'Quiero devolver el pedido, soy marta.unica@example.com');
  const [conv] = await services.db.select().from(conversations).where(eq(conversations.id, session.conversationId));
  const contactId = conv.contactId;
  await services.db.update(contacts).set({ name: 'Marta Única', attributes: { plan: 'gold' } }).where(eq(contacts.id, contactId));
  const blobKey = `org/${orgId}/attachments/m1/0-factura.pdf`;
  await services.blobs.put(blobKey, new Uint8Array([1, 2, 3]), { contentType: 'application/pdf' });
  await services.db.insert(messages).values({
    organizationId: orgId,
    conversationId: conv.id,
    role: 'user',
    content: '[document]',
    contentType: 'document',
    channel: 'web',
    metadata: { attachments: [{ kind: 'document', status: 'stored', mimeType: 'application/pdf', size: 3, filename: 'factura.pdf', blobKey }] },
  });
  const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: owner.token, orgId, body: { name: 'Subidas' } });
  const doc = await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, {
    token: owner.token,
    orgId,
    body: { type: 'text', name: 'Carta de Marta', text: 'La zanahoria violeta de Marta llegó rota en el envío número cuarenta y dos.' },
  });
  expect(doc.status, doc.text).toBe(202);
  await services.db.update(documents).set({ metadata: sql`${documents.metadata} || ${JSON.stringify({ contactId })}::jsonb` }).where(eq(documents.id, doc.body.id));
  await api.runtime.queue.drain();
  return { contactId, conversationId: conv.id, blobKey, kbId: kb.body.id as string, documentId: doc.body.id as string };
}

async function vectorHits(kbId: string, text: string) {
  const { services } = api.runtime;
  const [vector] = await services.embeddings.get(services.embeddings.defaultModel).embed([text]); // the model new knowledge bases get
  return services.vectors.query(namespaceFor(kbId), vector, 10);
}

describe('one contact: export and erasure', () => {
  it('exports everything about the contact as a JSON download, recorded in the audit log', async () => {
    const { owner, orgId, botId } = await orgWithBot();
    const seeded = await seedContact(owner, orgId, botId);
    const res = await api.call('GET', `/api/v1/contacts/${seeded.contactId}/export`, { token: owner.token, orgId });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`contact-${seeded.contactId}.json`);
    expect(res.body.contact).toMatchObject({ id: seeded.contactId, name: 'Marta Única', attributes: { plan: 'gold' } });
    const conv = res.body.conversations.find((c: { id: string }) => c.id === seeded.conversationId);
    expect(conv.messages.map((m: { content: string }) => m.content)).toContain('Quiero devolver el pedido, soy marta.unica@example.com');
    expect(conv.messages.flatMap((m: { attachments: unknown[] }) => m.attachments)).toEqual([
      { kind: 'document', filename: 'factura.pdf', mimeType: 'application/pdf', size: 3, status: 'stored', stored: true },
    ]);
    expect(res.body.files.map((f: { id: string }) => f.id)).toEqual([seeded.documentId]);
    const audit = await api.call('GET', '/api/v1/audit-log?action=contact.exported', { token: owner.token, orgId });
    expect(audit.body.data[0]).toMatchObject({ targetType: 'contact', targetId: seeded.contactId });
    expect(JSON.stringify(audit.body.data[0])).not.toContain('marta');
  });

  it('erases the contact, its messages, files, vectors and conversations; search, inbox and vectors no longer find it; counts stay', async () => {
    const { owner, orgId, botId } = await orgWithBot();
    const seeded = await seedContact(owner, orgId, botId);
    const other = await widgetChat(botId, 'Otra persona pregunta por el horario');
    const { services } = api.runtime;
    await services.db.insert(dailyMetrics).values({ organizationId: orgId, botId, channel: 'web', day: '2026-01-01', conversations: 2, messages: 5 });
    expect((await vectorHits(seeded.kbId, 'zanahoria violeta de Marta')).length).toBeGreaterThan(0);
    const before = await api.call('GET', '/api/v1/conversations?q=marta.unica', { token: owner.token, orgId });
    expect(before.body.data.map((c: { id: string }) => c.id)).toEqual([seeded.conversationId]);

    // The live event log (in-process on Node) holds the contact's messages, as the dashboard saw them live.
    const orgLog = async () => (await services.kv.streamRead(orgStreamKey(orgId), '0-0', 2000)).map((entry) => entry.data);
    expect((await orgLog()).some((data) => data.includes('marta.unica@example.com'))).toBe(true);

    const erased = await api.call('DELETE', `/api/v1/contacts/${seeded.contactId}`, { token: owner.token, orgId });
    expect(erased.status, erased.text).toBe(200);
    expect(erased.body.counts).toMatchObject({ conversations: 1, files: 1, documents: 1 });
    expect(erased.body.counts.streamEntries).toBeGreaterThan(0);
    // Gone from the event log: no entry names the conversation or says what Marta wrote; others stay.
    const after = await orgLog();
    expect(after.filter((data) => data.includes(seeded.conversationId) || data.includes('marta.unica'))).toEqual([]);
    expect(after.some((data) => data.includes(other.session.conversationId))).toBe(true);
    expect(await services.kv.streamRead(conversationStreamKey(seeded.conversationId), '0-0', 200)).toEqual([]);
    expect(erased.body.counts.messages).toBeGreaterThanOrEqual(3);

    // Gone from conversation search and the inbox list; the conversation itself is a 404.
    expect((await api.call('GET', '/api/v1/conversations?q=marta.unica', { token: owner.token, orgId })).body.data).toEqual([]);
    const inbox = await api.call('GET', '/api/v1/conversations', { token: owner.token, orgId });
    expect(inbox.body.data.map((c: { id: string }) => c.id)).toEqual([other.session.conversationId]);
    expect((await api.call('GET', `/api/v1/conversations/${seeded.conversationId}`, { token: owner.token, orgId })).status).toBe(404);
    // Gone from the database, the blob store and the vector store.
    expect(await services.db.select().from(contacts).where(eq(contacts.id, seeded.contactId))).toEqual([]);
    expect(await services.db.select().from(messages).where(eq(messages.conversationId, seeded.conversationId))).toEqual([]);
    expect(await services.blobs.get(seeded.blobKey)).toBeNull();
    expect(await services.db.select().from(documents).where(eq(documents.id, seeded.documentId))).toEqual([]);
    expect(await vectorHits(seeded.kbId, 'zanahoria violeta de Marta')).toEqual([]);
    // Analytics keep their counts.
    const [metrics] = await services.db.select().from(dailyMetrics).where(eq(dailyMetrics.organizationId, orgId));
    expect(metrics).toMatchObject({ conversations: 2, messages: 5 });
    // The audit log says what was erased, by counts only.
    const audit = await api.call('GET', '/api/v1/audit-log?action=contact.erased', { token: owner.token, orgId });
    expect(audit.body.data[0]).toMatchObject({ targetId: seeded.contactId, metadata: { counts: { conversations: 1, documents: 1 } } });
    expect(JSON.stringify(audit.body.data[0])).not.toMatch(/marta/i);
    // Erasing again: the contact is not there.
    expect((await api.call('DELETE', `/api/v1/contacts/${seeded.contactId}`, { token: owner.token, orgId })).status).toBe(404);
  });

  it('another organization can neither export nor erase a contact, and agents cannot either', async () => {
    const { owner, orgId, botId } = await orgWithBot();
    const seeded = await seedContact(owner, orgId, botId);
    const attacker = await api.signUp();
    const attackerOrg = await api.createOrg(attacker, 'Intruder');
    for (const org of [orgId, attackerOrg.id]) {
      expect((await api.call('GET', `/api/v1/contacts/${seeded.contactId}/export`, { token: attacker.token, orgId: org })).status).toBe(404);
      expect((await api.call('DELETE', `/api/v1/contacts/${seeded.contactId}`, { token: attacker.token, orgId: org })).status).toBe(404);
    }
    const agent = await api.addMember(owner, orgId, 'agent');
    expect((await api.call('DELETE', `/api/v1/contacts/${seeded.contactId}`, { token: agent.token, orgId })).status).toBe(403);
    expect(await api.runtime.services.db.select().from(contacts).where(eq(contacts.id, seeded.contactId))).toHaveLength(1);
  });
});

describe('retention purge', () => {
  async function backdate(conversationId: string, days: number) {
    const at = new Date(Date.now() - days * DAY);
    const { db } = api.runtime.services;
    await db.update(messages).set({ createdAt: at }).where(eq(messages.conversationId, conversationId));
    await db.update(conversations).set({ lastMessageAt: at, createdAt: at }).where(eq(conversations.id, conversationId));
  }

  it('deletes expired messages in small batches, keeps recent ones, is idempotent, and records counts in the audit log', async () => {
    const { owner, orgId, botId } = await orgWithBot();
    const old = await widgetChat(botId, 'mensaje viejo');
    const recent = await widgetChat(botId, 'mensaje reciente');
    await backdate(old.session.conversationId, 40);
    const blobKey = `org/${orgId}/attachments/old/0-a.png`;
    await api.runtime.services.blobs.put(blobKey, new Uint8Array([9]));
    await api.runtime.services.db.insert(messages).values({
      organizationId: orgId,
      conversationId: old.session.conversationId,
      role: 'user',
      content: '[image]',
      channel: 'web',
      createdAt: new Date(Date.now() - 40 * DAY),
      metadata: { attachments: [{ kind: 'image', status: 'stored', mimeType: 'image/png', size: 1, filename: 'a.png', blobKey }] },
    });
    const other = await orgWithBot();
    const untouched = await widgetChat(other.botId, 'otra organización');
    await backdate(untouched.session.conversationId, 400);

    await api.call('PATCH', '/api/v1/privacy/settings', { token: owner.token, orgId, body: { retention: { messagesDays: 30 } } });
    const run = await api.call('POST', '/api/v1/privacy/retention/run', { token: owner.token, orgId });
    expect(run.body).toEqual({ queued: true });
    await api.runtime.queue.drain();

    const { db } = api.runtime.services;
    expect(await db.select().from(messages).where(eq(messages.conversationId, old.session.conversationId))).toEqual([]);
    expect((await db.select().from(messages).where(eq(messages.conversationId, recent.session.conversationId))).length).toBeGreaterThan(0);
    expect((await db.select().from(messages).where(eq(messages.conversationId, untouched.session.conversationId))).length).toBeGreaterThan(0);
    // Messages only: the conversation stays, without the preview of what was deleted.
    const [conv] = await db.select().from(conversations).where(eq(conversations.id, old.session.conversationId));
    expect(conv.lastMessagePreview).toBeNull();
    expect(await api.runtime.services.blobs.get(blobKey)).toBeNull();
    const audit = await api.call('GET', '/api/v1/audit-log?action=privacy.retention_purged', { token: owner.token, orgId });
    expect(audit.body.data[0].metadata).toMatchObject({ counts: { messages: 3, files: 1, conversations: 0 }, retention: { messagesDays: 30 } });

    // Idempotent: a second pass deletes nothing more.
    const again = await purgeOrganization(api.runtime.services, orgId, { messagesDays: 30, conversationsDays: null, filesDays: null }, { now: new Date() });
    expect(again).toEqual({ done: true, counts: { messages: 0, conversations: 0, files: 0 } });
  });

  it('deletes whole idle conversations and expired files, and resumes where a deadline stopped it', async () => {
    const { owner, orgId, botId } = await orgWithBot();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const chat = await widgetChat(botId, `conversación ${i}`);
      await backdate(chat.session.conversationId, 100);
      ids.push(chat.session.conversationId);
    }
    const { services } = api.runtime;
    const keep = await widgetChat(botId, 'reciente');
    const fileKey = `org/${orgId}/attachments/recent/0-b.pdf`;
    await services.blobs.put(fileKey, new Uint8Array([7]));
    const [fileMessage] = await services.db
      .insert(messages)
      .values({
        organizationId: orgId,
        conversationId: keep.session.conversationId,
        role: 'user',
        content: '[document]',
        channel: 'web',
        createdAt: new Date(Date.now() - 10 * DAY),
        metadata: { attachments: [{ kind: 'document', status: 'stored', mimeType: 'application/pdf', size: 1, filename: 'b.pdf', blobKey: fileKey }] },
      })
      .returning();
    const retention = { conversationsDays: 90, messagesDays: null, filesDays: 7 };
    // A deadline already past: nothing is done, and the run says it is not finished.
    const stopped = await purgeOrganization(services, orgId, retention, { now: new Date(), deadline: Date.now() - 1 });
    expect(stopped.done).toBe(false);
    const finished = await purgeOrganization(services, orgId, retention, { now: new Date(), batchSize: 1, minBatch: 1 });
    expect(finished).toEqual({ done: true, counts: { conversations: 3, messages: 6, files: 1 } });
    expect(await services.db.select().from(conversations).where(sql`${conversations.id} in ${ids}`)).toEqual([]);
    const [kept] = await services.db.select().from(messages).where(eq(messages.id, fileMessage.id));
    expect((kept.metadata.attachments as Array<Record<string, unknown>>)[0]).toMatchObject({ filename: 'b.pdf', blobKey: null, status: 'failed' });
    expect(await services.blobs.get(fileKey)).toBeNull();
    void owner;
  });

  it('the nightly job fans out only to organizations with retention, and continues itself until done', async () => {
    const { owner, orgId } = await orgWithBot();
    await api.call('PATCH', '/api/v1/privacy/settings', { token: owner.token, orgId, body: { retention: { conversationsDays: 365 } } });
    const fanOut = await runPurgeJob(api.runtime.services, { day: '2026-12-01' });
    expect((fanOut as { organizations: number }).organizations).toBeGreaterThanOrEqual(1);
    await api.runtime.queue.drain();
    const audit = await api.call('GET', '/api/v1/audit-log?action=privacy.retention_purged', { token: owner.token, orgId });
    expect(audit.body.data).toHaveLength(1);
    const skipped = await runPurgeJob(api.runtime.services, { organizationId: (await orgWithBot()).orgId });
    expect(skipped).toEqual({ skipped: 'retention off' });
  });
});
