/**
 * What the handshake screen lists: the connections clients make to Gatehouse and the logins
 * Gatehouse itself makes to secured upstreams, in one list ordered by their first event.
 */
import type { TraceEvent } from '../../../shared/trace-events.js';
import { connectionTitle, groupConnections, type ClientConnection } from './group-connections.js';
import { groupUpstreamLogins, upstreamLoginTitle, type UpstreamLogin } from './upstream-logins.js';

export type Handshake = ClientConnection | UpstreamLogin;

export function isUpstreamLogin(handshake: Handshake): handshake is UpstreamLogin {
  return 'kind' in handshake && handshake.kind === 'upstream-login';
}

/** Client connections and the gateway's own logins, oldest first. */
export function groupHandshakes(events: readonly TraceEvent[]): Handshake[] {
  const logins = groupUpstreamLogins(events);
  const connections = groupConnections(events);
  if (logins.length === 0) return connections;
  return [...connections, ...logins].sort((a, b) => a.firstSeq - b.firstSeq);
}

export function handshakeTitle(handshake: Handshake): string {
  return isUpstreamLogin(handshake) ? upstreamLoginTitle(handshake) : connectionTitle(handshake);
}

/** The handshake a selection points at, following a client connection's merges. */
export function findHandshake(handshakes: readonly Handshake[], id: string | undefined): Handshake | undefined {
  if (id === undefined) return undefined;
  return handshakes.find((handshake) => handshake.id === id || (!isUpstreamLogin(handshake) && handshake.aliases.includes(id)));
}

/** The login flow holding an `oauth.client` step, for "show in diagram" from the raw event list. */
export function loginOfStep(handshakes: readonly Handshake[], seq: number): UpstreamLogin | undefined {
  return handshakes.find((handshake): handshake is UpstreamLogin => isUpstreamLogin(handshake) && handshake.steps.some((step) => step.event.seq === seq));
}
