/**
 * UI text, one file per area. English is the reference; each area's Spanish must have every key
 * (its type enforces it). Counts use ICU plurals, `{count, plural, one {# item} other {# items}}`,
 * resolved with Intl.PluralRules by i18n.tsx.
 */
import * as account from './account';
import * as analytics from './analytics';
import * as auth from './auth';
import * as channels from './channels';
import * as chatbots from './chatbots';
import * as common from './common';
import * as flows from './flows';
import * as inbox from './inbox';
import * as knowledge from './knowledge';
import * as organization from './organization';
import * as overview from './overview';
import * as lifecycle from './lifecycle';
import * as sso from './sso';
import * as start from './start';
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
  ...analytics.en,
  ...channels.en,
  ...webhooks.en,
  ...start.en,
  ...flows.en,
  ...sso.en,
  ...lifecycle.en,
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
  ...analytics.es,
  ...channels.es,
  ...webhooks.es,
  ...start.es,
  ...flows.es,
  ...sso.es,
  ...lifecycle.es,
};
