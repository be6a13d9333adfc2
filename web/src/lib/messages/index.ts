/**
 * UI text, one file per area. English is the reference; each area's Spanish must have every key
 * (its type enforces it). Counts use ICU plurals, `{count, plural, one {# item} other {# items}}`,
 * resolved with Intl.PluralRules by i18n.tsx.
 */
import * as account from './account';
import * as analytics from './analytics';
import * as auth from './auth';
import * as billing from './billing';
import * as channels from './channels';
import * as channelsEmail from './channels-email';
import * as channelsSlackDiscord from './channels-slack-discord';
import * as chatbots from './chatbots';
import * as common from './common';
import * as flows from './flows';
import * as inbox from './inbox';
import * as inboxChannels from './inbox-channels';
import * as knowledge from './knowledge';
import * as media from './media';
import * as organization from './organization';
import * as overview from './overview';
import * as secrets from './secrets';
import * as privacy from './privacy';
import * as lifecycle from './lifecycle';
import * as orgDeletion from './org-deletion';
import * as contactMerge from './contact-merge';
import * as sso from './sso';
import * as start from './start';
import * as transcription from './transcription';
import * as webhooks from './webhooks';

export const en = {
  ...common.en,
  ...auth.en,
  ...organization.en,
  ...overview.en,
  ...account.en,
  ...knowledge.en,
  ...chatbots.en,
  ...inbox.en,
  ...inboxChannels.en,
  ...analytics.en,
  ...channels.en,
  ...channelsEmail.en,
  ...channelsSlackDiscord.en,
  ...webhooks.en,
  ...start.en,
  ...flows.en,
  ...secrets.en,
  ...media.en,
  ...billing.en,
  ...privacy.en,
  ...sso.en,
  ...lifecycle.en,
  ...orgDeletion.en,
  ...contactMerge.en,
  ...transcription.en,
};

export type MessageKey = keyof typeof en;

export const es: Record<MessageKey, string> = {
  ...common.es,
  ...auth.es,
  ...organization.es,
  ...overview.es,
  ...account.es,
  ...knowledge.es,
  ...chatbots.es,
  ...inbox.es,
  ...inboxChannels.es,
  ...analytics.es,
  ...channels.es,
  ...channelsEmail.es,
  ...channelsSlackDiscord.es,
  ...webhooks.es,
  ...start.es,
  ...flows.es,
  ...secrets.es,
  ...media.es,
  ...billing.es,
  ...privacy.es,
  ...sso.es,
  ...lifecycle.es,
  ...orgDeletion.es,
  ...contactMerge.es,
  ...transcription.es,
};
