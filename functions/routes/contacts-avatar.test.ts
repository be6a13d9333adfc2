import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts } from '../../db/schema';
import { createTestApi, type TestApi } from '../testing/harness';

/**
 * GET /api/v1/contacts/{id}/avatar: the picture a channel gave the contact (Meta's `profile_pic`
 * URL, stored by the profile job), passed on as an image to the inbox; 404 without one, and only
 * inside the contact's organization.
 */
let api: TestApi;
let cdn: Server;
let cdnUrl: string;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

beforeAll(async () => {
  cdn = createServer((req, res) => {
    if (req.url === '/pic.png') {
      res.writeHead(200, { 'Content-Type': 'image/png' });
      res.end(PNG);
    } else if (req.url === '/page.html') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<script>alert(1)</script>');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((done) => cdn.listen(0, '127.0.0.1', done));
  cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
  api = await createTestApi({ env: { ALLOW_PRIVATE_URLS: 'true' } });
});
afterAll(async () => {
  await api.close();
  await new Promise<void>((done) => cdn.close(() => done()));
});

async function contactWith(orgId: string, avatarUrl?: string) {
  const [row] = await api.runtime.services.db
    .insert(contacts)
    .values({ organizationId: orgId, channel: 'messenger', externalId: `psid-${crypto.randomUUID()}`, attributes: avatarUrl ? { avatarUrl } : {} })
    .returning();
  return row.id;
}

const avatar = (contactId: string, token: string, orgId: string) =>
  fetch(`${api.baseUrl}/api/v1/contacts/${contactId}/avatar`, { headers: { authorization: `Bearer ${token}`, 'x-organization-id': orgId } });

describe('contact pictures', () => {
  it('serves the channel\u2019s picture as an image, 404 without one or when it is not an image', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const withPicture = await contactWith(org.id, `${cdnUrl}/pic.png`);
    const res = await avatar(withPicture, owner.token, org.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);

    expect((await avatar(await contactWith(org.id), owner.token, org.id)).status).toBe(404);
    expect((await avatar(await contactWith(org.id, `${cdnUrl}/page.html`), owner.token, org.id)).status).toBe(404);
    expect((await avatar(await contactWith(org.id, `${cdnUrl}/gone.png`), owner.token, org.id)).status).toBe(404);
  });

  it('another organization cannot read a contact\u2019s picture', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const contactId = await contactWith(org.id, `${cdnUrl}/pic.png`);
    const attacker = await api.signUp();
    const attackerOrg = await api.createOrg(attacker, 'Intruder');
    expect((await avatar(contactId, attacker.token, attackerOrg.id)).status).toBe(404);
    expect((await avatar(contactId, attacker.token, org.id)).status).toBe(404);
    expect((await fetch(`${api.baseUrl}/api/v1/contacts/${contactId}/avatar`)).status).toBe(401);
  });
});
