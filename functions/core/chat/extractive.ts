import type { SearchHit } from '../retrieval/search';
import { termsOf, termWeight } from './answer-terms';

/**
 * The built-in answerer for deployments without a model. It answers with the sentence(s) of the
 * retrieved passages that answer the question, the way a shop owner would: no heading, no
 * document title, never the question itself, and for a Q&A pair its answer. Honest by
 * construction: it can only repeat what the knowledge base says, and it reports which passages
 * it used so only those are cited.
 *
 * A passage is read as units (sentences, list items, table rows) in groups (a paragraph, a list,
 * the answer under one FAQ question). Questions and headings are never units; they are context:
 * the sentences under "¿Hacéis envíos?" answer a question about shipping even when they only say
 * "Sí, en 24 horas.".
 */
export interface ExtractiveAnswer {
  content: string;
  /** Indexes into the hits that the answer quotes, best first. */
  cited: number[];
}

interface Unit {
  text: string;
  terms: Set<string>;
  /** The FAQ question this unit answers, when it sits under one. */
  questionTerms: Set<string>;
  group: number;
  list: boolean;
}

interface Passage {
  hit: number;
  units: Unit[];
  headingTerms: Set<string>;
}

interface Scored {
  passage: Passage;
  index: number;
  score: number;
  /** The question's words the unit or its FAQ question says, by plain weight (no rarity). */
  matched: number;
}

/** Each wanted term's weight in this question: its kind, less when every passage says it. */
type Weights = Map<string, number>;

const MAX_UNITS = 3;
const MAX_LIST_UNITS = 6;
/** Search ranks passages well; its order breaks near-ties between them. */
const RANK_PRIOR = [0.5, 0.3, 0.15, 0.05];
const QUESTION_CONTEXT_WEIGHT = 0.75;
const HEADING_CONTEXT_WEIGHT = 0.35;
/** A unit this short ("Sí.") says little without the next one. */
const SHORT_UNIT = 45;

const QUESTION_LABEL = /^\s*(?:\*\*)?(?:q|p|pregunta|question)\s*[:.-]\s*/i;
const ANSWER_LABEL = /^\s*(?:\*\*)?(?:a|r|respuesta|answer)\s*[:.-]\s*(?:\*\*)?\s*/i;
const LIST_ITEM = /^\s*(?:[-*+•·]|\d{1,3}[.)])\s+/;

