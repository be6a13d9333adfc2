import type { Services } from '../../ports';
import type { OrgEvent } from '../events/types';

/** Hands an event to the organization's outgoing webhooks (subscribed, active endpoints). */
export async function notifyWebhooks(_services: Services, _event: OrgEvent): Promise<void> {}
