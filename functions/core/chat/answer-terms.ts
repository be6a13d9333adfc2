import { isStopWord, normalizeTokens, stem } from '../embeddings/builtin';

/**
 * The words the built-in answerer compares between a visitor's question and a knowledge base
 * sentence: content-word stems, plus "concepts" that join the many ways small businesses and
 * their customers say the same thing ("¿a qué hora abrís?" and "Horario: 10:00–14:00"; "how
 * much" and "25 €"; "Saturday" and "sábados"; "Monday to Friday" covers Wednesday).
 */
const DAYS: Array<[token: string, words: string[]]> = [
  ['@mon', ['lunes', 'monday', 'mondays', 'mon']],
  ['@tue', ['martes', 'tuesday', 'tuesdays', 'tue']],
  ['@wed', ['miercoles', 'wednesday', 'wednesdays', 'wed']],
  ['@thu', ['jueves', 'thursday', 'thursdays', 'thu']],
  ['@fri', ['viernes', 'friday', 'fridays', 'fri']],
  ['@sat', ['sabado', 'sabados', 'saturday', 'saturdays', 'sat']],
  ['@sun', ['domingo', 'domingos', 'sunday', 'sundays', 'sun']],
];

const CONCEPTS: Array<[token: string, words: string]> = [
  [
    '@hours',
    'horario horarios hora horas abre abren abris abrimos abrir abierto abierta abiertos cierra cierran cerrais cerramos cerrar cerrado cerrada cerrados ' +
      'open opens opening close closes closing closed hours',
  ],
  ['@price', 'precio precios cuesta cuestan cuanto cuanta coste costo tarifa tarifas cobrais cobran cobramos price prices cost costs fee fees charge charges much'],
  [
    '@ship',
    'envio envios enviais enviar envian enviamos entrega entregas entregais entregamos reparto repartis domicilio ship ships shipping deliver delivers delivery deliveries',
  ],
  ['@return', 'devolucion devoluciones devolver devuelvo devolvemos cambio cambios cambiar reembolso reembolsos return returns refund refunds exchange exchanges'],
  ['@pay', 'pago pagos pagar pagamos tarjeta tarjetas efectivo bizum paypal pay paying payment payments card cards cash'],
  ['@book', 'cita citas reservar reserva reservas reservo appointment appointments book booking bookings reserve reservation'],
  ['@where', 'donde direccion ubicacion ubicados estais situados calle avenida plaza address located location where street road avenue'],
  ['@contact', 'telefono llamar llamaros llamarnos llamanos llamenos contacto contactar email correo whatsapp phone call contact'],
  ['@park', 'aparcar aparcamiento parking park'],
  ['@pickup', 'recoger recogida recogen recogemos recogeis collect collects collection pick pickup'],
  ['@wait', 'tarda tardan tardais tardamos plazo plazos demora long take takes'],
  ['@warranty', 'garantia garantias warranty guarantee'],
  ['@holiday', 'festivo festivos vacaciones holiday holidays'],
  ['@emergency', 'urgencia urgencias emergencia emergencias urgent emergency emergencies'],
];

/**
 * Words about opening and closing. They also say "@hours", but a time alone ("pedidos antes de
 * las 13:00") says only "@hours": "¿A qué hora abrís el sábado?" must prefer "Abrimos … los
 * sábados de 10:00 a 14:00" over "Enviamos antes de las 13:00, de lunes a sábado".
 */
const OPENING = new Set(
  (
    'horario horarios abre abren abris abrimos abrir abierto abierta abiertos cierra cierran cerrais cerramos cerrar cerrado cerrada cerrados ' +
    'open opens opening close closes closing closed'
  ).split(' '),
);

const CONCEPT_OF = new Map<string, string>();
for (const [token, words] of CONCEPTS) for (const word of words.split(' ')) CONCEPT_OF.set(word, token);
for (const [token, words] of DAYS) for (const word of words) CONCEPT_OF.set(word, token);
const WEEKEND = new Set(['finde', 'weekend', 'weekends']);
const WEEKDAYS = new Set(['laborable', 'laborables', 'weekday', 'weekdays']);
const DAY_ORDER = DAYS.map(([token]) => token);

