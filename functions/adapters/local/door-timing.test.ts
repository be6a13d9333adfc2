import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatRefusalTimes, noteAccepted, noteRefusal, refusalTimes } from './door-timing';

describe('door timing: how fast the server itself refused', () => {
  it('counts each refusal from its arrival and from its connection, and starts a new window on reset', () => {
    refusalTimes({ reset: true });
    const socket = new Socket();
    noteAccepted(socket);
    const arrived = performance.now();
    noteRefusal(socket, arrived);
    // A socket the server never saw accepted (tests that inject requests) counts from arrival.
    noteRefusal(new Socket(), arrived);
    const times = refusalTimes({ reset: true });
    expect(times.count).toBe(2);
    expect(times.sinceAccept.maxMs).toBeGreaterThanOrEqual(times.decide.maxMs);
    expect(times.decide.p50Ms).toBeGreaterThanOrEqual(0);
    expect(formatRefusalTimes(times)).toContain('server-side refusal time (2)');
    expect(refusalTimes().count).toBe(0);
    expect(formatRefusalTimes(refusalTimes())).toBe('server-side refusal time: no refusals');
  });
});
