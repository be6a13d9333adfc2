import { and, eq } from 'drizzle-orm';
import { flows, flowVersions } from '../../../db/schema';
import type { Services } from '../../ports';
import type { FlowDocument } from './schema';

export interface EntryFlow {
  flowId: string;
  version: number;
  document: FlowDocument;
}

/**
 * The bot's published entry flow, or null (then the bot answers as it always did). Read with the
 * rest of the bot into its cached runtime (chat/bot-runtime.ts), so a turn costs no extra round trip.
 */
export async function readEntryFlow(db: Services['db'], botId: string): Promise<EntryFlow | null> {
  const [row] = await db
    .select({ flowId: flows.id, version: flowVersions.version, document: flowVersions.document })
    .from(flows)
    .innerJoin(flowVersions, and(eq(flowVersions.flowId, flows.id), eq(flowVersions.version, flows.publishedVersion)))
    .where(and(eq(flows.botId, botId), eq(flows.isEntry, true)))
    .limit(1);
  return row ?? null;
}
