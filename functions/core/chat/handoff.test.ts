import { describe, expect, it } from 'vitest';
import { replyToOffer, tappedReplyId } from './handoff';

describe('answers to the offer of a person', () => {
  it('reads short yeses and noes in Spanish and English, tolerant of case, accents and punctuation', () => {
    for (const yes of ['Sí', 'si', '¡Sí!', 'SÍ, por favor', 'vale', 'Claro', 'ok', 'dale', 'yes', 'Yeah!', 'sure', 'please', 'Sí, con una persona']) expect(replyToOffer(yes), yes).toBe('yes');
    for (const no of ['No', 'no, gracias', 'No thanks', 'nope']) expect(replyToOffer(no), no).toBe('no');
  });

  it('a new question or a longer message is not an answer to the offer', () => {
    for (const text of ['Sí, pero ¿cuánto cuesta el envío?', 'sin gluten', 'Okupas', 'sí, quiero saber cuándo llega mi pedido número 1234 por favor', 'noche']) expect(replyToOffer(text), text).toBeNull();
  });

  it('finds the tapped button id on every channel', () => {
    expect(tappedReplyId({ quickReplyId: 'handoff.yes' })).toBe('handoff.yes');
    expect(tappedReplyId({ interactive: { type: 'button_reply', id: 'handoff.yes', title: 'Sí, con una persona' } })).toBe('handoff.yes');
    expect(tappedReplyId({ callbackQueryId: '1', data: 'handoff.no' })).toBe('handoff.no');
    expect(tappedReplyId({ quickReply: { payload: 'handoff.yes' } })).toBe('handoff.yes');
    expect(tappedReplyId({ rawType: 'text' })).toBeNull();
  });
});