const fold = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** Markdown emphasis and heading marks around a line, which do not change what it says. */
function plain(text: string) {
  return text
    .replace(/^#{1,6}\s+/, '')
    .replace(/^(\*\*|__)(.*)\1$/, '$2')
    .trim();
}

function isQuestion(text: string) {
  const t = plain(text).replace(/[*_"«»]+$/g, '');
  return /\?\s*$/.test(t) || /^[¿]/.test(t) || QUESTION_LABEL.test(text);
}

/**
 * A line that names rather than says: short, no sentence ending, no figures, no comma, and not a
 * yes/no ("Tienda Flor - Devoluciones", "Envíos a domicilio", "Opening hours").
 */
function isTitleLike(text: string) {
  const t = plain(text);
  if (/[.!?;:…)]$/.test(t) || /[,\d]/.test(t)) return false;
  if (/^(s[ií]|no|yes|yeah|sure)\b/i.test(t)) return false;
  return t.split(/\s+/).length <= 8;
}

/** Sentences of one line; "p. ej." and "9 a. m." stay whole because a lowercase letter follows. */
function sentencesOf(line: string): string[] {
  return line
    .split(/(?<=[.!?])\s+(?=[¿¡"«(]?[\p{Lu}\d])/u)
    .map((s) => s.trim())
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

/** The heading path the chunker put before the text ("Envíos > Plazos"), or any tail of it. */
function headingPrefixes(headings: string[]): Set<string> {
  const prefixes = new Set<string>();
  for (let start = 0; start < headings.length; start++) prefixes.add(fold(headings.slice(start).join(' > ')));
  for (const heading of headings) prefixes.add(fold(heading));
  return prefixes;
}

function documentTitle(name: string) {
  return fold(name.replace(/\.[a-z0-9]{2,5}$/i, ''));
}

function readPassage(hit: SearchHit, index: number): Passage {
  const headings = hit.location.headings ?? [];
  const skip = headingPrefixes(headings);
  skip.add(documentTitle(hit.documentName));
  const last = headings.at(-1);
  const passage: Passage = { hit: index, units: [], headingTerms: termsOf(headings.join(' '), { question: true }) };
  // A chunk under a question heading ("## ¿Hacéis envíos?") answers that question.
  let questionTerms = last && isQuestion(last) ? termsOf(last, { question: true }) : new Set<string>();
  let group = 0;
  let listOpen = false;
  for (const block of hit.content.split(/\n\s*\n/)) {
    group += 1;
    listOpen = false;
    for (const rawLine of block.split('\n')) {
      const line = rawLine.trim();
      if (!line || skip.has(fold(line))) continue;
      if (/^#{1,6}\s/.test(line) || /^[-=_*]{3,}$/.test(line)) {
        if (isQuestion(line)) questionTerms = termsOf(line, { question: true });
        group += 1;
        continue;
      }
      const list = LIST_ITEM.test(line);
      // A list belongs with the sentence that introduces it ("Tienes tres opciones:").
      const leadIn = list && !listOpen && /:\s*$/.test(passage.units.at(-1)?.text ?? '');
      if (list !== listOpen && !leadIn) group += 1;
      listOpen = list;
      const body = line.replace(LIST_ITEM, '');
      if (!list && isTitleLike(body)) {
        group += 1;
        continue;
      }
      for (const sentence of list ? [body] : sentencesOf(body)) {
        if (isQuestion(sentence)) {
          // What follows answers this question: a new group with it as context.
          questionTerms = termsOf(sentence.replace(QUESTION_LABEL, ''), { question: true });
          group += 1;
          continue;
        }
        const text = sentence.replace(ANSWER_LABEL, '').trim();
        if (!/[\p{L}\p{N}]/u.test(text)) continue;
        passage.units.push({ text, terms: termsOf(text), questionTerms, group, list });
      }
    }
  }
  return passage;
}

function weightIn(weights: Weights, terms: Set<string>) {
  let weight = 0;
  for (const [term, w] of weights) if (terms.has(term)) weight += w;
  return weight;
}

function passageSays(passage: Passage, term: string) {
  return passage.headingTerms.has(term) || passage.units.some((unit) => unit.terms.has(term) || unit.questionTerms.has(term));
}

/**
 * Rarity among the retrieved passages, like IDF: "cuesta" in every passage cannot tell them apart,
 * "desayuno" in one can. A term in every one of three passages weighs half.
 */
function weightsOf(wanted: Set<string>, passages: Passage[]): Weights {
  const weights: Weights = new Map();
  for (const term of wanted) {
    const count = passages.filter((passage) => passageSays(passage, term)).length;
    weights.set(term, termWeight(term) / (1 + 0.25 * Math.max(0, count - 1)));
  }
  return weights;
}

const plainWeights = (wanted: Set<string>): Weights => new Map([...wanted].map((term) => [term, termWeight(term)]));

/**
 * What a unit's own words match, plus its context: the FAQ question it answers, in proportion to
 * how much of the visitor's question that FAQ question covers (so "¿Cuánto cuesta una tarta?"
 * does not answer "¿Cuánto cuesta el desayuno?" on "cuánto cuesta" alone), and the passage's
 * headings, which lift every unit of the passage alike.
 */
function unitScore(weights: Weights, wantedWeight: number, passage: Passage, unit: Unit, index: number) {
  const own = weightIn(weights, unit.terms);
  const question = weightIn(weights, unit.questionTerms);
  const headings = weightIn(weights, passage.headingTerms);
  const coverage = wantedWeight > 0 ? question / wantedWeight : 0;
  // Earlier sentences of a passage lead; later ones elaborate.
  return own + question * coverage * QUESTION_CONTEXT_WEIGHT + headings * HEADING_CONTEXT_WEIGHT - index * 0.02;
}

function bestUnit(wanted: Set<string>, weights: Weights, passage: Passage): Scored | null {
  let best: Scored | null = null;
  const wantedWeight = [...weights.values()].reduce((sum, w) => sum + w, 0);
  const plain = plainWeights(wanted);
  passage.units.forEach((unit, index) => {
    const score = unitScore(weights, wantedWeight, passage, unit, index);
    if (!best || score > best.score) best = { passage, index, score, matched: Math.max(weightIn(plain, unit.terms), weightIn(plain, unit.questionTerms)) };
  });
  return best;
}

/** Below this, nothing the question asks is in the passage: better to say so than to quote it. */
const MIN_MATCH = 1;

/**
 * The answer's units around the best one: an FAQ answer from its start (it is short and reads as
 * a whole), otherwise from the best unit on while the next ones still match or the best one is
 * only a lead-in ("Sí." / "Our hours:") or they answer a part of the question not yet answered.
 */
function expand(wanted: Set<string>, best: Scored): Unit[] {
  const { units } = best.passage;
  const unit = units[best.index];
  let start = best.index;
  if (unit.questionTerms.size > 0) {
    while (start > 0 && best.index - start < MAX_UNITS - 1 && units[start - 1].group === unit.group) start -= 1;
  }
  const chosen = [units[start]];
  // A list announced by its lead-in is read whole, up to a handful of items.
  const limit = /:\s*$/.test(units[start].text) ? MAX_LIST_UNITS : MAX_UNITS;
  for (let i = start + 1; i < units.length && chosen.length < limit; i++) {
    const next = units[i];
    if (next.group !== unit.group) break;
    const needed = i <= best.index;
    const leadIn = chosen.at(-1)!.text.length < SHORT_UNIT || /:\s*$/.test(chosen.at(-1)!.text);
    const faqAnswer = unit.questionTerms.size > 0 && !unit.list;
    const addsTerm = [...wanted].some((term) => next.terms.has(term) && !chosen.some((u) => u.terms.has(term)));
    if (!needed && !leadIn && !faqAnswer && !addsTerm) break;
    chosen.push(next);
  }
  return chosen;
}

function render(units: Unit[]): string {
  if (units.length === 1) return units[0].text;
  if (!units.some((u) => u.list)) return units.map((u) => u.text).join(' ');
  return units.map((u) => (u.list ? `- ${u.text}` : u.text)).join('\n');
}

export function extractiveAnswer(question: string, hits: SearchHit[]): ExtractiveAnswer {
  const wanted = termsOf(question, { question: true });
  const passages = hits.map(readPassage);
  const weights = weightsOf(wanted, passages);
  const ranked = passages
    .map((passage) => bestUnit(wanted, weights, passage))
    .filter((scored): scored is Scored => scored !== null && scored.matched >= MIN_MATCH)
    .map((scored) => ({ ...scored, total: scored.score + (RANK_PRIOR[scored.passage.hit] ?? 0) }))
    .sort((a, b) => b.total - a.total);
  const best = ranked[0];
  if (!best) return { content: '', cited: [] };
  const units = expand(wanted, best);
  const cited = [best.passage.hit];
  let content = render(units);

  // A second passage adds a sentence only when it answers a part of the question the first did not.
  const covered = new Set([...units.flatMap((u) => [...u.terms])]);
  const second = ranked[1];
  if (second && second.score > 0) {
    const extra = second.passage.units[second.index];
    const adds = [...wanted].some((term) => termWeight(term) > 1 && extra.terms.has(term) && !covered.has(term));
    if (adds && second.score >= best.score * 0.6 && !content.includes(extra.text)) {
      content = `${content}\n\n${extra.text}`;
      cited.push(second.passage.hit);
    }
  }
  return { content, cited };
}
