import { z } from 'zod';
import type { Services } from '../../ports';

/**
 * Files customers sent, as messages carry them (`metadata.attachments`, whose full schema is
 * core/channels/attachments.ts). Deleting must not depend on every entry matching that schema
 * (one odd entry would make the strict reader return nothing, and a file would outlive its
 * retention), so this reads only each file's blob key, leniently.
 */
const AttachmentKeysSchema = z.array(z.object({ blobKey: z.string().nullable().optional() }).passthrough());

export type StoredAttachment = {
  kind?: string;
  status?: string;
  mimeType?: string | null;
  size?: number | null;
  filename?: string | null;
  blobKey?: string | null;
};

export function attachmentsOf(metadata: Record<string, unknown> | null | undefined): StoredAttachment[] {
  const parsed = AttachmentKeysSchema.safeParse(metadata?.attachments);
  return parsed.success ? (parsed.data as StoredAttachment[]) : [];
}

export function blobKeysOf(metadata: Record<string, unknown> | null | undefined): string[] {
  return attachmentsOf(metadata).flatMap((a) => (a.blobKey ? [a.blobKey] : []));
}

/** What an attachment becomes when its file is deleted (the message keeps saying a file was sent). */
export const FILE_REMOVED = { blobKey: null, status: 'failed', error: 'Deleted under the organization\u2019s data retention policy' };

/** Deletes blobs (a missing one is already deleted); returns how many keys were handled. */
export async function deleteBlobs(services: Pick<Services, 'blobs'>, keys: string[]): Promise<number> {
  for (let i = 0; i < keys.length; i += 20) {
    await Promise.all(keys.slice(i, i + 20).map((key) => services.blobs.delete(key)));
  }
  return keys.length;
}

