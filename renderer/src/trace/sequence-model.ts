/**
 * Turns a client connection into the rows of its sequence diagram. Lifelines are the client,
 * Gatehouse, the identity provider and the upstream. An exchange during which Gatehouse called out
 * (to the identity provider for keys, to an upstream for the result) is split around those calls
 * (request, the calls, then the answer) as a sequence diagram nests them; any other exchange is one
 * row holding its request and its answer.
 */
import type { HttpExchangeEvent } from '../../../shared/trace-events.js';
import type { ClientConnection, ExchangeStep, UpstreamRoundTrip } from './group-connections.js';
import { exchangeFailed, mcpItemOf } from './group-connections.js';
import { exchangeLabel, statusLine } from './step-catalog.js';

export type Lifeline = 'client' | 'gatehouse' | 'idp' | 'upstream';

export interface LifelineHead {
  id: Lifeline;
  title: string;
}

/** A client's connection; the gateway's own logins draw a subset, retitled (upstream-login-sequence.ts). */
export const LIFELINES: readonly LifelineHead[] = [
  { id: 'client', title: 'Client' },
  { id: 'gatehouse', title: 'Gatehouse' },
  { id: 'idp', title: 'Identity provider' },
  { id: 'upstream', title: 'Upstream' },
];

export type RowTone = 'ok' | 'expected' | 'error';

/**
 * What the detail pane opens when a row is clicked: the exchange, a call made while serving it, or
 * a step of the gateway's own login to an upstream (`oauth.client`).
 */
export type RowTarget = { kind: 'exchange' | 'oauth'; seq: number } | { kind: 'upstream' | 'backchannel'; exchangeSeq: number; index: number };

export interface SequenceRow {
  key: string;
  /** `pair`: request and answer; `request`/`response`: the halves of a split exchange; `note`: a box on `from`'s lifeline. */
  shape: 'pair' | 'request' | 'response' | 'note';
  from: Lifeline;
  to: Lifeline;
  /** The http.exchange step (a backchannel one too), or `upstream.call`: what tests key on. */
  step: string;
  label?: string;
  returnLabel?: string;
  tone: RowTone;
  fault?: string;
  /** Small facts on the arrow: the signed-in subject, a denial, the browser doing the step. */
  tags: string[];
  target: RowTarget;
  time: number;
}

function serverLifeline(step: ExchangeStep): Lifeline {
  return step.exchange.server === 'idp' ? 'idp' : 'gatehouse';
}

function toneOf(step: ExchangeStep): RowTone {
  if (step.failed) return 'error';
  return step.exchange.status >= 400 ? 'expected' : 'ok';
}

function tagsOf(step: ExchangeStep, connection: ClientConnection): string[] {
  const tags: string[] = [];
  const { exchange } = step;
  if (exchange.userAgent && connection.userAgent && exchange.userAgent !== connection.userAgent) tags.push('browser');
  if (step.auth?.outcome === 'valid' && step.auth.subject) tags.push(step.auth.subject);
  if (step.auth?.outcome === 'rejected' && step.auth.error) tags.push(step.auth.error);
  const denied = step.decisions.filter((d) => d.decision.effect !== 'allow');
  if (denied.length > 0) {
    tags.push(exchange.mcpMethod?.endsWith('/list') ? `${denied.length} hidden` : 'denied');
  }
  return tags;
}

function upstreamRow(step: ExchangeStep, trip: UpstreamRoundTrip, index: number): SequenceRow {
  const call = trip.call;
  const result = trip.result;
  const method = call?.method ?? result?.method ?? '';
  const item = call?.item ?? result?.item;
  const upstream = call?.upstream ?? result?.upstream ?? '';
  let returnLabel: string | undefined;
  let tone: RowTone = 'ok';
  if (result?.error !== undefined) {
    returnLabel = `failed: ${result.error}`;
    tone = 'error';
  } else if (result) {
    returnLabel = `${result.isError ? 'isError' : 'result'} · ${Math.round(result.durationMs)} ms`;
  }
  return {
    key: `u${step.exchange.seq}-${index}`,
    shape: 'pair',
    from: 'gatehouse',
    to: 'upstream',
    step: 'upstream.call',
    label: `${upstream} ${item ? `${method} ${item}` : method}`,
    returnLabel,
    tone,
    fault: step.exchange.fault?.startsWith('upstream') ? step.exchange.fault : undefined,
    tags: [],
    target: { kind: 'upstream', exchangeSeq: step.exchange.seq, index },
    time: call?.time ?? result?.time ?? step.exchange.time,
  };
}

function backchannelRow(step: ExchangeStep, exchange: HttpExchangeEvent, index: number): SequenceRow {
  return {
    key: `b${step.exchange.seq}-${index}`,
    shape: 'pair',
    from: 'gatehouse',
    to: 'idp',
    step: exchange.step,
    label: exchangeLabel(exchange),
    returnLabel: `${statusLine(exchange.status)} · ${Math.round(exchange.durationMs)} ms`,
    tone: exchangeFailed(exchange) ? 'error' : 'ok',
    tags: ['Gatehouse'],
    target: { kind: 'backchannel', exchangeSeq: step.exchange.seq, index },
    time: exchange.time - exchange.durationMs,
  };
}

export function buildSequence(connection: ClientConnection): SequenceRow[] {
  const rows: SequenceRow[] = [];
  for (const step of connection.steps) {
    const { exchange } = step;
    const server = serverLifeline(step);
    const base = {
      step: exchange.step,
      tone: toneOf(step),
      fault: exchange.fault,
      target: { kind: 'exchange', seq: exchange.seq } as const,
    };
    const label = exchangeLabel(exchange, mcpItemOf(exchange));
    const returnLabel = `${statusLine(exchange.status)} · ${Math.round(exchange.durationMs)} ms`;
    const tags = tagsOf(step, connection);
    if (step.upstream.length === 0 && step.backchannel.length === 0) {
      rows.push({ ...base, key: `e${exchange.seq}`, shape: 'pair', from: 'client', to: server, label, returnLabel, tags, time: exchange.time - exchange.durationMs });
      continue;
    }
    rows.push({ ...base, key: `e${exchange.seq}`, shape: 'request', from: 'client', to: server, label, tags, time: exchange.time - exchange.durationMs });
    step.backchannel.forEach((call, index) => rows.push(backchannelRow(step, call, index)));
    step.upstream.forEach((trip, index) => rows.push(upstreamRow(step, trip, index)));
    rows.push({ ...base, key: `r${exchange.seq}`, shape: 'response', from: 'client', to: server, returnLabel, tags: [], time: exchange.time });
  }
  return rows;
}

/** Column index of a lifeline, 0-based, for layout. */
export function lifelineIndex(lifeline: Lifeline, lifelines: readonly LifelineHead[] = LIFELINES): number {
  return lifelines.findIndex((l) => l.id === lifeline);
}
