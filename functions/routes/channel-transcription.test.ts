import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messages, organizations } from '../../db/schema';
import { attachmentsOf } from '../core/channels/attachments';
import { answerableText } from '../core/channels/answerable-text';
import { FAKE_TRANSCRIPT, startFakeOpenAI, type FakeOpenAI } from '../testing/fake-openai';
import { CHANNEL_CREDENTIALS, CUSTOMER as WA_CUSTOMER, useChannelSuite } from '../testing/channel-suite';
import type { FakePlatforms } from '../testing/fake-platforms';
import { whatsappWebhook } from '../testing/whatsapp-webhook';
import type { TestApi, TestUser } from '../testing/harness';

/**
 * Voice notes transcribed (issue 17): a WhatsApp voice note is downloaded by the media job, then
 * the transcription job posts it to the organization's OpenAI-compatible server (faked on loopback,
 * OpenAI's multipart wire format), the transcript lands on the attachment, and the bot answers the
 * transcript. Without a model the bot gets a placeholder; a refusal is a visible status.
 */
const suite = useChannelSuite({ ALLOW_PRIVATE_URLS: 'true' }); // The fake LLM is on loopback.
let api: TestApi;
let fake: FakePlatforms;
let llm: FakeOpenAI;

beforeAll(async () => {
  ({ api, fake } = suite);
  llm = await startFakeOpenAI();
});
afterAll(() => llm.close());
beforeEach(() => {
  llm.transcriptions.length = 0;
  llm.failing.clear();
  llm.reply = (request) => `Echo: ${request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''}`;
});

const WHATSAPP = CHANNEL_CREDENTIALS.whatsapp;
const CUSTOMER = WA_CUSTOMER.whatsapp;
// An Ogg page header ("OggS"), as WhatsApp voice notes (Opus in Ogg) start.
const VOICE = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 0x00, 0x02, ...new Array(400).fill(3)]);

interface Channel {
  user: TestUser;
  orgId: string;
  integrationId: string;
}

/** An organization with the fake LLM as its compatible key, a bot on it, and WhatsApp connected. */
async function channelWithModel(transcriptionModel: string | null): Promise<Channel> {
  const user = await api.signUp();
  const org = await api.createOrg(user);
  const key = await api.call('PUT', '/api/v1/provider-keys/compatible', { token: user.token, body: { apiKey: 'sk-org-voice-1234', baseUrl: llm.url, models: ['fake-llm'] } });
  expect(key.status, key.text).toBe(200);
  if (transcriptionModel) {
    const set = await api.call('PUT', `/api/v1/organizations/${org.id}/settings/transcription`, { token: user.token, body: { transcription: { provider: 'compatible', model: transcriptionModel } } });
    expect(set.status, set.text).toBe(200);
  }
  const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Sol', model: 'compatible:fake-llm', answerOnlyFromKnowledge: false, language: 'es' } });
  expect(bot.status, bot.text).toBe(201);
  expect((await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token })).status).toBe(200);
  const created = await api.call('POST', '/api/v1/integrations', { token: user.token, body: { platform: 'whatsapp', name: 'wa', botId: bot.body.id, credentials: WHATSAPP } });
  expect(created.status, created.text).toBe(201);
  expect((await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token })).status).toBe(200);
  return { user, orgId: org.id, integrationId: created.body.id };
}

let sequence = 0;
async function voiceNote(channel: Channel, mediaId: string) {
  sequence += 1;
  fake.media.whatsapp(mediaId, { mimeType: 'audio/ogg; codecs=opus', bytes: VOICE });
  const payload = whatsappWebhook({
    phoneNumberId: WHATSAPP.phoneNumberId,
    from: CUSTOMER,
    name: 'Ana',
    message: { id: `wamid.VOICE${sequence}`, timestamp: '1733400000', type: 'audio', audio: { id: mediaId, mime_type: 'audio/ogg; codecs=opus', sha256: 'x', voice: true } },
  });
  const res = await suite.deliver({ platform: 'whatsapp', integrationId: channel.integrationId }, payload);
  expect(res.status, res.text).toBe(200);
}

const rows = (orgId: string) => api.runtime.services.db.select().from(messages).where(eq(messages.organizationId, orgId)).orderBy(messages.createdAt);

