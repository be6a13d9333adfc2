import { createOpenAI } from '@ai-sdk/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../../testing/fake-openai';
import { parseRanking, rerankHits, rewriteFollowUp } from './model-steps';
import type { SearchHit } from './search';

let llm: FakeOpenAI;
let model: ReturnType<ReturnType<typeof createOpenAI>['chat']>;

beforeAll(async () => {
  llm = await startFakeOpenAI();
  model = createOpenAI({ baseURL: llm.url, apiKey: 'test' }).chat('fake-llm');
});
afterAll(() => llm.close());

const hours = [{ role: 'user', content: '¿Cuál es vuestro horario de atención?' }, { role: 'assistant', content: 'De lunes a viernes de 9 a 18.' }];

function hit(n: number, content: string): SearchHit {
  return { chunkId: `c${n}`, documentId: 'd', documentName: `Doc ${n}`, knowledgeBaseId: 'kb', position: n, content, location: {}, score: 1 / n } as SearchHit;
}

describe('rewriteFollowUp', () => {
  it('asks the model for a standalone query when the message leans on the previous one', async () => {
    llm.reply = () => 'Consulta: "horario de atención los sábados"';
    const result = await rewriteFollowUp(model, '¿y los sábados?', hours);
    expect(result).toMatchObject({ query: 'horario de atención los sábados', how: 'model' });
    expect(result.usage?.inputTokens).toBeGreaterThan(0);
    const prompt = llm.requests.at(-1)!.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('¿Cuál es vuestro horario de atención?');
    expect(prompt).toContain('Follow-up: ¿y los sábados?');
  });

  it('searches a question that stands alone as typed, without calling the model', async () => {
    const before = llm.requests.length;
    expect(await rewriteFollowUp(model, '¿Hacéis envíos a Canarias y cuánto tardan?', hours)).toEqual({ query: '¿Hacéis envíos a Canarias y cuánto tardan?', how: 'as_typed' });
    expect(llm.requests.length).toBe(before);
  });

  it('borrows the previous question when the model fails or rambles', async () => {
    llm.failing.add('fake-llm');
    try {
      expect(await rewriteFollowUp(model, '¿y los sábados?', hours)).toMatchObject({ how: 'borrowed', query: expect.stringContaining('horario') });
    } finally {
      llm.failing.delete('fake-llm');
    }
    llm.reply = () => 'x '.repeat(300);
    expect(await rewriteFollowUp(model, '¿y los sábados?', hours)).toMatchObject({ how: 'borrowed' });
  });

  it('borrows without a model', async () => {
    expect(await rewriteFollowUp(null, '¿y los sábados?', hours)).toMatchObject({ how: 'borrowed' });
  });
});

describe('rerankHits', () => {
  const candidates = [hit(1, 'Devoluciones en 30 días'), hit(2, 'Horario: sábados de 10 a 14'), hit(3, 'Envíos a Canarias')];

  it("puts the model's choices first and drops the passages it leaves out", async () => {
    llm.reply = () => '2, 3';
    const result = await rerankHits(model, '¿Abrís los sábados?', candidates, 5);
    expect(result.how).toBe('model');
    expect(result.hits.map((h) => h.chunkId)).toEqual(['c2', 'c3']);
    const prompt = llm.requests.at(-1)!.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('[2] Doc 2: Horario: sábados de 10 a 14');
  });

  it('keeps no passage when the model says none helps, and the search order when its answer is unusable', async () => {
    llm.reply = () => 'none';
    expect((await rerankHits(model, '¿Vendéis coches?', candidates, 5)).hits).toEqual([]);
    llm.reply = () => 'I think the second one';
    const kept = await rerankHits(model, '¿Abrís los sábados?', candidates, 2);
    expect(kept).toMatchObject({ how: 'kept' });
    expect(kept.hits.map((h) => h.chunkId)).toEqual(['c1', 'c2']);
  });
});

describe('parseRanking', () => {
  it('reads numbers in range, once each, in order', () => {
    expect(parseRanking('3, 1, 3, 9, 0', 4)).toEqual([2, 0]);
    expect(parseRanking('Ninguno', 4)).toEqual([]);
    expect(parseRanking('no idea', 4)).toBeNull();
  });
});
