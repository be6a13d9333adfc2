/**
 * "Try it with a sample shop": a Spanish flower shop with a knowledge base (hours, shipping,
 * returns, a Q&A list), a deployed chatbot and a shop page that embeds it. Created through the
 * public API (the same requests the dashboard makes), so it exercises the normal path and needs
 * no privileges: `npm run dev -- --demo` calls it in-process, the dashboard's onboarding button
 * calls it from the browser. Idempotent: what already exists (by name) is reused.
 *
 * No imports on purpose: the dashboard bundles this file as it is.
 */

export const SAMPLE_SHOP = {
  name: 'Floristería Las Camelias',
  knowledgeBase: { name: 'Floristería Las Camelias', description: 'Horarios, envíos, devoluciones y preguntas frecuentes de la tienda de ejemplo' },
  bot: {
    name: 'Camelia',
    description: 'Asistente de ejemplo de la Floristería Las Camelias',
    language: 'es' as const,
    welcomeMessage: '¡Hola! Soy Camelia. Pregúntame por horarios, envíos, devoluciones o cuidados de tus flores.',
    widget: { title: 'Floristería Las Camelias', primaryColor: '#be185d', launcherText: '¿Te ayudo?' },
  },
  question: '¿Hacéis envíos el mismo día?',
} as const;

export const TEXT_DOCUMENTS = [
  {
    name: 'Horario y tienda',
    text: `# Horario de la tienda

La Floristería Las Camelias está en la calle del Olmo 14, Valladolid.

Abrimos de lunes a viernes de 9:30 a 20:00 y los sábados de 10:00 a 14:00. Los domingos y festivos cerramos.

En agosto abrimos solo por las mañanas, de 10:00 a 14:00.

Puedes llamarnos al 983 000 123 o escribirnos a hola@lascamelias.example.`,
  },
  {
    name: 'Envíos',
    text: `# Envíos

Hacemos envíos el mismo día en Valladolid capital para los pedidos hechos antes de las 13:00, de lunes a sábado.

El envío en la ciudad cuesta 4,90 € y es gratis en pedidos de más de 45 €.

Al resto de España enviamos en 24 a 48 horas laborables con mensajería refrigerada; cuesta 9,90 €.

No enviamos flores frescas fuera de España.`,
  },
  {
    name: 'Devoluciones y garantía',
    text: `# Devoluciones y garantía de frescura

Garantizamos la frescura de nuestras flores durante 7 días desde la entrega.

Si un ramo llega dañado o se marchita antes, envíanos una foto en las 48 horas siguientes y lo reponemos sin coste o te devolvemos el dinero.

Las plantas y los accesorios se pueden devolver en 14 días si están sin usar; el reembolso llega en 5 días hábiles.`,
  },
] as const;

const QA_DOCUMENT = {
  name: 'Preguntas frecuentes',
  pairs: [
    { question: '¿Puedo añadir una tarjeta con un mensaje?', answer: 'Sí, la tarjeta con tu mensaje escrito a mano es gratis en todos los ramos.' },
    { question: '¿Qué formas de pago aceptáis?', answer: 'Aceptamos tarjeta, Bizum y PayPal. En la tienda también efectivo.' },
    { question: '¿Cómo cuido las rosas para que duren más?', answer: 'Corta los tallos en diagonal, cambia el agua cada dos días y aléjalas del sol directo y de la fruta.' },
    { question: '¿Hacéis ramos de novia?', answer: 'Sí, hacemos ramos de novia por encargo con al menos tres semanas de antelación; pide cita por teléfono.' },
  ],
};

/** One request to the API, as `/api/v1/...` path, JSON in and out; throws on a non-2xx answer. */
export type ApiCall = <T>(method: 'GET' | 'POST', path: string, body?: unknown) => Promise<T>;

interface Named {
  id: string;
  name: string;
}
interface Page<T> {
  data: T[];
}

