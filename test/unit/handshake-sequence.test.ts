/**
 * The sequence diagram's rows (renderer/src/trace/sequence-model.ts) and the raw event list's
 * filter and summaries: what the handshake screen draws for a connection and what it lists.
 */
import { describe, expect, it } from 'vitest';

import type { TraceEvent } from '../../shared/trace-events.js';
import { filterEvents, facetsOf } from '../../renderer/src/trace/event-filter.js';
import { eventTone, summarizeEvent } from '../../renderer/src/trace/event-summary.js';
import { groupConnections } from '../../renderer/src/trace/group-connections.js';
import { buildSequence } from '../../renderer/src/trace/sequence-model.js';
import { syntheticTrace } from '../../renderer/src/trace/synthetic-trace.js';

describe('sequence diagram rows', () => {
  const [connection] = groupConnections(syntheticTrace(60));
  const rows = buildSequence(connection!);

  it('draws the whole handshake in order: challenge, metadata, registration, login, token, then MCP', () => {
    const forward = rows.filter((row) => row.shape !== 'response').map((row) => row.step);
    expect(forward.slice(0, 11)).toEqual([
      'challenge',
      'resource-metadata',
      'authorization-server-metadata',
      'registration',
      'authorize',
      'login',
      'token',
      'mcp',
      // Gatehouse fetches the IdP's keys to validate the first token, inside that request.
      'jwks',
      'mcp',
      'mcp',
    ]);
    expect(forward).toContain('upstream.call');
  });

  it('sends gateway steps to Gatehouse, IdP steps to the identity provider and upstream calls from Gatehouse to the upstream', () => {
    const byStep = (step: string) => rows.find((row) => row.step === step)!;
    expect([byStep('challenge').from, byStep('challenge').to]).toEqual(['client', 'gatehouse']);
    expect([byStep('token').from, byStep('token').to]).toEqual(['client', 'idp']);
    expect([byStep('upstream.call').from, byStep('upstream.call').to]).toEqual(['gatehouse', 'upstream']);
  });

  it('marks the first 401 as expected, not failed, and tags the browser doing the login', () => {
    const challenge = rows.find((row) => row.step === 'challenge')!;
    expect(challenge.tone).toBe('expected');
    expect(challenge.returnLabel).toMatch(/^401 Unauthorized/);
    expect(rows.find((row) => row.step === 'authorize')!.tags).toContain('browser');
  });

  it('nests Gatehouse fetching the signing keys inside the first MCP request', () => {
    const index = rows.findIndex((row) => row.step === 'jwks');
    expect(index).toBeGreaterThan(0);
    expect([rows[index]!.from, rows[index]!.to]).toEqual(['gatehouse', 'idp']);
    expect(rows[index - 1]).toMatchObject({ shape: 'request', step: 'mcp', label: 'initialize' });
    expect(rows[index + 1]).toMatchObject({ shape: 'response', step: 'mcp' });
  });

  it('splits a call that reached the upstream around it: request, upstream round trip, answer', () => {
    const index = rows.findIndex((row) => row.step === 'upstream.call');
    expect(rows[index - 1]!.shape).toBe('request');
    expect(rows[index - 1]!.label).toMatch(/^tools\/call /);
    expect(rows[index + 1]!.shape).toBe('response');
    expect(rows[index + 1]!.target).toEqual(rows[index - 1]!.target);
  });

  it('tags a denied call and a filtered list', () => {
    const tagged = rows.filter((row) => row.tags.includes('denied') || row.tags.some((tag) => tag.endsWith('hidden')));
    expect(tagged.map((row) => row.label)).toEqual(expect.arrayContaining(['tools/list']));
  });
});

describe('raw event list', () => {
  const events = syntheticTrace(2_000);

  it('filters by type, route and text together', () => {
    const calls = filterEvents(events, { type: 'upstream.call', route: '/ecommerce-mcp', text: 'get-order' });
    expect(calls.length).toBeGreaterThan(0);
    for (const event of calls) {
      expect(event.type).toBe('upstream.call');
      expect(event.route).toBe('/ecommerce-mcp');
      expect(JSON.stringify(event)).toContain('get-order');
    }
    expect(filterEvents(events, { type: '', route: '', text: '' })).toBe(events);
    expect(filterEvents(events, { type: '', route: '', text: 'GET-ORDER' }).length).toBeGreaterThan(calls.length);
  });

  it('lists the types and routes present for the pickers', () => {
    const facets = facetsOf(events);
    expect(facets.routes).toEqual(['/ecommerce-mcp', '/everything-mcp']);
    expect(facets.types).toEqual(expect.arrayContaining(['http.exchange', 'policy.decision', 'upstream.call', 'auth.token']));
  });

  it('summarizes each event in one line and colours failures', () => {
    const failed: TraceEvent = { type: 'upstream.result', seq: 1, time: 0, route: '/r', upstream: 'shop', method: 'tools/call', item: 'x', durationMs: 12.4, error: 'shop exited with code 1' };
    expect(summarizeEvent(failed)).toBe('← shop tools/call x 12 ms — shop exited with code 1');
    expect(eventTone(failed)).toBe('error');
    const challenge = events.find((e) => e.type === 'http.exchange' && e.step === 'challenge')!;
    expect(summarizeEvent(challenge)).toMatch(/^POST \/\w+-mcp → 401 initialize \(challenge\)$/);
    expect(eventTone(challenge)).toBe('ok');
  });
});
