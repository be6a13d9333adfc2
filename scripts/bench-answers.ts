// `npm run bench:answers`: how good the keyless answers are (the built-in extractive answerer, the
// default with no API key) on the labeled set in scripts/fixtures/answers-eval.json: small
// businesses, Spanish and English, documents in several formats. Everything goes through the real
// pipeline on the local runtime: sign up, upload through the API, ingest, deploy a bot per
// business, and ask each question through the public widget API as a visitor would.
// Prints, overall and per language:
//   - right fact: answers that contain every expected fact (target >= 90%);
//   - echoed question: answers that repeat a question (the visitor's or an FAQ's) (target 0);
//   - heading quoted: answers with a heading or document title as a line of their own (target 0);
//   - no answer: the bot said it does not know (the fallback with the offer of a person), which
//     counts as a wrong fact but is neither an echo nor a heading.
// BENCH_ANSWERS_VERBOSE=1 prints every answer.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalRuntime } from '../functions/local-runtime';
import { parseSse } from '../functions/testing/fake-openai';
import { jsonApi, serveOnLoopback } from './bench-lib';
import { makeDocx, type DocxBlock } from './fixtures/make-docx';

type EvalDocument =
  | { format: 'docx'; name: string; blocks: DocxBlock[] }
  | { format: 'md' | 'html'; name: string; text: string }
  | { format: 'text'; name: string; text: string }
  | { format: 'qa'; name: string; pairs: Array<{ question: string; answer: string }> };

interface Business {
  id: string;
  name: string;
  language: 'es' | 'en';
  documents: EvalDocument[];
  questions: Array<{ q: string; expect: string[] }>;
}

const VERBOSE = process.env.BENCH_ANSWERS_VERBOSE === '1';
const set = JSON.parse(readFileSync(resolve(import.meta.dirname, 'fixtures/answers-eval.json'), 'utf8')) as { businesses: Business[] };