describe('voice notes', () => {
  it('are transcribed through OpenAI\u2019s /audio/transcriptions after the download, and the bot answers the transcript', async () => {
    const channel = await channelWithModel('whisper-1');
    await voiceNote(channel, 'voice-1');
    await api.runtime.queue.drain();

    expect(llm.transcriptions).toHaveLength(1);
    const [request] = llm.transcriptions;
    expect(request.model).toBe('whisper-1');
    expect(request.responseFormat).toBe('json');
    expect(request.file?.bytes).toEqual(VOICE);
    expect(request.file?.type).toMatch(/^audio\/ogg/);

    const all = await rows(channel.orgId);
    const user = all.find((r) => r.role === 'user')!;
    expect(attachmentsOf(user.metadata)[0]).toMatchObject({ kind: 'audio', status: 'stored', transcript: FAKE_TRANSCRIPT, transcriptStatus: 'done' });
    const reply = all.find((r) => r.role === 'assistant')!;
    expect(reply.content).toBe(`Echo: ${FAKE_TRANSCRIPT}`);
    expect(fake.sent()).toHaveLength(1);

    // The inbox reads the transcript with the message (the documented schema keeps it).
    const listed = await api.call('GET', `/api/v1/conversations/${user.conversationId}/messages`, { token: channel.user.token });
    expect(listed.status, listed.text).toBe(200);
    expect(JSON.stringify(listed.body)).toContain(FAKE_TRANSCRIPT);
  });

  it('without a transcription model the audio is stored untouched and the bot gets a clear placeholder', async () => {
    const channel = await channelWithModel(null);
    await voiceNote(channel, 'voice-2');
    await api.runtime.queue.drain();
    expect(llm.transcriptions).toHaveLength(0);
    const all = await rows(channel.orgId);
    const user = all.find((r) => r.role === 'user')!;
    const [audio] = attachmentsOf(user.metadata);
    expect(audio.status).toBe('stored');
    expect(audio.transcriptStatus).toBeUndefined();
    expect(all.find((r) => r.role === 'assistant')!.content).toMatch(/^Echo: \[El cliente envió un mensaje de voz que no se pudo transcribir/);
  });

  it('a refused transcription is a visible status; the audio is kept and the bot still answers', async () => {
    const channel = await channelWithModel('no-such-model');
    await voiceNote(channel, 'voice-3');
    await api.runtime.queue.drain();
    const all = await rows(channel.orgId);
    const [audio] = attachmentsOf(all.find((r) => r.role === 'user')!.metadata);
    expect(audio.status).toBe('stored');
    expect(audio.blobKey).not.toBeNull();
    expect(audio.transcriptStatus).toBe('failed');
    expect(audio.transcriptError).toMatch(/HTTP 400: The model `no-such-model` does not exist/);
    expect(all.find((r) => r.role === 'assistant')!.content).toMatch(/no se pudo transcribir/);
  });
});

describe('the transcription setting', () => {
  const path = (orgId: string) => `/api/v1/organizations/${orgId}/settings/transcription`;

  it('an admin chooses the model and turns it off again; the audit log says from what to what', async () => {
    const channel = await channelWithModel(null);
    const token = channel.user.token;
    expect((await api.call('GET', path(channel.orgId), { token })).body).toEqual({ transcription: null, ready: false });

    const set = await api.call('PUT', path(channel.orgId), { token, body: { transcription: { provider: 'compatible', model: ' whisper-1 ' } } });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toEqual({ transcription: { provider: 'compatible', model: 'whisper-1' }, ready: true });

    const off = await api.call('PUT', path(channel.orgId), { token, body: { transcription: null } });
    expect(off.body).toEqual({ transcription: null, ready: false });
    const audit = await api.call('GET', `/api/v1/audit-log?action=organization.transcription_updated`, { token, orgId: channel.orgId });
    expect(audit.status, audit.text).toBe(200);
    expect(audit.body.data.map((e: { metadata: { from: string; to: string } }) => [e.metadata.from, e.metadata.to])).toEqual([
      ['compatible:whisper-1', 'off'],
      ['off', 'compatible:whisper-1'],
    ]);
  });

  it('refuses a provider without a saved key, one that cannot transcribe, and a malformed model name', async () => {
    const channel = await channelWithModel(null);
    const put = (transcription: unknown) => api.call('PUT', path(channel.orgId), { token: channel.user.token, body: { transcription } });
    const noKey = await put({ provider: 'openai', model: 'whisper-1' });
    expect(noKey.status, noKey.text).toBe(422);
    expect(noKey.body.error.details).toEqual([expect.objectContaining({ path: 'transcription.provider', code: 'no_key' })]);
    expect((await put({ provider: 'anthropic', model: 'whisper-1' })).status).toBe(422);
    expect((await put({ provider: 'compatible', model: 'whisper 1' })).status).toBe(422);
    expect((await put({ provider: 'compatible', model: '' })).status).toBe(422);
    expect((await api.call('GET', path(channel.orgId), { token: channel.user.token })).body.transcription).toBeNull();
  });

  it('is for admins: an agent can neither read nor change it', async () => {
    const channel = await channelWithModel('whisper-1');
    const agent = await api.addMember(channel.user, channel.orgId, 'agent');
    expect((await api.call('GET', path(channel.orgId), { token: agent.token })).status).toBe(403);
    const change = await api.call('PUT', path(channel.orgId), { token: agent.token, body: { transcription: null } });
    expect(change.status).toBe(403);
    const admin = await api.addMember(channel.user, channel.orgId, 'admin');
    expect((await api.call('GET', path(channel.orgId), { token: admin.token })).body.transcription).toEqual({ provider: 'compatible', model: 'whisper-1' });
  });

  it('is out of reach of another organization', async () => {
    const channel = await channelWithModel('whisper-1');
    const stranger = await api.signUp();
    await api.createOrg(stranger);
    expect((await api.call('GET', path(channel.orgId), { token: stranger.token })).status).toBe(404);
    expect((await api.call('PUT', path(channel.orgId), { token: stranger.token, body: { transcription: null } })).status).toBe(404);
    expect((await api.call('GET', path(channel.orgId), { token: channel.user.token })).body.transcription).toEqual({ provider: 'compatible', model: 'whisper-1' });
  });

  it('a setting saved before the provider was chosen (model only) still runs on the transcribing key', async () => {
    const channel = await channelWithModel(null);
    await api.runtime.services.db
      .update(organizations)
      .set({ settings: sql`${organizations.settings} || ${JSON.stringify({ transcription: { model: 'whisper-1' } })}::jsonb` })
      .where(eq(organizations.id, channel.orgId));
    expect((await api.call('GET', path(channel.orgId), { token: channel.user.token })).body).toEqual({ transcription: { provider: null, model: 'whisper-1' }, ready: true });
    await voiceNote(channel, 'voice-legacy');
    await api.runtime.queue.drain();
    expect(llm.transcriptions.map((t) => t.model)).toEqual(['whisper-1']);
  });

  it('removing the chosen provider\'s key leaves the setting but reports it not ready', async () => {
    const channel = await channelWithModel('whisper-1');
    expect((await api.call('DELETE', '/api/v1/provider-keys/compatible', { token: channel.user.token })).status).toBe(204);
    expect((await api.call('GET', path(channel.orgId), { token: channel.user.token })).body).toEqual({ transcription: { provider: 'compatible', model: 'whisper-1' }, ready: false });
  });
});

describe('answerableText', () => {
  const audio = (extra: Record<string, unknown>) => ({ kind: 'audio', status: 'stored', mimeType: 'audio/ogg', size: 10, filename: 'audio.ogg', blobKey: 'k', ...extra });
  it('keeps a caption before the transcript and uses the bot\u2019s language for the placeholder', () => {
    expect(answerableText({ content: 'escucha esto', contentType: 'audio', metadata: { attachments: [audio({ transcript: 'hola', transcriptStatus: 'done' })] } }, 'es')).toBe('escucha esto\nhola');
    expect(answerableText({ content: '[audio]', contentType: 'audio', metadata: { attachments: [audio({})] } }, 'en')).toMatch(/^\[The customer sent a voice message/);
    expect(answerableText({ content: 'just text', contentType: 'text', metadata: {} }, 'en')).toBe('just text');
  });
});
