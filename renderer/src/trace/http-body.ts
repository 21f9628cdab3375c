/**
 * How the detail pane shows a (redacted) HTTP body: JSON pretty-printed, form posts as a table,
 * Server-Sent Events as their JSON messages, anything else as text.
 */

export type ShownBody =
  | { kind: 'empty' }
  | { kind: 'json'; text: string }
  | { kind: 'form'; fields: Array<[string, string]> }
  | { kind: 'sse'; messages: string[] }
  | { kind: 'text'; text: string };

/** A header's value, whatever case the emitter wrote its name in. */
export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function prettyJson(text: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
}

export function showBody(body: string | undefined, contentType: string | undefined): ShownBody {
  if (body === undefined || body === '') return { kind: 'empty' };
  const type = (contentType ?? '').toLowerCase();
  const trimmed = body.trimStart();
  if (type.includes('json') || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const text = prettyJson(body);
    if (text !== undefined) return { kind: 'json', text };
  }
  if (type.includes('text/event-stream') || /^(event|data|id):/m.test(trimmed.slice(0, 200))) {
    const messages = body
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .map((data) => prettyJson(data) ?? data);
    if (messages.length > 0) return { kind: 'sse', messages };
  }
  if (type.includes('application/x-www-form-urlencoded') || (/^[\w.-]+=\S*$/.test(trimmed) && !type.includes('html'))) {
    return { kind: 'form', fields: [...new URLSearchParams(body).entries()] };
  }
  return { kind: 'text', text: body };
}

/** Query parameters of a URL (the authorize request carries its whole meaning there). */
export function queryOf(url: string): Array<[string, string]> {
  try {
    return [...new URL(url).searchParams.entries()];
  } catch {
    return [];
  }
}
