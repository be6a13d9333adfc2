export type Locale = 'es' | 'en';

const en = {
  open: 'Open chat',
  close: 'Close chat',
  placeholder: 'Type your message…',
  send: 'Send',
  online: 'Online',
  offline: 'We will reply as soon as we can',
  typing: 'Typing…',
  notSent: 'Not sent.',
  retry: 'Retry',
  tooLong: 'Your message is too long.',
  rateLimited: 'Too many messages. Please wait a moment.',
  busy: 'We are busy right now; sending again in a moment…',
  later: 'Received. The answer will appear here in a moment.',
  failed: 'Something went wrong. Please try again.',
  sources: 'Sources',
  helpful: 'Helpful',
  notHelpful: 'Not helpful',
  rate: 'Rate this conversation',
  stars: 'of 5 stars',
  comment: 'Comment (optional)',
  submit: 'Send rating',
  thanks: 'Thanks for your rating!',
  formTitle: 'Before we start',
  start: 'Start chat',
  required: 'This field is required',
  badEmail: 'Enter a valid email',
  choose: 'Choose…',
  botBack: 'The virtual assistant is back in the conversation',
};
export type Texts = typeof en;

const es: Texts = {
  open: 'Abrir chat',
  close: 'Cerrar chat',
  placeholder: 'Escribe tu mensaje…',
  send: 'Enviar',
  online: 'En línea',
  offline: 'Te responderemos lo antes posible',
  typing: 'Escribiendo…',
  notSent: 'No enviado.',
  retry: 'Reintentar',
  tooLong: 'Tu mensaje es demasiado largo.',
  rateLimited: 'Demasiados mensajes. Espera un momento.',
  busy: 'Estamos ocupados ahora mismo; lo enviamos de nuevo en un momento…',
  later: 'Recibido. La respuesta aparecerá aquí en un momento.',
  failed: 'Algo salió mal. Inténtalo de nuevo.',
  sources: 'Fuentes',
  helpful: 'Útil',
  notHelpful: 'No útil',
  rate: 'Valora esta conversación',
  stars: 'de 5 estrellas',
  comment: 'Comentario (opcional)',
  submit: 'Enviar valoración',
  thanks: '¡Gracias por tu valoración!',
  formTitle: 'Antes de empezar',
  start: 'Empezar chat',
  required: 'Este campo es obligatorio',
  badEmail: 'Introduce un correo válido',
  choose: 'Elige…',
  botBack: 'El asistente virtual retoma la conversación',
};

const isLocale = (v: unknown): v is Locale => v === 'es' || v === 'en';

/**
 * The embedder's explicit `locale` wins, then the bot's language; a bot set to 'auto' (or an
 * unknown value) follows the visitor's browser, and anything that is not Spanish gets English.
 */
export function pickLocale(option: string | undefined, botLanguage: string | undefined, browser: readonly string[]): Locale {
  const opt = option?.slice(0, 2).toLowerCase();
  if (isLocale(opt)) return opt;
  if (isLocale(botLanguage)) return botLanguage;
  const first = browser.find(Boolean)?.slice(0, 2).toLowerCase();
  return first === 'es' ? 'es' : 'en';
}

export const texts = (locale: Locale): Texts => (locale === 'es' ? es : en);
