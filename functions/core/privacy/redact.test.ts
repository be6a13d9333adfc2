import { describe, expect, it } from 'vitest';
import { findPii, luhnValid, redact } from './redact';

describe('redact', () => {
  it('masks emails, phones, cards and IBANs in one message, keeping the rest as written', () => {
    const { text, found } = redact('Soy Ana (ana@gmail.com, 612 345 678). Tarjeta 4111 1111 1111 1111, IBAN ES91 2100 0418 4502 0005 1332.');
    expect(text).toBe('Soy Ana ([email], [phone]). Tarjeta [card], IBAN [iban].');
    expect(found.map((f) => f.kind)).toEqual(['email', 'phone', 'card', 'iban']);
  });

  it('keeps numbers that only look like personal data', () => {
    for (const text of [
      'Mi pedido 600 123 456 está retrasado',
      'Invoice INV-2025-000871 is for 3 items.',
      'La tarjeta 4111 1111 1111 1112 me da error',
      'Mi IBAN ES91 2100 0418 4502 0005 1333 no funciona',
      'Pagué 1.234,56 € el 12/03/2025',
      'Mi DNI es 12345678Z',
    ]) {
      expect(findPii(text), text).toEqual([]);
    }
  });

  it('finds an IBAN typed in lowercase or without spaces, followed by more words', () => {
    expect(redact('el iban es es91 2100 0418 4502 0005 1332 gracias').text).toBe('el iban es [iban] gracias');
    expect(redact('Reembolsadme en ES9121000418450200051332 por favor.').text).toBe('Reembolsadme en [iban] por favor.');
  });

  it('checks cards with Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('0')).toBe(false);
  });

  it('leaves text without personal data untouched', () => {
    expect(redact('¿Abrís el sábado?')).toEqual({ text: '¿Abrís el sábado?', found: [] });
  });
});
