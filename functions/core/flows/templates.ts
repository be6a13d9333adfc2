import { flowDocument, type FlowDocument } from './schema';

/**
 * The flows a team can start from. Each is valid (templates.test.ts publishes every one) and is
 * written in the bot's language, Spanish or English.
 */
export const TEMPLATE_IDS = ['lead_capture', 'faq_handoff', 'appointment_request', 'order_status', 'after_hours'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];
type Lang = 'es' | 'en';
type Bilingual = Record<Lang, string>;

export const TEMPLATE_INFO: Record<TemplateId, { name: Bilingual; description: Bilingual }> = {
  lead_capture: {
    name: { es: 'Captación de contactos', en: 'Lead capture' },
    description: { es: 'Pregunta qué le interesa, pide nombre y email, y avisa a tu CRM por webhook.', en: 'Asks what they are interested in, takes name and email, and tells your CRM by webhook.' },
  },
  faq_handoff: {
    name: { es: 'Preguntas frecuentes con paso a persona', en: 'FAQ with handoff' },
    description: { es: 'Responde con tu base de conocimiento y ofrece una persona cuando no está segura.', en: 'Answers from your knowledge base and offers a person when it is not confident.' },
  },
  appointment_request: {
    name: { es: 'Solicitud de cita', en: 'Appointment request' },
    description: { es: 'Recoge nombre, email, fecha y franja horaria, y envía la solicitud por webhook.', en: 'Collects name, email, date and time slot, and sends the request by webhook.' },
  },
  order_status: {
    name: { es: 'Estado del pedido', en: 'Order status' },
    description: { es: 'Pide el número de pedido y consulta tu API; si falla, pasa a una persona.', en: 'Asks for the order number and calls your API; if it fails, hands off to a person.' },
  },
  after_hours: {
    name: { es: 'Fuera de horario', en: 'After-hours intake' },
    description: { es: 'En horario pasa a una persona; fuera de horario toma los datos para llamar después.', en: 'During business hours hands off to a person; after hours takes details to call back.' },
  },
};

type NodeSpec = { id: string; type: string; data: Record<string, unknown>; label?: string };
type EdgeSpec = [source: string, handle: string, target: string];

/** Lays nodes out top to bottom in the order given, so a template opens readable on the canvas. */
function build(nodes: NodeSpec[], edges: EdgeSpec[], extra: Record<string, unknown> = {}): FlowDocument {
  return flowDocument.parse({
    nodes: nodes.map((n, i) => ({ ...n, position: { x: (i % 2) * 40, y: i * 140 } })),
    edges: edges.map(([source, sourceHandle, target]) => ({ id: `${source}-${sourceHandle}-${target}`, source, sourceHandle, target })),
    ...extra,
  });
}

const start: NodeSpec = { id: 'start', type: 'start', data: {} };
const end = (id = 'end'): NodeSpec => ({ id, type: 'action', data: { action: { kind: 'end' } } });
const handoff = (id = 'handoff'): NodeSpec => ({ id, type: 'action', data: { action: { kind: 'handoff' } } });
const message = (id: string, text: string): NodeSpec => ({ id, type: 'message', data: { text } });
const input = (id: string, prompt: string, variable: string, validation: string, retryPrompt?: string): NodeSpec => ({
  id,
  type: 'input',
  data: { prompt, variable, validation, ...(retryPrompt ? { retryPrompt } : {}) },
});

