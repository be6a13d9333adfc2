import { and, eq } from 'drizzle-orm';
import { contacts } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import type { Services } from '../../ports';

/**
 * A contact's profile picture for the inbox. Platforms give a URL on their CDN (Meta's
 * `profile_pic`, stored by the profile job as `attributes.avatarUrl`); the dashboard's CSP allows
 * only our own images and the URL may expire, so the picture is fetched through the outbound port
 * (every hop checked) and passed on as an image, small and cached briefly. No picture: 404, and the
 * inbox draws initials.
 */
const MAX_AVATAR_BYTES = 1_000_000;
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

export async function contactAvatarResponse(services: Services, organizationId: string, contactId: string): Promise<Response> {
  const [row] = await services.db
    .select({ attributes: contacts.attributes })
    .from(contacts)
    .where(and(eq(contacts.organizationId, organizationId), eq(contacts.id, contactId)))
    .limit(1);
  if (!row) throw new ApiError('not_found', 'Contact not found');
  const url = (row.attributes as Record<string, unknown>).avatarUrl;
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) throw new ApiError('not_found', 'This contact has no picture');
  let upstream: Response;
  try {
    upstream = await services.outbound.fetch(url, { timeoutMs: 10_000, maxRedirects: 3, maxBytes: MAX_AVATAR_BYTES });
  } catch {
    throw new ApiError('not_found', 'The contact\u2019s picture could not be read');
  }
  const type = (upstream.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (!upstream.ok || !IMAGE_TYPES.has(type)) {
    await upstream.body?.cancel();
    throw new ApiError('not_found', 'The contact\u2019s picture could not be read');
  }
  const bytes = await upstream.arrayBuffer().catch(() => null);
  if (!bytes) throw new ApiError('not_found', 'The contact\u2019s picture could not be read');
  return new Response(bytes, {
    status: 200,
    headers: { 'Content-Type': type, 'Cache-Control': 'private, max-age=3600', 'X-Content-Type-Options': 'nosniff', 'Content-Disposition': 'inline' },
  });
}
