import type { Services } from '../ports';
import type { Principal, OrgAccess } from './principal';
import type { BotRuntime } from '../core/chat/bot-runtime';

/** Hono environment shared by every router: what middleware puts on the context. */
export interface AppEnv {
  Variables: {
    services: Services;
    requestId: string;
    principal: Principal;
    org: OrgAccess;
    /** The active bot a public widget request is for. */
    widgetBot: BotRuntime;
  };
}