async function ensureKnowledgeBase(api: ApiCall): Promise<Named> {
  const existing = await api<Page<Named>>('GET', '/api/v1/knowledge-bases?limit=100');
  const found = existing.data.find((kb) => kb.name === SAMPLE_SHOP.knowledgeBase.name);
  return found ?? api<Named>('POST', '/api/v1/knowledge-bases', SAMPLE_SHOP.knowledgeBase);
}

async function ensureDocuments(api: ApiCall, knowledgeBaseId: string) {
  const existing = await api<Page<Named>>('GET', `/api/v1/knowledge-bases/${knowledgeBaseId}/documents?limit=100`);
  const have = new Set(existing.data.map((d) => d.name));
  const path = `/api/v1/knowledge-bases/${knowledgeBaseId}/documents`;
  for (const doc of TEXT_DOCUMENTS) if (!have.has(doc.name)) await api('POST', path, { type: 'text', ...doc });
  if (!have.has(QA_DOCUMENT.name)) await api('POST', path, { type: 'qa', ...QA_DOCUMENT });
}

async function ensureBot(api: ApiCall, knowledgeBaseId: string): Promise<Named & { status: string }> {
  const existing = await api<Page<Named & { status: string }>>('GET', '/api/v1/chatbots?limit=100');
  const found = existing.data.find((b) => b.name === SAMPLE_SHOP.bot.name && b.status !== 'archived');
  const bot = found ?? (await api<Named & { status: string }>('POST', '/api/v1/chatbots', { ...SAMPLE_SHOP.bot, knowledgeBaseIds: [knowledgeBaseId] }));
  if (bot.status !== 'active') await api('POST', `/api/v1/chatbots/${bot.id}/deploy`, {});
  return { ...bot, status: 'active' };
}

/**
 * Creates (or finds) the sample knowledge base, its documents and the deployed chatbot in the
 * caller's organization. Documents are ingested in the background; the bot answers from them a
 * few seconds later.
 */
export async function createSampleShop(api: ApiCall) {
  const knowledgeBase = await ensureKnowledgeBase(api);
  await ensureDocuments(api, knowledgeBase.id);
  const bot = await ensureBot(api, knowledgeBase.id);
  return { knowledgeBaseId: knowledgeBase.id, botId: bot.id };
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The shop's home page with the widget's script tag, as a customer would paste it. */
export function sampleShopPage(options: { widgetOrigin: string; botId: string; lang?: 'es' | 'en' }) {
  const { widgetOrigin, botId } = options;
  return `<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${SAMPLE_SHOP.name}</title>
<style>
  body { margin: 0; font: 16px/1.6 Georgia, 'Times New Roman', serif; color: #3b2f2f; background: #fdf6f0; }
  header { background: #be185d; color: #fff; padding: 28px 40px; }
  header h1 { margin: 0; font-size: 30px; }
  main { max-width: 760px; margin: 0 auto; padding: 32px 40px 120px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 16px; margin: 24px 0; }
  .card { background: #fff; border-radius: 12px; padding: 16px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  .hint { background: #fff7ed; border: 1px dashed #fb923c; border-radius: 12px; padding: 12px 16px; font-family: system-ui, sans-serif; font-size: 14px; }
</style>
</head>
<body>
<header><h1>${SAMPLE_SHOP.name}</h1><p>Flores frescas en Valladolid desde 1987</p></header>
<main>
  <p>Ramos de temporada, plantas y ramos de novia por encargo. Envíos el mismo día en la ciudad.</p>
  <div class="grid">
    <div class="card"><strong>Ramo Primavera</strong><br>29,90 €</div>
    <div class="card"><strong>Rosas rojas (12)</strong><br>39,90 €</div>
    <div class="card"><strong>Orquídea blanca</strong><br>24,50 €</div>
  </div>
  <p class="hint">Esta es una página de ejemplo con el widget de VersaAI. Abre el chat (abajo a la derecha) y pregunta, por ejemplo: «${escapeHtml(SAMPLE_SHOP.question)}»</p>
</main>
<script src="${escapeHtml(widgetOrigin)}/widget.js" data-bot-id="${escapeHtml(botId)}" async></script>
</body>
</html>`;
}
