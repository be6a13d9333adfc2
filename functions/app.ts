import { Scalar } from '@scalar/hono-api-reference';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import { checkRequestText, limitBody } from './lib/body';
import { admitChatTurn } from './middleware/admission';
import { ApiError } from './lib/errors';
import type { AppEnv } from './lib/env';
import { apiPolicy, docsPolicy } from './lib/security-headers';
import { createRouter } from './lib/openapi';
import type { Services } from './ports';
import { apiKeysRouter } from './routes/api-keys';
import { privacyRouter } from './routes/privacy';
import { auditRouter } from './routes/audit';
import { authRouter } from './routes/auth';
import { devRouter } from './routes/dev';
import { healthRouter } from './routes/health';
import { invitationsRouter } from './routes/invitations';
import { chatbotsRouter } from './routes/chatbots';
import { contactsRouter } from './routes/contacts';
import { conversationsRouter } from './routes/conversations';
import { cannedResponsesRouter } from './routes/canned-responses';
import { eventsRouter } from './routes/events';
import { createJobsRouter } from './routes/jobs';
import type { JobTable } from './core/jobs/registry';
import { toErrorResponse } from './lib/error-response';
import { modelsRouter } from './routes/models';
import { providerKeysRouter } from './routes/provider-keys';
import { widgetChatLookups, widgetRouter } from './routes/widget';
import { botsTrainRouter } from './routes/bots-train';
import { OPENAI_PATH_PREFIX, openAIErrorResponse, openaiRouter } from './routes/openai';
import { knowledgeRouter } from './routes/knowledge';
import { createKnowledgeSeedPathsRouter } from './routes/knowledge-seed-paths';
import { organizationsRouter } from './routes/organizations';
import { avatarsRouter, usersRouter } from './routes/users';
import { channelsRouter } from './routes/channels';
import { integrationsRouter } from './routes/integrations';
import { webhooksRouter } from './routes/webhooks';
import { analyticsRouter } from './routes/analytics';
import { reportsRouter } from './routes/reports';
import { secretsRouter } from './routes/secrets';
import { flowTemplatesRouter } from './routes/flow-templates';

export interface AppOptions {
  /** Builds the services for one request (the edge opens a Neon pool per request; Node reuses one PGlite). */
  services: (c: Context<AppEnv>) => Services | Promise<Services>;
  /**
   * The background jobs `/api/jobs/<name>` runs: all of them on Node (core/jobs/all.ts); at the
   * edge only the request side's, so the request worker never loads the extractors.
   */
  jobs: JobTable;
  /**
   * Routers that load heavy libraries, mounted where the runtime serves them in this app (Node:
   * billing with the `stripe` package at `/api/v1/billing`). The request worker passes none and
   * forwards those paths to the back-office worker instead (functions/worker.ts).
   */
  backOffice?: Array<{ path: string; router: ReturnType<typeof createRouter> }>;
}

export const API_TITLE = 'VersaAI API';
export const SCALAR_BUNDLE_PATH = '/vendor/scalar.js';
const DOCS_PATH = '/api/docs';

