import { describe, expect, it } from 'vitest';
import { slackSignature } from '../core/channels/slack';
import { uploadAgentFile } from '../testing/inbox';
import { DISCORD_APP, DISCORD_TOKEN, SLACK, useSlackDiscord } from '../testing/slack-discord';

/**
 * Slack and Discord end to end: the real app over HTTP, each platform's API (and Discord's
 * Gateway websocket) faked on loopback, requests signed the way the platforms sign them: HMAC
 * with the signing secret for Slack, a real Ed25519 key pair for Discord.
 */
const channels = useSlackDiscord();
const { connected, toSlack, toDiscord, slackEvent, slackFileShare, ts, until, stored, slackPosts } = channels;
const now = () => String(Math.floor(Date.now() / 1000));

describe('Slack', () => {
  it('connect checks the bot token with auth.test and names the workspace and bot', async () => {
    const channel = await connected('slack');
    const auth = channels.fake.requests.find((r) => r.endpoint === 'auth.test');
    expect(auth?.headers.authorization).toBe(`Bearer ${SLACK.botToken}`);
    const row = await channels.api.call('GET', `/api/v1/integrations/${channel.integrationId}`, { token: channel.user.token });
    expect(row.body.account).toEqual({ id: 'U0FAKEBOT', name: 'Fake Team', handle: '@fakebot' });
  });

  it('a refused token is a 422 with Slack\u2019s reason', async () => {
    const user = await channels.api.signUp();
    await channels.api.createOrg(user);
    const botId = await channels.liveBot(user);
    channels.fake.rejectToken(SLACK.botToken);
    const created = await channels.api.call('POST', '/api/v1/integrations', { token: user.token, body: { platform: 'slack', name: 's', botId, credentials: SLACK } });
    const refused = await channels.api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('invalid_auth');
  });

  it('answers the url_verification challenge, signed; refuses forged and stale requests', async () => {
    const channel = await connected('slack');
    const challenge = { token: 'legacy', challenge: 'c-3b1f9a', type: 'url_verification' };
    const ok = await toSlack(channel, challenge);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ challenge: 'c-3b1f9a' });
    const forged = await toSlack(channel, challenge, { signature: `v0=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
    const otherSecret = await toSlack(channel, challenge, { signature: await slackSignature('another-signing-secret-000000000', now(), JSON.stringify(challenge)) });
    expect(otherSecret.status).toBe(401);
    const stale = String(Number(now()) - 6 * 60);
    const old = await toSlack(channel, challenge, { timestamp: stale, signature: await slackSignature(SLACK.signingSecret, stale, JSON.stringify(challenge)) });
    expect(old.status).toBe(401);
  });

  it('a DM is answered in the DM; a mention in a channel is answered in a thread on it', async () => {
    const channel = await connected('slack');
    const dm = await toSlack(channel, slackEvent({ channel: 'D0DM', channel_type: 'im', text: 'hello there', ts: ts() }));
    expect(dm.body.stored).toBe(1);
    const mentionTs = ts();
    const mention = await toSlack(channel, slackEvent({ type: 'app_mention', channel: 'C0GENERAL', channel_type: 'channel', text: '<@U0FAKEBOT> what are your hours?', ts: mentionTs }));
    expect(mention.body.stored).toBe(1);
    await channels.api.runtime.queue.drain();
    const posts = slackPosts();
    expect(posts).toHaveLength(2);
    const toDm = posts.find((p) => p.body.channel === 'D0DM')!;
    expect(toDm.body.thread_ts).toBeUndefined();
    const inThread = posts.find((p) => p.body.channel === 'C0GENERAL')!;
    expect(inThread.body.thread_ts).toBe(mentionTs);
    const rows = await stored(channel.orgId);
    expect(rows.find((r) => r.role === 'user' && r.channel === 'slack' && r.content === 'what are your hours?')).toBeTruthy();
    expect(rows.filter((r) => r.role === 'assistant').every((r) => r.deliveryStatus === 'sent')).toBe(true);
  });

  it('a thread is one conversation; another thread is another', async () => {
    const channel = await connected('slack');
    const parent = ts();
    await toSlack(channel, slackEvent({ type: 'app_mention', channel: 'C0GENERAL', text: '<@U0FAKEBOT> hi', ts: parent }));
    await toSlack(channel, slackEvent({ channel: 'C0GENERAL', channel_type: 'channel', text: 'more in the thread', ts: ts(), thread_ts: parent }));
    await toSlack(channel, slackEvent({ type: 'app_mention', channel: 'C0GENERAL', text: '<@U0FAKEBOT> new topic', ts: ts() }));
    const rows = (await stored(channel.orgId)).filter((r) => r.role === 'user');
    expect(rows).toHaveLength(3);
    expect(rows[0].conversationId).toBe(rows[1].conversationId);
    expect(rows[2].conversationId).not.toBe(rows[0].conversationId);
  });

  it('retries (X-Slack-Retry-Num) and the message event of a mention are stored and answered once', async () => {
    const channel = await connected('slack');
    const parent = ts();
    const reply = ts();
    const mention = slackEvent({ type: 'app_mention', channel: 'C0GENERAL', text: '<@U0FAKEBOT> in thread', ts: reply, thread_ts: parent });
    const sameAsMessage = slackEvent({ channel: 'C0GENERAL', channel_type: 'channel', text: '<@U0FAKEBOT> in thread', ts: reply, thread_ts: parent });
    const first = await toSlack(channel, mention);
    const burst = await Promise.all([
      toSlack(channel, mention, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } }),
      toSlack(channel, mention, { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' } }),
      toSlack(channel, sameAsMessage),
    ]);
    expect(first.body.stored).toBe(1);
    expect(burst.every((r) => r.status === 200 && r.body.stored === 0 && r.body.duplicates === 1)).toBe(true);
    await channels.api.runtime.queue.drain();
    expect(slackPosts()).toHaveLength(1);
    expect((await stored(channel.orgId)).filter((r) => r.role === 'user')).toHaveLength(1);
  });

  it('ignores bots (its own messages included), other subtypes, and top-level chatter', async () => {
    const channel = await connected('slack');
    const ignored = await Promise.all([
      toSlack(channel, slackEvent({ channel: 'D0DM', channel_type: 'im', text: 'bot says', ts: ts(), bot_id: 'B0FAKE' })),
      toSlack(channel, slackEvent({ channel: 'D0DM', channel_type: 'im', subtype: 'channel_join', text: 'joined', ts: ts() })),
      toSlack(channel, slackEvent({ channel: 'C0GENERAL', channel_type: 'channel', text: 'not for the bot', ts: ts() })),
    ]);
    expect(ignored.map((r) => r.body.ignored)).toEqual([1, 1, 1]);
    expect((await stored(channel.orgId)).filter((r) => r.role === 'user')).toHaveLength(0);
  });

  it('files shared in Slack are recorded as pending attachments (the attachments contract)', async () => {
    const channel = await connected('slack');
    await toSlack(channel, slackFileShare({ id: 'F0PIC', name: 'photo.png', mimetype: 'image/png', size: 2048, url_private_download: `${channels.fake.url}/files/photo.png` }));
    const [row] = (await stored(channel.orgId)).filter((r) => r.role === 'user');
    expect(row.contentType).toBe('image');
    expect(row.metadata.attachments).toEqual([{ kind: 'image', status: 'pending', mimeType: 'image/png', size: 2048, filename: 'photo.png', blobKey: null }]);
  });

  it('a handoff posts a notice with the conversation\u2019s link to the configured Slack channel', async () => {
    const channel = await connected('slack', { handoffNotify: { channelId: 'C0AGENTSXX' } });
    await toSlack(channel, slackEvent({ channel: 'D0DM', channel_type: 'im', text: 'I want to talk to a human please', ts: ts() }));
    await channels.api.runtime.queue.drain();
    await channels.api.runtime.idle();
    const [row] = (await stored(channel.orgId)).filter((r) => r.role === 'user');
    const notice = slackPosts().find((p) => p.body.channel === 'C0AGENTSXX');
    expect(notice?.body.text).toContain(`/conversations/${row.conversationId}`);
    expect(notice?.headers.authorization).toBe(`Bearer ${SLACK.botToken}`);
  });

  it('an agent\u2019s reply from the inbox goes to the thread', async () => {
    const channel = await connected('slack');
    const parent = ts();
    await toSlack(channel, slackEvent({ type: 'app_mention', channel: 'C0SUPPORT', text: '<@U0FAKEBOT> help', ts: parent }));
    await channels.api.runtime.queue.drain();
    const [row] = (await stored(channel.orgId)).filter((r) => r.role === 'user');
    const sent = await channels.api.call('POST', `/api/v1/conversations/${row.conversationId}/messages`, { token: channel.user.token, body: { content: 'A person here' } });
    expect(sent.status, sent.text).toBe(201);
    await channels.api.runtime.queue.drain();
    const agentPost = slackPosts().find((p) => p.body.text === 'A person here');
    expect(agentPost?.body).toMatchObject({ channel: 'C0SUPPORT', thread_ts: parent });
  });

  it('an agent\u2019s file is not uploaded to an address the outbound policy refuses (Slack\u2019s upload_url here is loopback)', async () => {
    const channel = await connected('slack');
    await toSlack(channel, slackEvent({ type: 'app_mention', channel: 'C0SUPPORT', text: '<@U0FAKEBOT> help', ts: ts() }));
    await channels.api.runtime.queue.drain();
    const [row] = (await stored(channel.orgId)).filter((r) => r.role === 'user');
    const file = new File([new TextEncoder().encode('%PDF-1.4\n%%EOF\n')], 'a.pdf', { type: 'application/pdf' });
    const sent = await uploadAgentFile(channels.api, { token: channel.user.token, orgId: channel.orgId }, row.conversationId, file);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    await channels.api.runtime.queue.drain();
    const failed = (await stored(channel.orgId)).find((r) => r.id === sent.body.id)!;
    expect(failed.deliveryStatus).toBe('failed');
    expect(failed.error).toMatch(/^Slack's upload address was refused/);
    expect(channels.fake.requests.filter((r) => r.endpoint === 'files.getUploadURLExternal')).toHaveLength(1);
    expect(channels.fake.requests.some((r) => r.path.startsWith('/slack-upload/') || r.endpoint === 'files.completeUploadExternal')).toBe(false);
  });
});

describe('Discord', () => {
  it('connect checks the token against the application, registers /ask and identifies on the Gateway with MESSAGE_CONTENT', async () => {
    channels.fake.setDiscordApp(DISCORD_TOKEN, DISCORD_APP);
    const channel = await connected('discord', { discord: { channels: ['444444444444444444'], dms: true } });
    expect(channels.fake.requests.find((r) => r.endpoint === `applications/${DISCORD_APP}/commands`)?.body.name).toBe('ask');
    await channels.fake.gateway.waitFor(2);
    const identify = channels.fake.gateway.received.find((p) => p.op === 2)!;
    expect(identify.d.token).toBe(DISCORD_TOKEN);
    expect(identify.d.intents & (1 << 15)).toBe(1 << 15);
    await channels.api.call('POST', `/api/v1/integrations/${channel.integrationId}/disconnect`, { token: channel.user.token });
  });

  it('a token of another application is refused', async () => {
    channels.fake.setDiscordApp(DISCORD_TOKEN, '999999999999999999');
    const user = await channels.api.signUp();
    await channels.api.createOrg(user);
    const botId = await channels.liveBot(user);
    const created = await channels.api.call('POST', '/api/v1/integrations', {
      token: user.token,
      body: { platform: 'discord', name: 'd', botId, credentials: { applicationId: DISCORD_APP, publicKey: channels.discordPublicKey, botToken: DISCORD_TOKEN } },
    });
    const refused = await channels.api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
    expect(refused.status).toBe(422);
  });

  it('PING is answered PONG when signed with the application\u2019s key; other keys are refused', async () => {
    channels.fake.setDiscordApp(DISCORD_TOKEN, DISCORD_APP);
    const channel = await connected('discord');
    const pong = await toDiscord(channel, { type: 1, id: '1', application_id: DISCORD_APP, token: 'x', version: 1 });
    expect(pong.status, pong.text).toBe(200);
    expect(pong.body).toEqual({ type: 1 });
    const stranger = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const forged = await toDiscord(channel, { type: 1, id: '1', application_id: DISCORD_APP, token: 'x', version: 1 }, { key: stranger.privateKey });
    expect(forged.status).toBe(401);
    await channels.api.call('POST', `/api/v1/integrations/${channel.integrationId}/disconnect`, { token: channel.user.token });
  });

  it('/ask is deferred, then answered with a follow-up on the interaction; a redelivery is stored once', async () => {
    channels.fake.setDiscordApp(DISCORD_TOKEN, DISCORD_APP);
    const channel = await connected('discord');
    const interaction = {
      type: 2,
      id: '555555555555555555',
      application_id: DISCORD_APP,
      token: 'interaction-token-abc',
      channel_id: '666666666666666666',
      guild_id: '777777777777777777',
      member: { user: { id: '888888888888888888', username: 'ana', global_name: 'Ana' } },
      data: { id: '333333333333333333', name: 'ask', type: 1, options: [{ name: 'question', type: 3, value: 'When do you open?' }] },
      version: 1,
    };
    const deferred = await toDiscord(channel, interaction);
    expect(deferred.body).toEqual({ type: 5 });
    const again = await toDiscord(channel, interaction);
    expect(again.body).toEqual({ type: 5 });
    await channels.api.runtime.queue.drain();
    const followUps = channels.fake.requests.filter((r) => r.endpoint === `webhooks/${DISCORD_APP}/interaction-token-abc`);
    expect(followUps).toHaveLength(1);
    const users = (await stored(channel.orgId)).filter((r) => r.role === 'user');
    expect(users.map((r) => r.content)).toEqual(['When do you open?']);
    await channels.api.call('POST', `/api/v1/integrations/${channel.integrationId}/disconnect`, { token: channel.user.token });
  });

  it('Gateway MESSAGE_CREATE in a chosen channel is answered by REST; other channels, bots and repeats are not', async () => {
    channels.fake.setDiscordApp(DISCORD_TOKEN, DISCORD_APP);
    const chosen = '444444444444444444';
    const channel = await connected('discord', { discord: { channels: [chosen], dms: false } });
    await channels.fake.gateway.waitFor(2);
    const message = (id: string, channelId: string, extra: Record<string, unknown> = {}) => ({
      id,
      channel_id: channelId,
      guild_id: '777777777777777777',
      type: 0,
      content: 'hello bot',
      author: { id: '888888888888888888', username: 'ana' },
      attachments: [],
      ...extra,
    });
    channels.fake.gateway.dispatch('MESSAGE_CREATE', message('100000000000000001', chosen));
    channels.fake.gateway.dispatch('MESSAGE_CREATE', message('100000000000000001', chosen));
    channels.fake.gateway.dispatch('MESSAGE_CREATE', message('100000000000000002', '454545454545454545'));
    channels.fake.gateway.dispatch('MESSAGE_CREATE', message('100000000000000003', chosen, { author: { id: '222222222222222222', username: 'fakebot', bot: true } }));
    channels.fake.gateway.dispatch('MESSAGE_CREATE', { ...message('100000000000000004', '121212121212121212'), guild_id: undefined });
    // The Gateway's messages are stored as they arrive; the next dispatch marks the end of these.
    channels.fake.gateway.dispatch('MESSAGE_CREATE', message('100000000000000009', chosen, { content: 'last one' }));
    await until(async () => (await stored(channel.orgId)).some((r) => r.content === 'last one'));
    await channels.api.runtime.queue.drain();
    const sent = channels.fake.sent();
    expect(sent).toHaveLength(2);
    expect(sent[0].endpoint).toBe(`channels/${chosen}/messages`);
    expect(sent[0].headers.authorization).toBe(`Bot ${DISCORD_TOKEN}`);
    expect((await stored(channel.orgId)).filter((r) => r.role === 'user').map((r) => r.content)).toEqual(['hello bot', 'last one']);
    await channels.api.call('POST', `/api/v1/integrations/${channel.integrationId}/disconnect`, { token: channel.user.token });
  });

  it('a dropped Gateway connection resumes its session with the last sequence number', async () => {
    channels.fake.setDiscordApp(DISCORD_TOKEN, DISCORD_APP);
    const channel = await connected('discord', { discord: { channels: [], dms: true } });
    await channels.fake.gateway.waitFor(2);
    const last = channels.fake.gateway.dispatch('TYPING_START', {});
    await new Promise((r) => setTimeout(r, 50));
    channels.fake.gateway.dropAll(4000);
    await channels.fake.gateway.waitFor(6);
    const resume = channels.fake.gateway.received.find((p) => p.op === 6)!;
    expect(resume.d).toMatchObject({ token: DISCORD_TOKEN, session_id: 'fake-session', seq: last });
    await channels.api.call('POST', `/api/v1/integrations/${channel.integrationId}/disconnect`, { token: channel.user.token });
  });
});

describe('settings of the new channels', () => {
  it('Discord channels and Slack handoff notices are settings an admin changes, in their own organization only', async () => {
    const slack = await connected('slack');
    const saved = await channels.api.call('PUT', `/api/v1/integrations/${slack.integrationId}`, {
      token: slack.user.token,
      body: { settings: { handoffNotify: { channelId: 'C0AGENTS', webhookUrl: 'https://hooks.slack.com/services/T0/B0/xyz' } } },
    });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body.settings.handoffNotify).toEqual({ channelId: 'C0AGENTS', webhookUrl: true });
    const private_ = await channels.api.call('PUT', `/api/v1/integrations/${slack.integrationId}`, {
      token: slack.user.token,
      body: { settings: { handoffNotify: { webhookUrl: 'https://127.0.0.1/hook' } } },
    });
    expect(private_.status).toBe(422);
    const intruder = await channels.api.signUp();
    await channels.api.createOrg(intruder);
    const crossTenant = await channels.api.call('PUT', `/api/v1/integrations/${slack.integrationId}`, { token: intruder.token, body: { settings: { handoffNotify: { channelId: 'C0EVILXX' } } } });
    expect(crossTenant.status).toBe(404);
    const unchanged = await channels.api.call('GET', `/api/v1/integrations/${slack.integrationId}`, { token: slack.user.token });
    expect(unchanged.body.settings.handoffNotify.channelId).toBe('C0AGENTS');
  });
});
