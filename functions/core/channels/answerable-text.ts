import { attachmentsOf } from './attachments';

/**
 * What the bot answers for a customer message with audio (issue 17): the transcript the
 * `transcribe-audio` job wrote on the attachment (transcription.ts), after any caption; for audio
 * it could not hear (no transcription model, or it failed) a clear placeholder instead of the bare
 * "[audio]" label. Kept apart from the job so the chat engine imports no provider-key code.
 */
const PLACEHOLDER = {
  es: '[El cliente envió un mensaje de voz que no se pudo transcribir; pídele amablemente que lo escriba.]',
  en: '[The customer sent a voice message that could not be transcribed; kindly ask them to type it.]',
};

/**
 * What the bot answers for a customer message: the transcript of its audio when there is one
 * (after any caption), a clear placeholder for audio it cannot hear, else the text as stored.
 */
export function answerableText(message: { content: string; contentType: string; metadata: Record<string, unknown> }, language: string | null | undefined): string {
  const audio = attachmentsOf(message.metadata).filter((a) => a.kind === 'audio');
  if (audio.length === 0) return message.content;
  const transcripts = audio.map((a) => (a.transcriptStatus === 'done' && a.transcript ? a.transcript : null));
  const caption = message.contentType === 'audio' && /^\[[^\]]*\]$/.test(message.content.trim()) ? '' : message.content.trim();
  const heard = transcripts.filter((t): t is string => t !== null);
  if (heard.length === audio.length) return [caption, ...heard].filter(Boolean).join('\n');
  return [caption, ...heard, PLACEHOLDER[language === 'en' ? 'en' : 'es']].filter(Boolean).join('\n');
}
