/**
 * What the browser's network layer saw of a page's requests to the admin API, read through the
 * Chrome DevTools Protocol: the server's real status code (also for answers the page's script is
 * not allowed to read, and for CORS preflights) and why the browser blocked a response. Playwright's
 * own request events hide exactly these, since a blocked fetch never gets a response object.
 */
import type { CDPSession, Page } from 'playwright-core';

export interface AdminExchange {
  method: string;
  url: string;
  /** The server's status; absent when the request never got an answer. */
  status?: number;
  /** Chromium's error, e.g. net::ERR_FAILED (CORS) or net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin (CORP). */
  failure?: string;
  /** The request went out on the wire (Chromium reported the headers it sent). */
  sent: boolean;
  done: boolean;
}

interface RequestSent {
  requestId: string;
  request: { method: string; url: string };
}

export interface AdminTrafficLog {
  /**
   * Resolves once `count` requests the page made to the admin API have finished or failed and
   * every request that went out (CORS preflights included) has its server's status, with every
   * exchange so far in the order sent. Chromium reports the status in an "ExtraInfo" event that may
   * come after the request's failure, so a failure alone does not mean the status is in.
   */
  settled(count: number): Promise<AdminExchange[]>;
  detach(): Promise<void>;
}

export async function logAdminTraffic(page: Page, adminUrl: string): Promise<AdminTrafficLog> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const exchanges = new Map<string, AdminExchange>();
  let waiter: { count: number; resolve: (all: AdminExchange[]) => void } | undefined;

  const finished = () => [...exchanges.values()].filter((exchange) => exchange.done && exchange.method !== 'OPTIONS');
  // A response the browser blocked (CORP) certainly arrived, even if the request's ExtraInfo has not.
  const answerExpected = (exchange: AdminExchange) => exchange.sent || Boolean(exchange.failure?.startsWith('net::ERR_BLOCKED_BY_RESPONSE'));
  const answered = () => [...exchanges.values()].every((exchange) => !answerExpected(exchange) || exchange.status !== undefined);
  const check = () => {
    if (waiter && finished().length >= waiter.count && answered()) {
      waiter.resolve([...exchanges.values()]);
      waiter = undefined;
    }
  };
  // ExtraInfo events may also come before the request's own event: keep them until it does.
  const early = new Map<string, Partial<AdminExchange>>();
  const update = (requestId: string, change: Partial<AdminExchange>) => {
    const exchange = exchanges.get(requestId);
    if (exchange) Object.assign(exchange, change);
    else early.set(requestId, { ...early.get(requestId), ...change });
    check();
  };

  cdp.on('Network.requestWillBeSent', (event: RequestSent) => {
    if (!event.request.url.startsWith(`${adminUrl}/api/`)) return;
    exchanges.set(event.requestId, { method: event.request.method, url: event.request.url, sent: false, done: false, ...early.get(event.requestId) });
    early.delete(event.requestId);
  });
  cdp.on('Network.requestWillBeSentExtraInfo', (event: { requestId: string }) => update(event.requestId, { sent: true }));
  cdp.on('Network.responseReceivedExtraInfo', (event: { requestId: string; statusCode: number }) => update(event.requestId, { status: event.statusCode }));
  cdp.on('Network.loadingFinished', (event: { requestId: string }) => update(event.requestId, { done: true }));
  cdp.on('Network.loadingFailed', (event: { requestId: string; errorText: string }) => update(event.requestId, { failure: event.errorText, done: true }));
  await cdp.send('Network.enable');

  return {
    settled(count) {
      return new Promise((resolve) => {
        waiter = { count, resolve };
        check();
      });
    },
    detach: () => cdp.detach(),
  };
}