const fold = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** Every heading, title and FAQ question of a business's documents, as they could leak into an answer. */
function headingsOf(business: Business): { headings: Set<string>; questions: Set<string> } {
  const headings = new Set<string>();
  const questions = new Set<string>();
  const add = (text: string) => (/\?\s*$|^¿/.test(text.trim()) ? questions : headings).add(fold(text));
  for (const doc of business.documents) {
    headings.add(fold(doc.name.replace(/\.[a-z]+$/, '')));
    if (doc.format === 'docx') {
      for (const block of doc.blocks) if (typeof block === 'object' && ('title' in block || 'heading' in block)) add('title' in block ? block.title : block.heading);
    } else if (doc.format === 'md') {
      for (const line of doc.text.split('\n')) if (/^#{1,6}\s/.test(line)) add(line.replace(/^#+\s+/, ''));
    } else if (doc.format === 'html') {
      for (const match of doc.text.matchAll(/<(h[1-6]|title)[^>]*>(.*?)<\/\1>/g)) add(match[2]);
    } else if (doc.format === 'text') {
      for (const line of doc.text.split('\n')) if (line.trim() && !/[.!?:]$/.test(line.trim())) add(line);
    } else if (doc.format === 'qa') {
      for (const pair of doc.pairs) questions.add(fold(pair.question));
    }
  }
  headings.delete('');
  return { headings, questions };
}

/** The answer's lines and sentences, without list marks. */
function segmentsOf(answer: string): string[] {
  return answer
    .split('\n')
    .flatMap((line) => line.split(/(?<=[.!?])\s+/))
    .map((segment) => segment.replace(/^\s*[-*•]\s+/, '').trim())
    .filter(Boolean);
}

function echoes(answer: string, question: string, faqQuestions: Set<string>) {
  if (/(^|\n)\s*(Q|A|P|R):/.test(answer)) return true;
  if (fold(answer).includes(fold(question))) return true;
  return segmentsOf(answer).some((segment) => /\?$|^¿/.test(segment) || faqQuestions.has(fold(segment)));
}

function quotesHeading(answer: string, headings: Set<string>) {
  return segmentsOf(answer).some((segment) => headings.has(fold(segment)));
}

async function upload(base: string, token: string, kbId: string, name: string, bytes: Uint8Array, type: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const res = await fetch(`${base}/api/v1/knowledge-bases/${kbId}/documents/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (res.status !== 202) throw new Error(`upload ${name} -> ${res.status} ${await res.text()}`);
}

const dataDir = mkdtempSync(join(tmpdir(), 'versaai-bench-answers-'));
const runtime = await startLocalRuntime({
  dataDir,
  env: { AUTH_ATTEMPTS_PER_IP: '100000', WIDGET_MESSAGES_PER_IP: '100000', WIDGET_MESSAGES_PER_SESSION: '1000' },
});
const { server, base } = await serveOnLoopback(runtime);
const api = jsonApi(base);

interface Outcome {
  language: 'es' | 'en';
  right: boolean;
  echoed: boolean;
  heading: boolean;
  fallback: boolean;
}

try {
  const user = await api('POST', '/api/v1/auth/register', undefined, { email: 'bench-answers@example.com', password: 'a-strong-password-1', name: 'Bench' });
  const token = user.accessToken as string;
  await api('POST', '/api/v1/organizations', token, { name: 'Bench answers' });
  const outcomes: Outcome[] = [];
  const failures: string[] = [];

  for (const business of set.businesses) {
    const kb = await api('POST', '/api/v1/knowledge-bases', token, { name: business.name });
    for (const doc of business.documents) {
      if (doc.format === 'docx') await upload(base, token, kb.id, doc.name, makeDocx(doc.blocks, { styles: true }), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      else if (doc.format === 'md') await upload(base, token, kb.id, doc.name, new TextEncoder().encode(doc.text), 'text/markdown');
      else if (doc.format === 'html') await upload(base, token, kb.id, doc.name, new TextEncoder().encode(doc.text), 'text/html');
      else if (doc.format === 'text') await api('POST', `/api/v1/knowledge-bases/${kb.id}/documents`, token, { type: 'text', name: doc.name, text: doc.text });
      else if (doc.format === 'qa') await api('POST', `/api/v1/knowledge-bases/${kb.id}/documents`, token, { type: 'qa', name: doc.name, pairs: doc.pairs });
    }
    await runtime.queue.drain({ timeoutMs: 120_000 });
    const docs = await api('GET', `/api/v1/knowledge-bases/${kb.id}/documents`, token);
    const notReady = (docs.data as Array<{ name: string; status: string; error: string | null }>).filter((d) => d.status !== 'ready');
    if (notReady.length > 0) throw new Error(`documents not ready: ${JSON.stringify(notReady)}`);

    const bot = await api('POST', '/api/v1/chatbots', token, { name: business.name, model: 'builtin:extractive', language: business.language, knowledgeBaseIds: [kb.id] });
    await api('POST', `/api/v1/chatbots/${bot.id}/deploy`, token);
    const { headings, questions } = headingsOf(business);

    for (const item of business.questions) {
      // A fresh visitor per question: no memory, no pending offer of a person.
      const session = await api('POST', `/api/v1/widget/${bot.id}/session`, undefined, {});
      const res = await fetch(`${base}/api/v1/widget/${bot.id}/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.sessionToken}` },
        body: JSON.stringify({ message: item.q }),
      });
      const done = parseSse(await res.text()).find((event) => event.event === 'done');
      const answer: string = done?.data?.message?.content ?? '';
      const sources: Array<{ title: string }> = done?.data?.message?.sources ?? [];
      // The fallback is the one answer that offers a person (its buttons say so).
      const fallback = Boolean(done?.data?.message?.quickReplies?.length);
      const outcome: Outcome = {
        language: business.language,
        right: item.expect.every((pattern) => new RegExp(pattern, 'i').test(answer)),
        echoed: !fallback && echoes(answer, item.q, questions),
        heading: !fallback && quotesHeading(answer, headings),
        fallback,
      };
      outcomes.push(outcome);
      const flags = [outcome.right ? '' : fallback ? 'NO ANSWER' : 'WRONG', outcome.echoed ? 'ECHO' : '', outcome.heading ? 'HEADING' : ''].filter(Boolean).join(' ');
      const line = `[${business.id}] ${item.q}\n    -> ${answer.replace(/\n/g, ' / ')}\n    sources: ${sources.map((s) => s.title).join(', ') || '(none)'}`;
      if (flags) failures.push(`${flags}: ${line}`);
      else if (VERBOSE) console.log(`ok: ${line}`);
    }
  }

  const pct = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);
  const row = (label: string, list: Outcome[]) =>
    console.log(
      `${label.padEnd(9)} ${String(list.length).padStart(9)}  ${pct(list.filter((o) => o.right).length, list.length).padStart(10)}  ${pct(list.filter((o) => o.echoed).length, list.length).padStart(15)}  ${pct(list.filter((o) => o.heading).length, list.length).padStart(14)}  ${pct(list.filter((o) => o.fallback).length, list.length).padStart(9)}`,
    );
  if (failures.length > 0) console.log(`\n${failures.join('\n')}\n`);
  console.log(`keyless answers (builtin:extractive) on ${set.businesses.length} businesses, real pipeline, widget API`);
  console.log(`${'language'.padEnd(9)} ${'questions'.padStart(9)}  ${'right fact'.padStart(10)}  ${'echoed question'.padStart(15)}  ${'heading quoted'.padStart(14)}  ${'no answer'.padStart(9)}`);
  row('es', outcomes.filter((o) => o.language === 'es'));
  row('en', outcomes.filter((o) => o.language === 'en'));
  row('all', outcomes);
  console.log('targets: right fact >= 90%, echoed question 0, heading quoted 0');
} finally {
  server.close();
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}
