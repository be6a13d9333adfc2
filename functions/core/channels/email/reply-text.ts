/**
 * What the customer wrote in a reply, without the history their mail client quoted under it or
 * their signature: the inbox and the model see the new text; the full text stays in the
 * message's metadata. Conservative: when stripping would leave nothing, the text is kept whole.
 */

/** A reply header line ("On Mon, 1 Dec 2026, Ana <a@x> wrote:" and its usual translations). */
const ATTRIBUTION = [
  /^On\b.{0,300}\bwrote:\s*$/i,
  /^El\b.{0,300}\bescribi[oó]:\s*$/i,
  /^Le\b.{0,300}\ba écrit\s*:\s*$/i,
  /^Am\b.{0,300}\bschrieb.{0,100}:\s*$/i,
  /^-{2,}\s*(Original Message|Mensaje original|Message d'origine|Ursprüngliche Nachricht)\s*-{2,}\s*$/i,
  /^_{20,}\s*$/,
];
/** Outlook's quoted header block: "From:" followed within a few lines by "Sent:" / "Enviado:". */
const OUTLOOK_FROM = /^\*?(From|De|Von):\*?\s/i;
const OUTLOOK_SENT = /^\*?(Sent|Enviado|Date|Fecha|Gesendet):\*?\s/i;
const SIGNATURE = /^(--|-- |—)\s*$/;
const MOBILE_SIGNATURE = /^(Sent from my |Enviado desde mi |Get Outlook for |Obtener Outlook para )/i;

function attributionAt(lines: string[], index: number): boolean {
  const line = lines[index].trim();
  if (ATTRIBUTION.some((pattern) => pattern.test(line))) return true;
  // Gmail wraps a long attribution over two lines.
  const joined = `${line} ${(lines[index + 1] ?? '').trim()}`;
  if (/^(On|El)\b/i.test(line) && ATTRIBUTION.slice(0, 2).some((pattern) => pattern.test(joined))) return true;
  if (OUTLOOK_FROM.test(line)) return lines.slice(index + 1, index + 4).some((next) => OUTLOOK_SENT.test(next.trim()));
  return false;
}

export function stripReply(text: string): { text: string; stripped: boolean } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (attributionAt(lines, i) || SIGNATURE.test(line) || MOBILE_SIGNATURE.test(line.trim())) {
      end = i;
      break;
    }
    // A block of quoted lines with nothing new after it is history; quoted lines between new
    // paragraphs (an inline answer) are kept as they are.
    if (/^\s*>/.test(line) && lines.slice(i).every((rest) => rest.trim() === '' || /^\s*>/.test(rest))) {
      end = i;
      break;
    }
  }
  const kept = lines.slice(0, end).join('\n').trim();
  if (!kept) return { text: text.trim(), stripped: false };
  return { text: kept, stripped: end < lines.length };
}