/** Words that ask rather than say: they never decide which sentence answers. */
const QUESTION_WORDS = new Set(
  (
    'que cual cuales cuando como quien puedo podeis podemos puede pueden tengo teneis tienes tiene tienen hago haceis hace hacen hacemos ' +
    'hay estais esta estan es son sois ser vuestro vuestra vuestros vuestras nuestro nuestra nuestros nuestras algun alguna usted ' +
    'can could do does did have has i you we our your my me is are there any please quiero necesito saber gustaria'
  ).split(' '),
);

// Times ("10:00", "9h", "9 am"), amounts ("25 €", "$40", "12 euros") and durations ("48 horas").
const TIME = /\b\d{1,2}(?::\d{2}|[.:h]\d{2}|\s?h\b|\s?(?:am|pm|a\.\s?m\.|p\.\s?m\.))/i;
const MONEY = /(?:\d[\d.,]*\s?(?:€|\$|£|eur\b|euros?\b|usd\b|dollars?\b)|[€$£]\s?\d)/i;
const DURATION = /\b\d+\s?(?:-\s?\d+\s?)?(?:minutos?|horas?|d[ií]as?|semanas?|meses|minutes?|hours?|days?|weeks?|months?)\b/i;
const DAY_RANGE = /\b(\p{L}+)\s+(?:a|al|to|through|till|until|-|–)\s+(\p{L}+)\b/giu;

function dayToken(word: string): string | undefined {
  const token = CONCEPT_OF.get(word);
  return token && DAY_ORDER.includes(token) ? token : undefined;
}

/** "de lunes a viernes" says Tuesday too. */
function dayRanges(folded: string, into: Set<string>) {
  for (const match of folded.matchAll(DAY_RANGE)) {
    const from = dayToken(match[1]);
    const to = dayToken(match[2]);
    if (!from || !to) continue;
    const start = DAY_ORDER.indexOf(from);
    const end = DAY_ORDER.indexOf(to);
    for (let i = start; ; i = (i + 1) % 7) {
      into.add(DAY_ORDER[i]);
      if (i === end) break;
    }
  }
}

function fold(text: string) {
  return normalizeTokens(text).join(' ');
}

export interface TermOptions {
  /** Questions: interrogatives and "can you" verbs are dropped. */
  question?: boolean;
}

/** Stems and concepts of a text, accent- and case-folded. */
export function termsOf(text: string, options: TermOptions = {}): Set<string> {
  const terms = new Set<string>();
  const words = normalizeTokens(text);
  // "entre semana" is Monday to Friday (but "25 € a la semana" is not).
  if (/\bentre semana\b/.test(words.join(' '))) for (const day of DAY_ORDER.slice(0, 5)) terms.add(day);
  for (const word of words) {
    const concept = CONCEPT_OF.get(word);
    if (concept) terms.add(concept);
    if (OPENING.has(word)) terms.add('@open');
    if (WEEKEND.has(word)) terms.add('@sat').add('@sun');
    if (WEEKDAYS.has(word)) for (const day of DAY_ORDER.slice(0, 5)) terms.add(day);
    if (isStopWord(word) || (options.question && QUESTION_WORDS.has(word))) continue;
    if (word.length < 2 || (word.length < 3 && !/\d/.test(word))) continue;
    terms.add(stem(word));
    // Verb forms the light stemmer leaves apart ("recoge" / "recogen", "llegado" / "llega",
    // "devolver" / "devolución") still share their first five letters.
    if (word.length >= 5 && !/\d/.test(word)) terms.add(`~${word.slice(0, 5)}`);
  }
  if (!options.question) {
    if (TIME.test(text)) terms.add('@hours');
    if (MONEY.test(text)) terms.add('@price');
    if (DURATION.test(text)) terms.add('@wait');
    dayRanges(fold(text), terms);
  }
  return terms;
}

/** How much a shared term says: a weekday or a shop intent more than an ordinary word. */
export function termWeight(term: string): number {
  if (DAY_ORDER.includes(term)) return 2;
  if (term.startsWith('~')) return 0.5;
  return term.startsWith('@') ? 1.5 : 1;
}
