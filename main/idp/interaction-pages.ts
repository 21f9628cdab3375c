/**
 * The identity provider's HTML: sign-in, consent and error pages. Plain server-rendered forms, no
 * script; every value from a request or a client registration goes through `escapeHtml`.
 */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Headers for every page: no caching (each page belongs to one interaction), no framing (a
 * consent button must not be clickjacked), nothing loaded from anywhere. No `form-action`:
 * browsers apply it to the redirect that follows a POST, which ends at the client's redirect URI.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/** Who is asking for what: the same block on the sign-in and consent pages. */
export interface RequestSummary {
  clientName: string;
  clientId: string;
  /** software_id / software_version when the client sent them. */
  software?: string;
  resources: string[];
  scopes: string[];
  redirectUri?: string;
}

const STYLE = `
  :root { color-scheme: light dark; --accent: #2f6fde; --muted: #6b7280; --card: #fff; --bg: #f3f4f6; --border: #d1d5db; --error: #b42318; }
  @media (prefers-color-scheme: dark) { :root { --card: #1f2430; --bg: #12151c; --border: #374151; --muted: #9ca3af; --error: #f97066; } }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: var(--bg);
         font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  main { width: min(440px, calc(100vw - 32px)); background: var(--card); border: 1px solid var(--border);
         border-radius: 12px; padding: 28px; box-shadow: 0 8px 24px rgb(0 0 0 / 8%); }
  header { display: flex; align-items: center; gap: 10px; margin-bottom: 18px; }
  header .mark { width: 30px; height: 30px; border-radius: 8px; background: var(--accent); color: #fff;
                 display: grid; place-items: center; font-weight: 700; }
  header .title { font-weight: 600; }
  header .sub { color: var(--muted); font-size: 13px; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  .request { border: 1px solid var(--border); border-radius: 8px; padding: 12px 14px; margin: 0 0 18px; font-size: 14px; }
  .request dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; margin-top: 8px; }
  .request dt:first-child { margin-top: 0; }
  .request dd { margin: 2px 0 0; overflow-wrap: anywhere; }
  code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; }
  .chip { display: inline-block; border: 1px solid var(--border); border-radius: 999px; padding: 0 8px; margin: 2px 4px 2px 0; font-size: 13px; }
  .none { color: var(--muted); }
  label { display: block; font-weight: 500; margin: 12px 0 4px; }
  input[type=text], input[type=password] { width: 100%; padding: 9px 11px; border: 1px solid var(--border);
         border-radius: 8px; font: inherit; background: transparent; color: inherit; }
  input:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
  /* The primary button comes first in the markup (Enter submits the first one) and shows last. */
  .actions { display: flex; flex-direction: row-reverse; gap: 10px; margin-top: 20px; }
  button { flex: 1; padding: 10px; border-radius: 8px; font: inherit; font-weight: 600; cursor: pointer;
           border: 1px solid var(--border); background: transparent; color: inherit; }
  button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
  .error { color: var(--error); border: 1px solid currentColor; border-radius: 8px; padding: 8px 12px; margin: 0 0 14px; }
  .hint { color: var(--muted); font-size: 13px; margin-top: 16px; }
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Gatehouse</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header><div class="mark">G</div><div><div class="title">Gatehouse</div><div class="sub">Built-in development identity provider</div></div></header>
${body}
</main>
</body>
</html>
`;
}

function list(items: string[], empty: string): string {
  if (items.length === 0) return `<span class="none">${escapeHtml(empty)}</span>`;
  return items.map((item) => `<span class="chip"><code>${escapeHtml(item)}</code></span>`).join('');
}

function requestBlock(request: RequestSummary): string {
  const software = request.software ? ` <span class="none">(${escapeHtml(request.software)})</span>` : '';
  return `<dl class="request">
<dt>Application</dt><dd><strong>${escapeHtml(request.clientName)}</strong>${software}<br><code class="none">${escapeHtml(request.clientId)}</code></dd>
<dt>Wants access to</dt><dd>${request.resources.length ? request.resources.map((r) => `<code>${escapeHtml(r)}</code>`).join('<br>') : '<span class="none">no particular resource</span>'}</dd>
<dt>Scopes</dt><dd>${list(request.scopes, 'none requested')}</dd>
${request.redirectUri ? `<dt>Returns to</dt><dd><code>${escapeHtml(request.redirectUri)}</code></dd>` : ''}
</dl>`;
}

export interface LoginPage {
  uid: string;
  request: RequestSummary;
  username?: string;
  error?: string;
  /** Usernames to remind a developer of (this is a development IdP). */
  knownUsers: string[];
}

export function renderLoginPage(page: LoginPage): string {
  const uid = encodeURIComponent(page.uid);
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
${page.error ? `<p class="error" role="alert">${escapeHtml(page.error)}</p>` : ''}
${requestBlock(page.request)}
<form method="post" action="/interaction/${uid}/login" data-step="login" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocapitalize="none" spellcheck="false" required${page.username ? '' : ' autofocus'} value="${escapeHtml(page.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" required${page.username ? ' autofocus' : ''}>
<div class="actions">
<button type="submit" name="action" value="login" class="primary">Sign in</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</div>
</form>
${page.knownUsers.length ? `<p class="hint">Accounts on this identity provider: ${page.knownUsers.map((u) => `<code>${escapeHtml(u)}</code>`).join(', ')} (set in <code>idp.users</code>).</p>` : ''}`,
  );
}

export interface ConsentPage {
  uid: string;
  request: RequestSummary;
  username: string;
  displayName?: string;
  groups: string[];
}

export function renderConsentPage(page: ConsentPage): string {
  const uid = encodeURIComponent(page.uid);
  const who = page.displayName ? `${escapeHtml(page.displayName)} (<code>${escapeHtml(page.username)}</code>)` : `<code>${escapeHtml(page.username)}</code>`;
  return layout(
    'Allow access?',
    `<h1>Allow access?</h1>
<p>Signed in as ${who}. Groups: ${list(page.groups, 'none')}</p>
${requestBlock(page.request)}
<p><strong>${escapeHtml(page.request.clientName)}</strong> will act as you on the resources above until you revoke its tokens or they expire.</p>
<form method="post" action="/interaction/${uid}/consent" data-step="consent">
<div class="actions">
<button type="submit" name="decision" value="approve" class="primary" autofocus>Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</div>
</form>`,
  );
}

export function renderErrorPage(title: string, message: string, hint?: string): string {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p class="error" role="alert">${escapeHtml(message)}</p>
${hint ? `<p class="hint">${escapeHtml(hint)}</p>` : ''}`,
  );
}
