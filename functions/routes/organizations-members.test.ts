import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

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
