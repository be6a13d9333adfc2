import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../testing/harness';
import { createSampleShop, SAMPLE_SHOP, sampleShopPage, type ApiCall } from './sample-shop';

/** The recipe's requests over real HTTP with a user's token, as the dashboard sends them. */
function httpApi(api: TestApi, token: string, orgId: string): ApiCall {
  return async <T>(method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await api.call(method, path, { token, orgId, body });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res.body as T;
  };
}

describe('the sample shop', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(() => api?.close());

  it('creates a knowledge base with four documents and a deployed bot that answers from them; a second run reuses it all', async () => {
    const user = await api.signUp();
    const org = await api.createOrg(user, 'Flores');
    const call = httpApi(api, user.token, org.id);

    const first = await createSampleShop(call);
    await api.runtime.idle();
    const docs = await api.call('GET', `/api/v1/knowledge-bases/${first.knowledgeBaseId}/documents?limit=100`, { token: user.token, orgId: org.id });
    expect(docs.body.data.map((d: { name: string; status: string }) => `${d.name}:${d.status}`).sort()).toEqual(
      ['Devoluciones y garantía:ready', 'Envíos:ready', 'Horario y tienda:ready', 'Preguntas frecuentes:ready'],
    );
    const bot = await api.call('GET', `/api/v1/chatbots/${first.botId}`, { token: user.token, orgId: org.id });
    expect(bot.body).toMatchObject({ name: SAMPLE_SHOP.bot.name, status: 'active', knowledgeBaseIds: [first.knowledgeBaseId] });

    const again = await createSampleShop(call);
    expect(again).toEqual(first);
    const kbs = await api.call('GET', '/api/v1/knowledge-bases?limit=100', { token: user.token, orgId: org.id });
    expect(kbs.body.data).toHaveLength(1);
    const docsAgain = await api.call('GET', `/api/v1/knowledge-bases/${first.knowledgeBaseId}/documents?limit=100`, { token: user.token, orgId: org.id });
    expect(docsAgain.body.data).toHaveLength(4);

    // A visitor's first question gets the shop's answer.
    const session = await api.call('POST', `/api/v1/widget/${first.botId}/session`, { body: {} });
    expect(session.status, session.text).toBe(200);
    const chat = await api.call('POST', `/api/v1/widget/${first.botId}/chat`, { token: session.body.sessionToken, body: { message: SAMPLE_SHOP.question } });
    expect(chat.status, chat.text).toBe(200);
    expect(chat.raw).toContain('antes de las 13:00');
    // The shipping sentence also names a time and Saturday: the opening hours answer this one.
    const hours = await api.call('POST', `/api/v1/widget/${first.botId}/chat`, { token: session.body.sessionToken, body: { message: '¿A qué hora abrís el sábado?' } });
    expect(hours.raw).toContain('sábados');
    expect(hours.raw).toContain('14:00');
    expect(hours.raw).not.toContain('13:00');
  });

  it('the shop page embeds the widget of that bot from the given origin, escaped', () => {
    const html = sampleShopPage({ widgetOrigin: 'http://localhost:8787', botId: '6605e466-150a-4adc-8d24-16646c311649' });
    expect(html).toContain('<script src="http://localhost:8787/widget.js" data-bot-id="6605e466-150a-4adc-8d24-16646c311649" async></script>');
    expect(sampleShopPage({ widgetOrigin: 'http://x"><script>', botId: 'b' })).not.toContain('"><script>');
  });
});
