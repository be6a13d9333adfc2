// `npm run bench:web`: the dashboard's weight and speed, measured the way a person meets it.
//   - gzipped size of the JavaScript the first screen needs (the entry with its preloaded chunks,
//     and everything the inbox actually loaded): target under 200 KB;
//   - time to an interactive inbox with 1,000 conversations, in headless Chromium against the
//     local runtime over loopback: target under 1 s.
// The dashboard is built first (vite build), so the figures are for what ships.
import { sql } from 'drizzle-orm';
import { buildDashboard, firstScreenScripts, gzippedSize, kb, launchChromium, signIn, startDashboard } from './bench-browser';

const CONVERSATIONS = Number(process.env.BENCH_WEB_CONVERSATIONS ?? 1000);
const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 5);

buildDashboard(!!process.env.BENCH_WEB_SKIP_BUILD);
const dashboard = await startDashboard({ label: 'web', runJobs: true, orgName: 'Bench Co' });
const { runtime, api, base, account } = dashboard;
const org = { id: account.orgId };
const bot = await api('POST', '/api/v1/chatbots', account.token, { name: 'Bench bot' });

// 1,000 conversations with a visitor message and a bot answer each, written in three statements.
const started = performance.now();
await runtime.services.db.execute(sql`
  insert into contacts (organization_id, channel, external_id, name, email)
  select ${org.id}, 'web', 'bench:' || g, 'Cliente ' || g, 'cliente' || g || '@example.com' from generate_series(1, ${CONVERSATIONS}) g`);
await runtime.services.db.execute(sql`
  insert into conversations (organization_id, bot_id, contact_id, channel, status, unread_count, message_count, last_message_at, last_message_preview, created_at)
  select ${org.id}, ${bot.id}, c.id, 'web', (array['open','open','pending','resolved'])[1 + (n % 4)]::conversation_status, n % 3, 2,
         now() - (n || ' minutes')::interval, 'Pregunta número ' || n || ' sobre envíos', now() - (n || ' minutes')::interval
  from (select id, substring(external_id from 7)::int as n from contacts where organization_id = ${org.id}) c`);
await runtime.services.db.execute(sql`
  insert into messages (organization_id, conversation_id, role, content, channel, created_at)
  select ${org.id}, cv.id, r.role::message_role, case when r.role = 'user' then cv.last_message_preview else 'Respuesta del bot' end, 'web', cv.last_message_at - r.lag
  from conversations cv cross join (values ('user', interval '1 second'), ('assistant', interval '0 seconds')) as r(role, lag)
  where cv.organization_id = ${org.id}`);
console.log(`seeded ${CONVERSATIONS} conversations in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const browser = await launchChromium();
const context = await browser.newContext({ locale: 'es-ES' });
const page = await context.newPage();
await signIn(page, base, account, 'es');

// The newest conversation is "Cliente 1"; the inbox is interactive once it is on screen and clickable.
const times: number[] = [];
let inboxScripts = new Set<string>();
for (let run = 0; run < RUNS; run++) {
  const scripts = new Set<string>();
  const onResponse = (response: { url(): string; request(): { resourceType(): string } }) => {
    if (response.request().resourceType() === 'script') scripts.add(new URL(response.url()).pathname);
  };
  page.on('response', onResponse);
  const t0 = performance.now();
  await page.goto(`${base}/conversations`, { waitUntil: 'commit' });
  const first = page.getByText('Cliente 1', { exact: true }).first();
  await first.waitFor({ state: 'visible', timeout: 30_000 });
  await first.click({ trial: true });
  times.push(performance.now() - t0);
  page.off('response', onResponse);
  if (run === 0) inboxScripts = scripts;
}
await browser.close();

const entry = firstScreenScripts();
const entryBytes = entry.reduce((sum, path) => sum + gzippedSize(path), 0);
const inboxBytes = [...inboxScripts].filter((p) => !p.startsWith('/api')).reduce((sum, path) => sum + gzippedSize(path), 0);
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;

console.log('\nbench:web');
console.log(`  first-screen JS (entry + preloaded chunks, ${entry.length} files), gzip: ${kb(entryBytes)}   target < 200 KB: ${entryBytes < 200 * 1024 ? 'met' : 'MISSED'}`);
console.log(`  JS loaded by the inbox page (${inboxScripts.size} files), gzip: ${kb(inboxBytes)}   target < 200 KB: ${inboxBytes < 200 * 1024 ? 'met' : 'MISSED'}`);
console.log(`  time to interactive inbox, ${CONVERSATIONS} conversations, ${RUNS} full page loads: median ${median.toFixed(0)} ms, worst ${sorted.at(-1)!.toFixed(0)} ms, first (cold) ${times[0]!.toFixed(0)} ms   target < 1000 ms: ${sorted.at(-1)! < 1000 ? 'met' : 'MISSED'}`);

await dashboard.close();
process.exit(0);
