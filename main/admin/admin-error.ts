/**
 * The admin API's one error family. A handler throws an `AdminApiError` (status, code, a message
 * that says what is wrong and how to fix it, field problems); the server turns it, and anything
 * else that escapes, into an `AdminError` body — never a stack trace.
 */
import type { ErrorRequestHandler } from 'express';

import type { AdminError } from '../../shared/admin-api.js';

export class AdminApiError extends Error {
  override readonly name = 'AdminApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: string[],
  ) {
    super(message);
  }

  toBody(): AdminError {
    return { error: this.code, message: this.message, ...(this.problems?.length ? { problems: this.problems } : {}) };
  }
}

export const badRequest = (message: string, problems?: string[]) => new AdminApiError(400, 'bad_request', message, problems);
export const notFound = (message: string) => new AdminApiError(404, 'not_found', message);
export const conflict = (message: string) => new AdminApiError(409, 'conflict', message);

/** express 5 hands rejected promises here too; body-parser errors carry `status` and `type`. */
export const adminErrorHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  if (res.headersSent) {
    res.end();
    return;
  }
  let failure: AdminApiError;
  if (error instanceof AdminApiError) failure = error;
  else if (isBodyParserError(error)) {
    failure =
      error.type === 'entity.too.large'
        ? new AdminApiError(413, 'too_large', 'The request body is larger than the admin API accepts (1 MB)')
        : badRequest(`The request body is not valid JSON: ${error.message}`);
  } else {
    failure = new AdminApiError(500, 'internal', `Gatehouse failed to answer: ${error instanceof Error ? error.message : String(error)}`);
  }
  res.status(failure.status).json(failure.toBody());
};

function isBodyParserError(error: unknown): error is Error & { type: string; status: number } {
  return error instanceof Error && typeof (error as { type?: unknown }).type === 'string' && typeof (error as { status?: unknown }).status === 'number';
}
