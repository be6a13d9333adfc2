import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../retrieval/search';
import { extractiveAnswer } from './extractive';

function hit(content: string, score = 1): SearchHit {
  return { chunkId: 'c', documentId: 'd', documentName: 'Doc', knowledgeBaseId: 'k', position: 0, content, location: {}, score, relevance: score, retrievers: ['vector'] };
}

describe('built-in extractive answerer', () => {
  it('quotes the sentences that share words with the question, with citations, and no headings', () => {
    const answer = extractiveAnswer(
      '¿Qué días abre el faro?',
      [hit('# Visitas\n\nEl faro abre los domingos a las 07:15. La entrada cuesta tres euros.'), hit('Visitas > Horario\n\nEl faro cierra en agosto.', 0.5)],
      'es',
    );
    expect(answer).toContain('- El faro abre los domingos a las 07:15. [1]');
    expect(answer).toContain('El faro cierra en agosto. [2]');
    expect(answer).not.toMatch(/# Visitas|Visitas > Horario|tres euros/);
  });

  it('falls back to the best passage\u2019s first sentence when no word matches', () => {
    expect(extractiveAnswer('xyzzy', [hit('Primera frase. Segunda frase.')], 'en')).toBe('This is what I found in our documentation:\n\n- Primera frase. [1]');
  });
});