/** The one Hono app both runtimes serve: `/api/*` and `/health`; static files are the runtime's job. */
export function createApp(options: AppOptions) {
  const app = createRouter();

  app.use('*', requestId());
  app.use('*', async (c, next) => {
    c.set('services', await options.services(c));
    await next();
  });
  const apiHeaders = secureHeaders({ crossOriginResourcePolicy: 'same-origin', contentSecurityPolicy: apiPolicy });
  const docsHeaders = secureHeaders({
    crossOriginResourcePolicy: 'same-origin',
    contentSecurityPolicy: { ...docsPolicy, scriptSrc: ["'self'", NONCE] },
  });
  app.use('*', (c, next) => (c.req.path === DOCS_PATH ? docsHeaders : apiHeaders)(c, next));
  // Before the body is read or anything is looked up: an overloaded runtime refuses at the door.
  // Then the chat's KV lookups start, so their round trip runs while the body is read and checked.
  app.use('/api/v1/widget/:chatbot_id/chat', admitChatTurn, widgetChatLookups);
  app.use(`${OPENAI_PATH_PREFIX}chat/completions`, admitChatTurn);
  app.use('/api/*', async (c, next) => {
    // The widget API answers CORS for each bot's own allowed origins (routes/widget.ts).
    if (c.req.path.startsWith('/api/v1/widget/')) return next();
    const { config } = c.get('services');
    const allowed = new Set([new URL(config.APP_URL).origin, ...config.CORS_ORIGINS]);
    return cors({
      origin: (origin) => (allowed.has(origin) ? origin : null),
      credentials: true,
      allowHeaders: ['Authorization', 'Content-Type', 'X-Organization-Id', 'X-Request-Id'],
      exposeHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    })(c, next);
  });
  app.use('/api/*', async (c, next) => {
    const { config } = c.get('services');
    // Uploads carry files (plus multipart framing); everything else is small JSON.
    const isUpload = c.req.path.endsWith('/documents/upload') || c.req.path.endsWith('/train') || /^\/api\/v1\/conversations\/[^/]+\/attachments$/.test(c.req.path);
    // Inbound mail (a Mailgun form) carries its attachments.
    const isMail = c.req.path.startsWith('/api/v1/channels/email/');
    const maxSize = isUpload ? config.MAX_UPLOAD_BYTES + 64 * 1024 : isMail ? config.EMAIL_MAX_BYTES : config.MAX_JSON_BYTES;
    return limitBody(maxSize, () => {
      throw new ApiError('payload_too_large', `The request body is larger than ${maxSize} bytes`);
    })(c, next);
  });
  app.use('/api/*', checkRequestText);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An access token from /api/v1/auth/login, or an organization API key (vsk_…)',
  });

  app.route('/', healthRouter);
  app.route('/api/v1/auth', authRouter);
  app.route('/api/v1/users', usersRouter);
  app.route('/api/v1/avatars', avatarsRouter);
  app.route('/api/v1/organizations', organizationsRouter);
  app.route('/api/v1/invitations', invitationsRouter);
  app.route('/api/v1/api-keys', apiKeysRouter);
  app.route('/api/v1/knowledge-bases', knowledgeRouter);
  app.route('/api/v1/chatbots', chatbotsRouter);
  // The brief's path for teaching a bot a file, under both names a client may use for bots.
  app.route('/api/v1/bots', botsTrainRouter);
  app.route('/api/v1/chatbots', botsTrainRouter);
  app.route('/api/v1/models', modelsRouter);
  app.route('/api/v1/provider-keys', providerKeysRouter);
  app.route('/api/v1/conversations', conversationsRouter);
  app.route('/api/v1/contacts', contactsRouter);
  app.route('/api/v1/canned-responses', cannedResponsesRouter);
  app.route('/api/v1/events', eventsRouter);
  app.route('/api/v1/widget', widgetRouter);
  app.route('/api/v1/openai', openaiRouter);
  app.route('/api/v1/integrations', integrationsRouter);
  app.route('/api/v1/channels', channelsRouter);
  app.route(
    '/api/v1/knowledge-base',
    createKnowledgeSeedPathsRouter((request, c) => app.fetch(request, c.env, executionContextOf(c))),
  );
  app.route('/api/v1/audit-log', auditRouter);
  app.route('/api/v1/privacy', privacyRouter);
  app.route('/api/v1/webhooks', webhooksRouter);
  app.route('/api/v1/analytics', analyticsRouter);
  app.route('/api/v1/reports', reportsRouter);
  app.route('/api/v1/secrets', secretsRouter);
  app.route('/api/v1/flow-templates', flowTemplatesRouter);
  app.route('/api/v1/dev', devRouter);
  app.route('/api/jobs', createJobsRouter(options.jobs));
  for (const { path, router } of options.backOffice ?? []) app.route(path, router);

  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: API_TITLE,
      version: '1.0.0',
      description:
        'Multi-tenant platform for AI assistants. Errors always have the shape `{ error: { code, message, details?, requestId } }`.',
    },
    servers: [{ url: '/' }],
  });
  app.get(
    DOCS_PATH,
    // The page is served by this deployment, often offline: no buttons that lead to Scalar's hosted
    // services (client generation, "open in Scalar", the agent, MCP), no developer bar, no telemetry,
    // and no default fonts (they come from fonts.scalar.com, a third party the page's policy refuses).
    Scalar((c) => ({
      url: '/api/openapi.json',
      pageTitle: `${API_TITLE} reference`,
      cdn: SCALAR_BUNDLE_PATH,
      nonce: c.get('secureHeadersNonce'),
      hideClientButton: true,
      showDeveloperTools: 'never',
      telemetry: false,
      withDefaultFonts: false,
      agent: { disabled: true },
      mcp: { disabled: true },
      documentDownloadType: 'json',
    })),
  );

  app.notFound((c) => {
    const error = new ApiError('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`);
    return c.json(error.body(c.get('requestId')), 404);
  });

  // OpenAI clients read OpenAI's error shape, also from the guards that run before its router.
  app.onError((err, c) => (c.req.path.startsWith(OPENAI_PATH_PREFIX) ? openAIErrorResponse(err, c) : toErrorResponse(err, c)));
  return app;
}

export type App = ReturnType<typeof createApp>;

/** The Workers execution context when there is one (Node has none). */
function executionContextOf(c: Context<AppEnv>) {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
