import { describe, expect, it } from 'vitest';
import { isFollowUp, retrievalQuery } from './follow-up';

const hoursTurn = [
  { role: 'user', content: '¿Cuál es vuestro horario de atención al cliente?' },
  { role: 'assistant', content: 'De lunes a viernes de 9:00 a 18:00.' },
];

describe('retrievalQuery (no model: follow-ups borrow the previous question)', () => {
  it('adds the previous question’s content words to a short follow-up, its own words first', () => {
    const query = retrievalQuery('¿y los sábados?', hoursTurn);
    expect(query.startsWith('¿y los sábados?')).toBe(true);
    expect(query).toContain('horario');
    expect(query).toContain('atención');
    // The assistant's answer is not borrowed: it may be wrong, and it is not what was asked.
    expect(query).not.toContain('lunes');
  });

  it('handles English continuations and pronouns', () => {
    const history = [{ role: 'user', content: 'How long does shipping to the Canary Islands take?' }];
    expect(retrievalQuery('what about Madrid?', history)).toContain('shipping');
    expect(retrievalQuery('does that include customs fees?', history)).toContain('canary');
  });

  it('leaves a question that stands on its own, or the first one, untouched', () => {
    const standalone = '¿Cuánto cuesta el envío urgente a Baleares en verano?';
    expect(retrievalQuery(standalone, hoursTurn)).toBe(standalone);
    expect(retrievalQuery('¿y los sábados?', [])).toBe('¿y los sábados?');
    expect(isFollowUp('¿?')).toBe(false);
  });
});
