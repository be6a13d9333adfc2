import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('organizations', () => {
  it('register -> create -> list -> get -> update -> delete', async () => {
    const owner = await api.signUp();
    const created = await api.call('POST', '/api/v1/organizations', {
      token: owner.token,
      body: { name: 'Óptica Núñez', timezone: 'Europe/Madrid', language: 'es' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ name: 'Óptica Núñez', role: 'owner', timezone: 'Europe/Madrid' });
    expect(created.body.slug).toMatch(/^optica-nunez-/);

    const list = await api.call('GET', '/api/v1/organizations', { token: owner.token });
    expect(list.body.data.map((o: { id: string }) => o.id)).toEqual([created.body.id]);

    const updated = await api.call('PUT', `/api/v1/organizations/${created.body.id}`, {
      token: owner.token,
      body: { name: 'Óptica Núñez SL', timezone: 'America/Mexico_City' },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body.timezone).toBe('America/Mexico_City');

    const badTz = await api.call('PUT', `/api/v1/organizations/${created.body.id}`, { token: owner.token, body: { timezone: 'Mars/Olympus' } });
    expect(badTz.status).toBe(422);

    expect((await api.call('DELETE', `/api/v1/organizations/${created.body.id}`, { token: owner.token })).status).toBe(204);
    expect((await api.call('GET', `/api/v1/organizations/${created.body.id}`, { token: owner.token })).status).toBe(404);
  });

  it('X-Organization-Id picks the organization; without it, the only one is used', async () => {
    const owner = await api.signUp();
    const first = await api.createOrg(owner, 'One');
    const onlyOne = await api.call('GET', '/api/v1/api-keys', { token: owner.token });
    expect(onlyOne.status, onlyOne.text).toBe(200);
    const second = await api.createOrg(owner, 'Two');
    const ambiguous = await api.call('GET', '/api/v1/api-keys', { token: owner.token });
    expect(ambiguous.status).toBe(400);
    const chosen = await api.call('GET', '/api/v1/api-keys', { token: owner.token, orgId: second.id });
    expect(chosen.status).toBe(200);
    expect(first.id).not.toBe(second.id);
  });
});

describe('members and roles', () => {
  it('invites by email, the invitee accepts, and appears with the role', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const agent = await api.addMember(owner, org.id, 'agent');
    const members = await api.call('GET', `/api/v1/organizations/${org.id}/members`, { token: agent.token });
    expect(members.status, members.text).toBe(200);
    expect(members.body.data.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
      [owner.email, 'owner'],
      [agent.email, 'agent'],
    ]);
    const audit = await api.call('GET', '/api/v1/audit-log', { token: owner.token, orgId: org.id });
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['member.invited', 'member.joined', 'organization.created']),
    );
  });

  it('an invitation is for its email only, and single use', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const invitee = await api.signUp();
    await api.call('POST', `/api/v1/organizations/${org.id}/members/invite`, { token: owner.token, body: { email: invitee.email, role: 'viewer' } });
    const mails = await api.outboxFor(invitee.email);
    const token = decodeURIComponent(/\/invite\/([^\s]+)/.exec(mails[0].text)![1]);
    const preview = await api.call('GET', `/api/v1/invitations/${encodeURIComponent(token)}`);
    expect(preview.body).toMatchObject({ email: invitee.email, role: 'viewer' });
    const stranger = await api.signUp();
    expect((await api.call('POST', '/api/v1/invitations/accept', { token: stranger.token, body: { token } })).status).toBe(403);
    expect((await api.call('POST', '/api/v1/invitations/accept', { token: invitee.token, body: { token } })).status).toBe(200);
    expect((await api.call('POST', '/api/v1/invitations/accept', { token: invitee.token, body: { token } })).status).toBe(404);
  });

  it('lists and revokes pending invitations', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const inv = await api.call('POST', `/api/v1/organizations/${org.id}/members/invite`, {
      token: owner.token,
      body: { email: 'someone@example.com', role: 'agent' },
    });
    const pending = await api.call('GET', `/api/v1/organizations/${org.id}/invitations`, { token: owner.token });
    expect(pending.body.data.map((i: { id: string }) => i.id)).toEqual([inv.body.id]);
    expect((await api.call('DELETE', `/api/v1/organizations/${org.id}/invitations/${inv.body.id}`, { token: owner.token })).status).toBe(204);
    expect((await api.call('GET', `/api/v1/organizations/${org.id}/invitations`, { token: owner.token })).body.data).toEqual([]);
  });

  it('enforces roles on writes', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const admin = await api.addMember(owner, org.id, 'admin');
    const agent = await api.addMember(owner, org.id, 'agent');
    const viewer = await api.addMember(owner, org.id, 'viewer');

    const viewerRename = await api.call('PUT', `/api/v1/organizations/${org.id}`, { token: viewer.token, body: { name: 'x' } });
    expect(viewerRename.status, viewerRename.text).toBe(403);
    expect(viewerRename.body.error.code).toBe('insufficient_role');
    expect((await api.call('POST', `/api/v1/organizations/${org.id}/members/invite`, { token: agent.token, body: { email: 'a@b.co', role: 'agent' } })).status).toBe(403);
    expect((await api.call('PUT', `/api/v1/organizations/${org.id}`, { token: admin.token, body: { name: 'Renamed by admin' } })).status).toBe(200);
    // Admins manage agents and viewers, not owners; only owners delete the organization.
    expect((await api.call('PUT', `/api/v1/organizations/${org.id}/members/${agent.id}`, { token: admin.token, body: { role: 'viewer' } })).status).toBe(200);
    expect((await api.call('PUT', `/api/v1/organizations/${org.id}/members/${owner.id}`, { token: admin.token, body: { role: 'agent' } })).status).toBe(403);
    expect((await api.call('PUT', `/api/v1/organizations/${org.id}/members/${viewer.id}`, { token: admin.token, body: { role: 'owner' } })).status).toBe(403);
    expect((await api.call('DELETE', `/api/v1/organizations/${org.id}`, { token: admin.token })).status).toBe(403);
    expect((await api.call('DELETE', `/api/v1/organizations/${org.id}/members/${viewer.id}`, { token: admin.token })).status).toBe(204);
  });

  it('the last owner cannot leave or be demoted; a second owner makes it possible', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const leave = await api.call('DELETE', `/api/v1/organizations/${org.id}/members/${owner.id}`, { token: owner.token });
    expect(leave.status, leave.text).toBe(409);
    const demote = await api.call('PUT', `/api/v1/organizations/${org.id}/members/${owner.id}`, { token: owner.token, body: { role: 'admin' } });
    expect(demote.status).toBe(409);
    const second = await api.addMember(owner, org.id, 'owner');
    expect((await api.call('DELETE', `/api/v1/organizations/${org.id}/members/${owner.id}`, { token: owner.token })).status).toBe(204);
    const members = await api.call('GET', `/api/v1/organizations/${org.id}/members`, { token: second.token });
    expect(members.body.data.map((m: { userId: string }) => m.userId)).toEqual([second.id]);
  });

  it('an agent may leave on their own', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const agent = await api.addMember(owner, org.id, 'agent');
    expect((await api.call('DELETE', `/api/v1/organizations/${org.id}/members/${agent.id}`, { token: agent.token })).status).toBe(204);
  });
});

