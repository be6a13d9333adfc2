import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';
import { createTeam } from '../testing/inbox';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const team = (settings?: Record<string, unknown>) => createTeam(api, settings);

describe('canned responses API', () => {
  it('canned responses: CRUD, unique shortcuts, search', async () => {
    const { owner, orgId } = await team();
    const created = await api.call('POST', '/api/v1/canned-responses', { token: owner.token, body: { shortcut: '/Horario', content: 'x' } });
    expect(created.status).toBe(422);
    const ok = await api.call('POST', '/api/v1/canned-responses', { token: owner.token, body: { shortcut: 'Horario', content: 'Abrimos de 9:00 a 18:00.' } });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.shortcut).toBe('horario');
    const dup = await api.call('POST', '/api/v1/canned-responses', { token: owner.token, body: { shortcut: 'horario', content: 'otra' } });
    expect(dup.status).toBe(409);
    await api.call('POST', '/api/v1/canned-responses', { token: owner.token, body: { shortcut: 'envio', content: 'Los envíos tardan 2-4 días.' } });
    const found = await api.call('GET', '/api/v1/canned-responses?q=env', { token: owner.token });
    expect(found.body.data.map((r: { shortcut: string }) => r.shortcut)).toEqual(['envio']);
    const updated = await api.call('PUT', `/api/v1/canned-responses/${ok.body.id}`, { token: owner.token, body: { shortcut: 'horario', content: 'Abrimos de 10:00 a 19:00.' } });
    expect(updated.body.content).toBe('Abrimos de 10:00 a 19:00.');
    const viewer = await api.addMember(owner, orgId, 'viewer');
    expect((await api.call('DELETE', `/api/v1/canned-responses/${ok.body.id}`, { token: viewer.token })).status).toBe(403);
    expect((await api.call('DELETE', `/api/v1/canned-responses/${ok.body.id}`, { token: owner.token })).status).toBe(204);
    const other = await api.signUp();
    await api.createOrg(other);
    expect((await api.call('PUT', `/api/v1/canned-responses/${found.body.data[0].id}`, { token: other.token, body: { shortcut: 'x', content: 'y' } })).status).toBe(404);
  });
});