const builders: Record<TemplateId, (l: Lang) => FlowDocument> = {
  lead_capture: (l) =>
    build(
      [
        start,
        message('welcome', l === 'es' ? '¡Hola! Te ayudo en un minuto.' : 'Hi! I will help you in a minute.'),
        {
          id: 'interest',
          type: 'question',
          data: {
            prompt: l === 'es' ? '¿Qué te interesa?' : 'What are you interested in?',
            variable: 'interest',
            choices: [
              { id: 'demo', label: l === 'es' ? 'Una demo' : 'A demo' },
              { id: 'pricing', label: l === 'es' ? 'Precios' : 'Pricing' },
              { id: 'other', label: l === 'es' ? 'Otra cosa' : 'Something else' },
            ],
          },
        },
        input('name', l === 'es' ? '¿Cómo te llamas?' : 'What is your name?', 'name', 'text'),
        input('email', l === 'es' ? '¿Cuál es tu email, {{name}}?' : 'What is your email, {{name}}?', 'email', 'email', l === 'es' ? 'Ese email no parece válido. ¿Puedes escribirlo de nuevo?' : 'That email does not look right. Could you type it again?'),
        { id: 'notify', type: 'webhook', data: { event: 'lead.captured', variables: ['name', 'email', 'interest'] } },
        message('thanks', l === 'es' ? '¡Gracias, {{name}}! Te escribiremos a {{email}}.' : 'Thanks, {{name}}! We will write to {{email}}.'),
        end(),
        handoff(),
      ],
      [
        ['start', 'next', 'welcome'],
        ['welcome', 'next', 'interest'],
        ['interest', 'choice:demo', 'name'],
        ['interest', 'choice:pricing', 'name'],
        ['interest', 'choice:other', 'name'],
        ['interest', 'invalid', 'handoff'],
        ['name', 'next', 'email'],
        ['name', 'invalid', 'handoff'],
        ['email', 'next', 'notify'],
        ['email', 'invalid', 'handoff'],
        ['notify', 'next', 'thanks'],
        ['thanks', 'next', 'end'],
      ],
    ),
  faq_handoff: (l) =>
    build(
      [
        start,
        { id: 'answer', type: 'knowledge', data: {} },
        {
          id: 'offer',
          type: 'question',
          data: {
            prompt: l === 'es' ? 'No estoy seguro de la respuesta. ¿Quieres hablar con una persona?' : 'I am not sure about that. Would you like to talk to a person?',
            variable: 'wants_person',
            choices: [
              { id: 'yes', label: l === 'es' ? 'Sí, por favor' : 'Yes, please' },
              { id: 'no', label: l === 'es' ? 'No, gracias' : 'No, thanks' },
            ],
          },
        },
        handoff(),
        message('declined', l === 'es' ? 'De acuerdo. Pregúntame lo que quieras.' : 'All right. Ask me anything.'),
        end(),
      ],
      [
        ['start', 'next', 'answer'],
        ['answer', 'answered', 'end'],
        ['answer', 'not_confident', 'offer'],
        ['offer', 'choice:yes', 'handoff'],
        ['offer', 'choice:no', 'declined'],
        ['offer', 'invalid', 'declined'],
        ['declined', 'next', 'end'],
      ],
    ),
  appointment_request: (l) =>
    build(
      [
        start,
        input('name', l === 'es' ? 'Vamos a pedir tu cita. ¿Cómo te llamas?' : 'Let us book your appointment. What is your name?', 'name', 'text'),
        input('email', l === 'es' ? '¿Tu email?' : 'Your email?', 'email', 'email'),
        input('date', l === 'es' ? '¿Qué día te viene bien? (AAAA-MM-DD)' : 'Which day suits you? (YYYY-MM-DD)', 'date', 'date'),
        {
          id: 'slot',
          type: 'question',
          data: {
            prompt: l === 'es' ? '¿Mañana o tarde?' : 'Morning or afternoon?',
            variable: 'slot',
            choices: [
              { id: 'morning', label: l === 'es' ? 'Mañana' : 'Morning' },
              { id: 'afternoon', label: l === 'es' ? 'Tarde' : 'Afternoon' },
            ],
          },
        },
        { id: 'request', type: 'webhook', data: { event: 'appointment.requested', variables: ['name', 'email', 'date', 'slot'] } },
        message('confirm', l === 'es' ? 'Hecho, {{name}}: pedimos cita el {{date}} ({{slot}}). Te confirmaremos por email.' : 'Done, {{name}}: appointment requested on {{date}} ({{slot}}). We will confirm by email.'),
        end(),
        handoff(),
      ],
      [
        ['start', 'next', 'name'],
        ['name', 'next', 'email'],
        ['name', 'invalid', 'handoff'],
        ['email', 'next', 'date'],
        ['email', 'invalid', 'handoff'],
        ['date', 'next', 'slot'],
        ['date', 'invalid', 'handoff'],
        ['slot', 'choice:morning', 'request'],
        ['slot', 'choice:afternoon', 'request'],
        ['slot', 'invalid', 'handoff'],
        ['request', 'next', 'confirm'],
        ['confirm', 'next', 'end'],
      ],
    ),
  order_status: (l) =>
    build(
      [
        start,
        input('order', l === 'es' ? '¿Cuál es tu número de pedido?' : 'What is your order number?', 'order_id', 'text'),
        {
          id: 'lookup',
          type: 'api_call',
          data: {
            request: { method: 'GET', url: 'https://api.example.com/orders/{{order_id}}', timeoutMs: 5000 },
            mapping: [{ variable: 'order_status', path: 'status' }],
            statusVariable: 'http_status',
          },
        },
        message('status', l === 'es' ? 'Tu pedido {{order_id}} está: {{order_status}}.' : 'Your order {{order_id}} is: {{order_status}}.'),
        message('failed', l === 'es' ? 'No he podido consultar tu pedido. Te paso con una persona.' : 'I could not look up your order. Let me pass you to a person.'),
        end(),
        handoff(),
      ],
      [
        ['start', 'next', 'order'],
        ['order', 'next', 'lookup'],
        ['order', 'invalid', 'handoff'],
        ['lookup', 'success', 'status'],
        ['lookup', 'error', 'failed'],
        ['status', 'next', 'end'],
        ['failed', 'next', 'handoff'],
      ],
    ),
  after_hours: (l) =>
    build(
      [
        start,
        { id: 'hours', type: 'condition', data: { rules: [{ id: 'open', label: l === 'es' ? 'En horario' : 'Open', when: { kind: 'business_hours', open: true } }] } },
        handoff(),
        message('closed', l === 'es' ? 'Ahora estamos fuera de horario, pero te llamamos en cuanto volvamos.' : 'We are closed right now, but we will call you back as soon as we are open.'),
        input('name', l === 'es' ? '¿Cómo te llamas?' : 'What is your name?', 'name', 'text'),
        input('phone', l === 'es' ? '¿A qué teléfono te llamamos?' : 'Which phone number should we call?', 'phone', 'phone'),
        input('reason', l === 'es' ? '¿En qué podemos ayudarte?' : 'How can we help?', 'reason', 'text'),
        { id: 'intake', type: 'webhook', data: { event: 'after_hours.request', variables: ['name', 'phone', 'reason'] } },
        message('thanks', l === 'es' ? 'Gracias, {{name}}. Te llamaremos al {{phone}}.' : 'Thanks, {{name}}. We will call you at {{phone}}.'),
        end(),
      ],
      [
        ['start', 'next', 'hours'],
        ['hours', 'rule:open', 'handoff'],
        ['hours', 'else', 'closed'],
        ['closed', 'next', 'name'],
        ['name', 'next', 'phone'],
        ['name', 'invalid', 'end'],
        ['phone', 'next', 'reason'],
        ['phone', 'invalid', 'end'],
        ['reason', 'next', 'intake'],
        ['reason', 'invalid', 'end'],
        ['intake', 'next', 'thanks'],
        ['thanks', 'next', 'end'],
      ],
    ),
};

export function templateDocument(id: TemplateId, language: string): FlowDocument {
  return builders[id](language === 'en' ? 'en' : 'es');
}

export function listTemplates() {
  return TEMPLATE_IDS.map((id) => ({ id, ...TEMPLATE_INFO[id] }));
}
