import type { Services } from '../../ports';
import { conversationStreamKey, orgStreamKey } from './publish';

/**
 * Erasing a person from the live event streams' durable log (a Redis stream at the edge, the
 * in-process stream locally): the entries that name one of their conversations or the contact
 * (message text, previews) are deleted one by one (`XDEL`), in the organization's stream and in
 * each conversation's widget stream, and the stream's push hub forgets them, so no reconnecting
 * dashboard or widget is replayed them. Entries are matched on the raw JSON by id: every event
 * about a conversation carries its id, wherever the payload nests it.
 */
const READ_BATCH = 500;
/** The org stream keeps ~2,000 entries; this bounds a scan even if a stream grew past its cap. */
const MAX_BATCHES = 20;

async function entriesNaming(services: Pick<Services, 'kv'>, key: string, needles: string[]): Promise<string[]> {
  const ids: string[] = [];
  let after = '0-0';
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const entries = await services.kv.streamRead(key, after, READ_BATCH);
    for (const entry of entries) if (needles.some((needle) => entry.data.includes(needle))) ids.push(entry.id);
    if (entries.length < READ_BATCH) break;
    after = entries[entries.length - 1].id;
  }
  return ids;
}

export async function eraseFromEventStreams(
  services: Pick<Services, 'kv' | 'live'>,
  organizationId: string,
  subject: { contactId: string; conversationIds: string[] },
): Promise<number> {
  const needles = [subject.contactId, ...subject.conversationIds];
  const keys = [orgStreamKey(organizationId), ...subject.conversationIds.map(conversationStreamKey)];
  let erased = 0;
  for (const key of keys) {
    const ids = await entriesNaming(services, key, needles);
    if (ids.length === 0) continue;
    erased += await services.kv.streamDelete(key, ids);
    await services.live?.forget(key, ids);
  }
  return erased;
}
