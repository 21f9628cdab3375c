/**
 * The `oauth.client` trace events of one upstream's OAuth client: one per step, drawn by the
 * window like the inbound handshake. Details are words, never a secret (tokens are shortened).
 */
import type { OAuthClientStepEvent } from '../../../shared/trace-events.js';
import type { TraceBus } from '../../trace/trace-bus.js';

export type OAuthClientStep = OAuthClientStepEvent['step'];

export class OAuthTrace {
  constructor(
    private readonly bus: TraceBus | undefined,
    private readonly upstream: string,
    private readonly route: string | undefined,
    private readonly grant?: 'client_credentials',
  ) {}

  ok(step: OAuthClientStep, detail: string, where: { issuer?: string; resource?: string } = {}): void {
    this.emit(step, 'ok', detail, where);
  }

  error(step: OAuthClientStep, detail: string, where: { issuer?: string; resource?: string } = {}): void {
    this.emit(step, 'error', detail, where);
  }

  /** The upstream answered 401: a login starts (see OAuthClientStepEvent.challenge). */
  challenge(detail: string, where: { resource?: string } = {}): void {
    this.emit('authorize', 'error', detail, { ...where, challenge: true });
  }

  private emit(step: OAuthClientStep, outcome: 'ok' | 'error', detail: string, where: { issuer?: string; resource?: string; challenge?: true }): void {
    this.bus?.emit({ type: 'oauth.client', route: this.route, upstream: this.upstream, step, outcome, detail: detail.slice(0, 1_000), ...where, ...(this.grant ? { grant: this.grant } : {}) });
  }
}
