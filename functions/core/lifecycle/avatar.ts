import { eq } from 'drizzle-orm';
import { users } from '../../../db/schema';
import { randomToken } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import type { Services } from '../../ports';
import type { UserRow } from '../auth/users';
import { readImageInfo, type ImageType } from './image-header';

/** The dashboard resizes avatars to this square in the browser (canvas); the server refuses larger. */
export const AVATAR_MAX_PIXELS = 512;
export const AVATAR_MAX_BYTES = 1024 * 1024;
export const AVATAR_ROUTE = '/api/v1/avatars';

const EXTENSIONS: Record<ImageType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

const blobKey = (name: string) => `avatars/${name}`;

/** The stored file's name when `avatarUrl` points at one of ours, else null (an external URL). */
function storedName(avatarUrl: string | null): string | null {
  const prefix = `${AVATAR_ROUTE}/`;
  return avatarUrl?.startsWith(prefix) ? avatarUrl.slice(prefix.length) : null;
}

/**
 * Checks the image by its bytes (type by magic number, size from its header), stores it under an
 * unguessable name, points the profile at it and drops the previous one.
 */
export async function uploadAvatar(services: Pick<Services, 'db' | 'blobs'>, user: UserRow, bytes: Uint8Array) {
  if (bytes.byteLength > AVATAR_MAX_BYTES) throw new ApiError('payload_too_large', `An avatar may be at most ${AVATAR_MAX_BYTES / 1024} KB`);
  const info = readImageInfo(bytes);
  if (!info) throw new ApiError('unsupported_media_type', 'The avatar must be a PNG, JPEG or WebP image');
  if (info.width > AVATAR_MAX_PIXELS || info.height > AVATAR_MAX_PIXELS || info.width < 1 || info.height < 1) {
    throw new ApiError('validation_failed', `The avatar is ${info.width}\u00d7${info.height}; resize it to at most ${AVATAR_MAX_PIXELS}\u00d7${AVATAR_MAX_PIXELS} pixels`);
  }
  const name = `${user.id}-${randomToken(12)}.${EXTENSIONS[info.type]}`;
  await services.blobs.put(blobKey(name), bytes, { contentType: info.type });
  const avatarUrl = `${AVATAR_ROUTE}/${name}`;
  await services.db.update(users).set({ avatarUrl }).where(eq(users.id, user.id));
  const previous = storedName(user.avatarUrl);
  if (previous) await services.blobs.delete(blobKey(previous));
  return { avatarUrl, ...info };
}

/** Drops the stored avatar of an account being deleted. */
export async function deleteStoredAvatar(services: Pick<Services, 'blobs'>, user: UserRow) {
  const name = storedName(user.avatarUrl);
  if (name) await services.blobs.delete(blobKey(name));
}

export async function readAvatar(services: Pick<Services, 'blobs'>, name: string) {
  if (!/^[0-9a-f-]{36}-[A-Za-z0-9_-]{16}\.(png|jpg|webp)$/.test(name)) return null;
  return services.blobs.get(blobKey(name));
}
