/**
 * Errors the window can cause when it drives the built-in test client (an unknown route, a step
 * after a failure…). They become `AdminError` answers: a code for the window, and a message that
 * names the problem and the fix.
 */
import type { AdminError } from '../../shared/admin-api.js';

export type TestClientErrorCode =
  | 'bad_request'
  | 'unknown_route'
  | 'unknown_user'
  | 'user_not_applicable'
  | 'password_needed'
  | 'unknown_session'
  | 'step_running'
  | 'session_failed'
  | 'session_closed'
  | 'waiting_for_browser'
  | 'no_more_steps'
  | 'not_connected';

const STATUS: Record<TestClientErrorCode, number> = {
  bad_request: 400,
  unknown_route: 404,
  unknown_user: 400,
  user_not_applicable: 400,
  password_needed: 400,
  unknown_session: 404,
  step_running: 409,
  session_failed: 409,
  session_closed: 409,
  waiting_for_browser: 409,
  no_more_steps: 409,
  not_connected: 409,
};

export class TestClientError extends Error {
  override readonly name = 'TestClientError';
  readonly status: number;

  constructor(
    readonly code: TestClientErrorCode,
    message: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }

  toAdminError(): AdminError {
    return { error: this.code, message: this.message };
  }
}
