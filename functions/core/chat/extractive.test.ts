import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../retrieval/search';
import { TEXT_DOCUMENTS } from '../demo/sample-shop';
import { extractiveAnswer } from './extractive';

function hit(content: string, options: { score?: number; headings?: string[]; name?: string } = {}): SearchHit {
  const score = options.score ?? 1;
  return {
    chunkId: 'c',
    documentId: 'd',
    documentName: options.name ?? 'Doc',
    knowledgeBaseId: 'k',
    position: 0,
    content,
    location: options.headings ? { headings: options.headings } : {},
    score,
    relevance: score,
    retrievers: ['vector'],
  };
}

describe('built-in extractive answerer', () => {
  it('answers the Saturday hours from the right passage, never its title (the issue\u2019s "Tienda Flor - Devoluciones")', () => {
    const hours = hit('Tienda Flor - Horario\n\nAbrimos de lunes a viernes de 9:30 a 20:00.\n\nLos sábados abrimos de 10:00 a 14:00. Los domingos y festivos cerramos.', {
      headings: ['Tienda Flor - Horario'],
      name: 'tienda-flor-faq.docx',
    });
    const returns = hit('Tienda Flor - Devoluciones\n\nPuedes devolver las plantas en 14 días con el ticket.', { headings: ['Tienda Flor - Devoluciones'], score: 0.5 });
    const answer = extractiveAnswer('¿A qué hora abrís el sábado?', [hours, returns]);
    expect(answer.content).toBe('Los sábados abrimos de 10:00 a 14:00. Los domingos y festivos cerramos.');
    expect(answer.cited).toEqual([0]);
    expect(extractiveAnswer('¿Qué horario tenéis entre semana?', [hours, returns]).content).toBe('Abrimos de lunes a viernes de 9:30 a 20:00.');
  });

  it('prefers the sentence about opening to one that only names a time and the day, even ranked first (the sample shop)', () => {
    // The sample shop's documents in the order its search returned them for this question.
    const doc = (name: string) => TEXT_DOCUMENTS.find((d) => d.name === name)!.text;
    const hits = ['Envíos', 'Horario y tienda', 'Devoluciones y garantía'].map((name, i) => hit(doc(name), { score: 1 - i * 0.2 }));
    const answer = extractiveAnswer('¿A qué hora abrís el sábado?', hits);
    expect(answer.content).toMatch(/^Abrimos de lunes a viernes de 9:30 a 20:00 y los sábados de 10:00 a 14:00\./);
    expect(answer.cited).toEqual([1]);
    expect(extractiveAnswer('¿Hacéis envíos el sábado?', hits).content).toMatch(/^Hacemos envíos el mismo día/);
  });

  it('never echoes an FAQ question as a bullet: it answers with the sentence under it', () => {
    const faq = hit('Preguntas frecuentes\n\n- ¿Hacéis envíos a domicilio?\nSí, llevamos los ramos a domicilio en toda la ciudad el mismo día.\n\n- ¿Puedo pagar con tarjeta?\nSí, aceptamos tarjeta y Bizum.', {
      headings: ['Preguntas frecuentes'],
    });
    const answer = extractiveAnswer('¿Hacéis envíos a domicilio?', [faq]);
    expect(answer.content).toBe('Sí, llevamos los ramos a domicilio en toda la ciudad el mismo día.');
    expect(answer.content).not.toMatch(/\?|Preguntas frecuentes/);
  });

  it('answers Q&A pairs with their answer, not as raw "Q: … A: …"', () => {
    const pairs = hit(
      'Q: ¿Aceptáis Bizum?\nA: Sí, aceptamos Bizum, tarjeta y efectivo.\n\nQ: ¿Tenéis aparcamiento?\nA: Hay un parking público a 50 metros, en la calle Mayor.',
    );
    expect(extractiveAnswer('¿Dónde puedo aparcar?', [pairs]).content).toBe('Hay un parking público a 50 metros, en la calle Mayor.');
    expect(extractiveAnswer('¿se puede pagar con bizum?', [pairs]).content).toBe('Sí, aceptamos Bizum, tarjeta y efectivo.');
  });

  it('picks the sentence that answers over the one that merely repeats the question\u2019s words', () => {
    const chunk = hit('Horario\n\nNuestro horario es amplio para que vengas cuando quieras. Abrimos de lunes a sábado de 9:00 a 21:00.', { headings: ['Horario'] });
    expect(extractiveAnswer('¿Cuál es el horario del sábado?', [chunk]).content).toBe('Abrimos de lunes a sábado de 9:00 a 21:00.');
  });

  it('answers under a question heading and drops markdown headings and heading paths', () => {
    const chunk = hit('Envíos > ¿Cuánto cuesta el envío?\n\nEl envío cuesta 4,90 € y es gratis a partir de 40 €.', { headings: ['Envíos', '¿Cuánto cuesta el envío?'] });
    const other = hit('# Visitas\n\nEl faro abre los domingos a las 07:15.', { score: 0.5 });
    const answer = extractiveAnswer('How much is shipping?', [chunk, other]);
    expect(answer.content).toBe('El envío cuesta 4,90 € y es gratis a partir de 40 €.');
  });

  it('a day inside a range answers ("Monday to Friday" covers Wednesday), in English', () => {
    const chunk = hit('## Opening hours\n\nWe are open Monday to Friday from 8 am to 6 pm. On Saturdays we open from 9 am to 1 pm.', { headings: ['Opening hours'] });
    expect(extractiveAnswer('Are you open on Wednesday?', [chunk]).content).toBe('We are open Monday to Friday from 8 am to 6 pm.');
    expect(extractiveAnswer('What time do you open on Saturday?', [chunk]).content).toBe('On Saturdays we open from 9 am to 1 pm.');
  });

  it('keeps a list together under its lead-in and cites only the passage it used', () => {
    const list = hit('Para pedir cita tienes tres opciones:\n- Llamar al 912 345 678.\n- Escribirnos por WhatsApp.\n- Reservar en la web.', { score: 0.9 });
    const unrelated = hit('Las limpiezas duran 45 minutos.', { score: 0.4 });
    const answer = extractiveAnswer('¿Cómo pido cita?', [list, unrelated]);
    expect(answer.content).toBe('Para pedir cita tienes tres opciones:\n- Llamar al 912 345 678.\n- Escribirnos por WhatsApp.\n- Reservar en la web.');
    expect(answer.cited).toEqual([0]);
  });

  it('says nothing rather than quote a passage that shares no word with the question', () => {
    // "¿A qué hora abrís los domingos?" once got the delivery days because search found nothing better.
    const delivery = hit('Q: ¿Repartís a domicilio?\nA: Repartimos a domicilio en Logroño los sábados por la mañana.');
    expect(extractiveAnswer('¿A qué hora abrís los domingos?', [delivery])).toEqual({ content: '', cited: [] });
    expect(extractiveAnswer('xyzzy', [hit('Primera frase. Segunda frase.')])).toEqual({ content: '', cited: [] });
  });

  it('a word every passage says ("cuesta") weighs less than the one only the right passage says ("desayuno")', () => {
    const cake = hit('Q: ¿Cuánto cuesta una tarta de cumpleaños?\nA: Las tartas de cumpleaños cuestan desde 18 € la de seis raciones.');
    const cafe = hit('Horno San Blas > Cafetería\n\nEn la cafetería servimos desayunos hasta las 12:00. El desayuno con café, zumo y tostada cuesta 4,50 €.', {
      headings: ['Horno San Blas', 'Cafetería'],
      score: 0.9,
    });
    const roscon = hit('El roscón mediano cuesta 22 € y el grande 30 €.', { score: 0.8 });
    const answer = extractiveAnswer('¿Cuánto cuesta el desayuno?', [cake, cafe, roscon]);
    expect(answer.content).toBe('El desayuno con café, zumo y tostada cuesta 4,50 €.');
    expect(answer.cited).toEqual([1]);
  });
});
