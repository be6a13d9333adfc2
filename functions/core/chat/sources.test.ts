import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../retrieval/search';
import { citedIndexes, cleanDocumentName, sourceLink, sourcesOf, sourceTitle } from './sources';

function hit(documentName: string, location: SearchHit['location'] = {}, sourceUrl: string | null = null): SearchHit {
  return { chunkId: `c-${documentName}`, documentId: 'd', documentName, knowledgeBaseId: 'k', position: 0, content: '', location, score: 0.5, relevance: 0.5, retrievers: ['vector'], sourceUrl };
}

describe('sources a visitor sees', () => {
  it('titles are human: the document\u2019s own name, else its title heading, else a cleaned file name', () => {
    expect(sourceTitle(hit('Horario'), 'es')).toBe('Horario');
    expect(sourceTitle(hit('tienda-flor-faq.docx', { headings: ['Tienda Flor - Devoluciones', 'Plazos'] }), 'es')).toBe('Tienda Flor - Devoluciones');
    expect(sourceTitle(hit('tienda-flor-faq.docx'), 'es')).toBe('Preguntas frecuentes');
    expect(sourceTitle(hit('guia_de_envios.pdf', { headings: ['¿Cuánto tarda?'] }), 'es')).toBe('Guia de envios');
    expect(cleanDocumentName('https://shop.example/ayuda/devoluciones.html', 'es')).toBe('Devoluciones');
    expect(cleanDocumentName('bike-faq.md', 'en')).toBe('Frequently asked questions');
  });

  it('links go to the spot, only over http(s): the heading anchor, a PDF page', () => {
    expect(sourceLink(hit('Envíos', { url: 'https://shop.example/envios#plazos' }))).toBe('https://shop.example/envios#plazos');
    expect(sourceLink(hit('manual.pdf', { page: 4 }, 'https://shop.example/manual.pdf'))).toBe('https://shop.example/manual.pdf#page=4');
    expect(sourceLink(hit('manual.pdf', { page: 4 }))).toBeUndefined();
    expect(sourceLink(hit('x', {}, 'javascript:alert(1)'))).toBeUndefined();
  });

  it('marks which passages the answer cited, keeping retrieval order; [n] in a model answer names them', () => {
    const hits = [hit('A'), hit('B', { headings: ['B', 'Plazos'] }), hit('C')];
    expect(sourcesOf(hits, 'es', [1]).map((s) => [s.title, s.section, s.cited])).toEqual([
      ['A', undefined, false],
      ['B', 'Plazos', true],
      ['C', undefined, false],
    ]);
    expect(sourcesOf(hits, 'es')[0].cited).toBeUndefined();
    expect(citedIndexes('Abrimos a las 10 [2]. Cerramos en agosto [1, 2]. [9]', 3)).toEqual([1, 0]);
  });
});
