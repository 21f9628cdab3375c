/**
 * One interface for every kind of upstream (Streamable HTTP, SSE, stdio, REST). The gateway only
 * ever talks to an upstream through this: it forwards requests by method, and receives the
 * upstream's notifications and server→client requests through {@link UpstreamEvents}.
 */
import type { Notification, Progress, Result, ServerCapabilities } from '@modelcontextprotocol/client';

import type { UpstreamConfig } from '../config/schema.js';

export interface ForwardOptions {
  /** Aborts the upstream request (the connector sends notifications/cancelled where the protocol has it). */
  signal?: AbortSignal;
  /** Called for each progress notification the upstream sends for this request. */
  onprogress?: (progress: Progress) => void;
}

export interface UpstreamRequest {
  method: string;
  params?: Record<string, unknown>;
}

export interface UpstreamEvents {
  /** A notification the upstream sent on its own (list_changed, logging, resources/updated…). */
  onNotification(notification: Notification): void;
  /** A server→client request (sampling/createMessage, elicitation/create, roots/list). */
  onRequest(request: UpstreamRequest, signal: AbortSignal): Promise<Result>;
  /** The connection ended; `reason` says why in words a user can act on. */
  onClose(reason: string): void;
}

export interface UpstreamConnection {
  readonly name: string;
  readonly kind: UpstreamConfig['kind'];
  /** What the upstream said it supports at initialize (REST upstreams: tools only). */
  readonly capabilities: ServerCapabilities;
  /** Forwards one request and resolves with the upstream's result unchanged; rejects with a ProtocolError or an UpstreamError. */
  request(request: UpstreamRequest, options?: ForwardOptions): Promise<Result>;
  /** Forwards a client notification (e.g. notifications/roots/list_changed). */
  notify(notification: Notification): Promise<void>;
  close(): Promise<void>;
}
