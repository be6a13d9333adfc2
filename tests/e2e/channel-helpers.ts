import { expect, type Browser, type Page } from '@playwright/test';
import { crc32, deflateSync } from 'node:zlib';
import { createOrganization, signUp } from './helpers';

/** The channel specs' shared steps: a signed-up team with its API headers, a deployed bot, pictures to send. */
export interface DashboardTeam {
  /** Headers for `page.request` calls as the signed-up owner of the organization. */
  auth: { Authorization: string; 'X-Organization-Id': string };
  orgId: string;
}

/** Signs up through the UI and creates the organization, keeping the token the dashboard got. */
export async function dashboardTeam(page: Page, user = 'Lucía Romero', organization = 'Tienda Sol'): Promise<DashboardTeam> {
  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await signUp(page, { name: user });
  const { accessToken } = (await (await registered).json()) as { accessToken: string };
  const orgCreated = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  await createOrganization(page, organization);
  const org = (await (await orgCreated).json()) as { id: string };
  return { auth: { Authorization: `Bearer ${accessToken}`, 'X-Organization-Id': org.id }, orgId: org.id };
}

/** A deployed bot on the built-in answerer (no model key needed). */
export async function deployedBot(page: Page, team: Pick<DashboardTeam, 'auth'>, settings: Record<string, unknown> = {}) {
  const bot = (await (await page.request.post('/api/v1/chatbots', { headers: team.auth, data: { name: 'Sol', model: 'builtin:extractive', ...settings } })).json()) as { id: string };
  expect((await page.request.post(`/api/v1/chatbots/${bot.id}/deploy`, { headers: team.auth })).status()).toBe(200);
  return bot;
}

/**
 * A visitor on the customer's site (another origin) opens the widget and asks something, in a
 * browser context of their own; the conversation that started is what the agent opens.
 */
export async function visitorAsks(browser: Browser, site: { origin: string }, bot: { id: string }, question: string) {
  const context = await browser.newContext({ locale: 'es-ES', viewport: { width: 1100, height: 800 } });
  const visitor = await context.newPage();
  await visitor.goto(`${site.origin}/?bot=${bot.id}`);
  const started = visitor.waitForResponse((r) => r.url().endsWith(`/api/v1/widget/${bot.id}/session`) && r.request().method() === 'POST');
  await visitor.getByRole('button', { name: 'Abrir chat' }).click();
  const session = (await (await started).json()) as { conversationId: string };
  await visitor.getByRole('textbox').fill(question);
  await visitor.getByRole('textbox').press('Enter');
  await expect(visitor.getByText(question)).toBeVisible();
  return { context, visitor, conversationId: session.conversationId };
}

function pngChunk(type: string, data: Buffer) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real PNG of one colour, big enough to see in a screenshot (the browser must decode it). */
export function solidPng(width: number, height: number, [r, g, b]: [number, number, number]) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(pixels)), pngChunk('IEND', Buffer.alloc(0))]);
}