describe('API keys', () => {
  it('shows the key once, authenticates as the organization, and stops working when revoked', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const created = await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: 'CRM', role: 'agent' } });
    expect(created.status, created.text).toBe(201);
    const key = created.body.key as string;
    expect(key).toMatch(/^vsk_/);
    const list = await api.call('GET', '/api/v1/api-keys', { token: owner.token });
    expect(list.text).not.toContain(key);
    expect(list.body.data[0]).toMatchObject({ name: 'CRM', role: 'agent', prefix: key.slice(0, 10) });

    const asKey = await api.call('GET', '/api/v1/organizations', { token: key });
    expect(asKey.body.data.map((o: { id: string }) => o.id)).toEqual([org.id]);
    const members = await api.call('GET', `/api/v1/organizations/${org.id}/members`, { token: key });
    expect(members.status).toBe(200);
    // The key's role (agent) applies: it cannot rename the organization or read the audit log.
    expect((await api.call('PUT', `/api/v1/organizations/${org.id}`, { token: key, body: { name: 'x' } })).status).toBe(403);
    // Account routes need a person.
    expect((await api.call('GET', '/api/v1/users/profile', { token: key })).status).toBe(403);

    expect((await api.call('DELETE', `/api/v1/api-keys/${created.body.apiKey.id}`, { token: owner.token })).status).toBe(204);
    const revoked = await api.call('GET', '/api/v1/organizations', { token: key });
    expect(revoked.status).toBe(401);
    const audit = await api.call('GET', '/api/v1/audit-log?action=api_key.created', { token: owner.token });
    expect(audit.body.data).toHaveLength(1);
  });

  it('paginates the audit log with a cursor', async () => {
    const owner = await api.signUp();
    await api.createOrg(owner);
    for (let i = 0; i < 5; i++) await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: `k${i}` } });
    const first = await api.call('GET', '/api/v1/audit-log?limit=3', { token: owner.token });
    expect(first.body.data).toHaveLength(3);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await api.call('GET', `/api/v1/audit-log?limit=3&cursor=${first.body.nextCursor}`, { token: owner.token });
    const ids = [...first.body.data, ...second.body.data].map((e: { id: string }) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await api.call('GET', '/api/v1/audit-log?cursor=garbage', { token: owner.token })).status).toBe(400);
  });
});

describe('usage', () => {
  it('counts what the organization holds, and nothing of another one', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const empty = await api.call('GET', `/api/v1/organizations/${org.id}/usage`, { token: owner.token });
    expect(empty.status, empty.text).toBe(200);
    expect(empty.body).toEqual({ conversations: 0, openConversations: 0, messages: 0, bots: 0, activeBots: 0, members: 1, knowledgeBases: 0, documents: 0, storageBytes: 0 });

    const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: owner.token, body: { name: 'Ayuda' } });
    const text = 'Abrimos de lunes a viernes de 9:00 a 18:00.';
    await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, { token: owner.token, body: { type: 'text', name: 'Horario', text } });
    await api.runtime.queue.drain();
    const bot = await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Sol', knowledgeBaseIds: [kb.body.id] } });
    await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: owner.token });
    await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Borrador' } });
    const session = await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} });
    await api.call('POST', `/api/v1/widget/${bot.body.id}/chat`, { headers: { authorization: `Bearer ${session.body.sessionToken}` }, body: { message: '¿Qué horario tenéis?' } });

    const usage = await api.call('GET', `/api/v1/organizations/${org.id}/usage`, { token: owner.token });
    expect(usage.body).toEqual({
      conversations: 1,
      openConversations: 1,
      messages: 2,
      bots: 2,
      activeBots: 1,
      members: 1,
      knowledgeBases: 1,
      documents: 1,
      storageBytes: new TextEncoder().encode(text).byteLength,
    });
    const other = await api.signUp();
    await api.createOrg(other);
    expect((await api.call('GET', `/api/v1/organizations/${org.id}/usage`, { token: other.token })).status).toBe(404);
  });
});
