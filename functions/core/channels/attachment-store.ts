import { eq, sql } from 'drizzle-orm';
import { messages } from '../../../db/schema';
import type { Services } from '../../ports';
import { messageEventData } from '../conversations/events';
import { publishEvent } from '../events/publish';
import type { MessageAttachment } from './attachments';

/** Writes one attachment of a stored message in place (the download and transcription jobs fill them in). */
export async function saveAttachment(services: Services, messageId: string, index: number, attachment: MessageAttachment) {
  await services.db
    .update(messages)
    .set({ metadata: sql`jsonb_set(${messages.metadata}, ${`{attachments,${index}}`}::text[], ${JSON.stringify(attachment)}::jsonb)` })
    .where(eq(messages.id, messageId));
}

/** Tells the inbox the message changed (a file arrived, a transcript was written). */
export async function announceMessageUpdated(services: Services, messageId: string) {
  const [row] = await services.db.select().from(messages).where(eq(messages.id, messageId)).limit(1);
  if (row) await publishEvent(services, row.organizationId, 'message.updated', messageEventData(row));
}
