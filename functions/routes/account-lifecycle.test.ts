import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, organizationDeletions } from '../../db/schema';
import { createTestApi, totpNow, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

function pngHeader(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}

describe('avatar upload', () => {
  it('stores a small PNG, serves it publicly and points the profile at it', async () => {
    const user = await api.signUp();
    const bytes = pngHeader(128, 128);
    const res = await api.upload('/api/v1/users/upload-avatar', { name: 'me.png', bytes, type: 'image/png' }, { token: user.token });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ type: 'image/png', width: 128, height: 128 });
    const image = await fetch(`${api.baseUrl}${res.body.avatarUrl}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(bytes);
    const profile = await api.call('GET', '/api/v1/users/profile', { token: user.token });
    expect(profile.body.avatarUrl).toBe(res.body.avatarUrl);
    // A new upload replaces the old file.
    const again = await api.upload('/api/v1/users/upload-avatar', { name: 'me2.png', bytes: pngHeader(64, 64), type: 'image/png' }, { token: user.token });
    expect(again.status).toBe(200);
    expect((await fetch(`${api.baseUrl}${res.body.avatarUrl}`)).status).toBe(404);
  });

  it('refuses an image larger than 512×512, a spoofed type and more than 1 MB', async () => {
    const user = await api.signUp();
    const big = await api.upload('/api/v1/users/upload-avatar', { name: 'big.png', bytes: pngHeader(2000, 2000), type: 'image/png' }, { token: user.token });
    expect(big.status).toBe(422);
    expect(big.body.error.message).toContain('512');
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const spoofed = await api.upload('/api/v1/users/upload-avatar', { name: 'x.png', bytes: svg, type: 'image/png' }, { token: user.token });
    expect(spoofed.status).toBe(415);
    const huge = new Uint8Array(1024 * 1024 + 10);
    huge.set(pngHeader(100, 100));
    const tooLarge = await api.upload('/api/v1/users/upload-avatar', { name: 'huge.png', bytes: huge, type: 'image/png' }, { token: user.token });
    expect(tooLarge.status).toBe(413);
    const profile = await api.call('GET', '/api/v1/users/profile', { token: user.token });
    expect(profile.body.avatarUrl).toBeNull();
  });
});

describe('deleting my account', () => {
  it('explains the plan, refuses while sole owner of a shared organization, and names it', async () => {
    const owner = await api.signUp();
    const solo = await api.createOrg(owner, 'Solo');
    const shared = await api.createOrg(owner, 'Shared');
    const member = await api.addMember(owner, shared.id, 'agent');
    const plan = await api.call('GET', '/api/v1/users/account/deletion-plan', { token: owner.token });
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.deletedWithAccount.map((o: { id: string }) => o.id)).toEqual([solo.id]);
    expect(plan.body.blockedBy.map((o: { id: string }) => o.id)).toEqual([shared.id]);
    const refused = await api.call('DELETE', '/api/v1/users/account', { token: owner.token, body: { password: owner.password } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('Shared');
    // Once ownership is transferred, the account goes; the solo organization goes with it.
    expect((await api.call('PUT', `/api/v1/organizations/${shared.id}/members/${member.id}`, { token: owner.token, body: { role: 'owner' } })).status).toBe(200);
    const memberPlan = await api.call('GET', '/api/v1/users/account/deletion-plan', { token: member.token });
    expect(memberPlan.body.blockedBy).toEqual([]);
    const deleted = await api.call('DELETE', '/api/v1/users/account', { token: owner.token, body: { password: owner.password } });
    expect(deleted.status, deleted.text).toBe(204);
    expect((await api.call('GET', `/api/v1/organizations/${shared.id}`, { token: member.token })).status).toBe(200);
    const [soloLeft] = await api.runtime.services.db.query.organizations.findMany({ where: (t, { eq: is }) => is(t.id, solo.id) });
    expect(soloLeft).toBeUndefined();
    // Every session is revoked: the refresh cookie no longer works either.
    const refresh = await api.call('POST', '/api/v1/auth/refresh', { headers: { cookie: owner.refreshCookie }, body: {} });
    expect(refresh.status).toBe(401);
  });

  it('asks for the second factor when it is on', async () => {
    const user = await api.signUp();
    const setup = await api.call('POST', '/api/v1/auth/2fa/setup', { token: user.token });
    expect((await api.call('POST', '/api/v1/auth/2fa/verify', { token: user.token, body: { code: totpNow(setup.body.secret) } })).status).toBe(200);
    const noCode = await api.call('DELETE', '/api/v1/users/account', { token: user.token, body: { password: user.password } });
    expect(noCode.status).toBe(401);
    expect(noCode.body.error.code).toBe('two_factor_required');
    const wrong = await api.call('DELETE', '/api/v1/users/account', { token: user.token, body: { password: user.password, code: '000000' } });
    expect(wrong.body.error.code).toBe('invalid_two_factor_code');
    const ok = await api.call('DELETE', '/api/v1/users/account', { token: user.token, body: { password: user.password, code: totpNow(setup.body.secret, 1) } });
    expect(ok.status, ok.text).toBe(204);
  });
});

describe('deleting an organization with a grace period', () => {
  it('schedules, exports, cancels and schedules again; the purge deletes it after the grace period', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner, 'Leaving Co');
    const admin = await api.addMember(owner, org.id, 'admin');
    const wrong = await api.call('POST', `/api/v1/organizations/${org.id}/deletion`, { token: owner.token, body: { password: 'not-the-password' } });
    expect(wrong.status).toBe(401);
    const byAdmin = await api.call('POST', `/api/v1/organizations/${org.id}/deletion`, { token: admin.token, body: { password: admin.password } });
    expect(byAdmin.status).toBe(403);
    const scheduled = await api.call('POST', `/api/v1/organizations/${org.id}/deletion`, { token: owner.token, body: { password: owner.password } });
    expect(scheduled.status, scheduled.text).toBe(202);
    expect(scheduled.body.scheduled).toBe(true);
    const days = (new Date(scheduled.body.purgeAfter).getTime() - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(14);
    expect((await api.call('POST', `/api/v1/organizations/${org.id}/deletion`, { token: owner.token, body: { password: owner.password } })).status).toBe(409);

    const exported = await api.call('GET', `/api/v1/organizations/${org.id}/export`, { token: owner.token });
    expect(exported.status, exported.text).toBe(200);
    expect(exported.headers.get('content-disposition')).toContain('attachment');
    expect(exported.body.organization).toMatchObject({ id: org.id, name: 'Leaving Co' });
    expect(exported.body.members.map((m: { email: string }) => m.email).sort()).toEqual([owner.email, admin.email].sort());
    expect(exported.body.auditLog.map((e: { action: string }) => e.action)).toContain('organization.deletion_scheduled');
    expect(exported.raw).not.toMatch(/passwordHash|keyHash|tokenHash/);

    const cancelled = await api.call('DELETE', `/api/v1/organizations/${org.id}/deletion`, { token: owner.token });
    expect(cancelled.body.scheduled).toBe(false);
    // Nothing is purged while no deletion is scheduled.
    await api.runtime.queue.enqueue('purge-deleted-organizations', {});
    await api.runtime.queue.drain();
    expect((await api.call('GET', `/api/v1/organizations/${org.id}`, { token: owner.token })).status).toBe(200);

    await api.call('POST', `/api/v1/organizations/${org.id}/deletion`, { token: owner.token, body: { password: owner.password } });
    // Within the grace period the nightly job leaves it alone.
    await api.runtime.queue.enqueue('purge-deleted-organizations', {});
    await api.runtime.queue.drain();
    const status = await api.call('GET', `/api/v1/organizations/${org.id}/deletion`, { token: admin.token });
    expect(status.body.scheduled).toBe(true);
    // The grace period is over: the job purges it.
    const { db } = api.runtime.services;
    await db.update(organizationDeletions).set({ purgeAfter: new Date(Date.now() - 1000) }).where(eq(organizationDeletions.organizationId, org.id));
    await api.runtime.queue.enqueue('purge-deleted-organizations', { day: 'test-purge' });
    await api.runtime.queue.drain();
    expect((await api.call('GET', `/api/v1/organizations/${org.id}`, { token: owner.token })).status).toBe(404);
    const purged = await db.select().from(auditLog).where(eq(auditLog.targetId, org.id));
    expect(purged.map((e) => e.action)).toContain('organization.purged');
  });

  it('keeps another organization\u2019s deletion and export out of reach (cross-tenant)', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const stranger = await api.signUp();
    await api.createOrg(stranger);
    expect((await api.call('POST', `/api/v1/organizations/${org.id}/deletion`, { token: stranger.token, body: { password: stranger.password } })).status).toBe(404);
    expect((await api.call('GET', `/api/v1/organizations/${org.id}/export`, { token: stranger.token })).status).toBe(404);
    expect((await api.call('GET', `/api/v1/organizations/${org.id}/deletion`, { token: stranger.token })).status).toBe(404);
    expect((await api.call('DELETE', `/api/v1/organizations/${org.id}/deletion`, { token: stranger.token })).status).toBe(404);
    const status = await api.call('GET', `/api/v1/organizations/${org.id}/deletion`, { token: owner.token });
    expect(status.body.scheduled).toBe(false);
  });
});
