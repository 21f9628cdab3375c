/**
 * Reading the built-in identity provider's sign-in and consent pages the way a browser would: a
 * cookie jar for its interaction session, and the form on each page (its step, where it posts,
 * its hidden fields). Used by the test client's automated demo sign-in, and by the tests.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = /;\s*(max-age=0|expires=Thu, 01 Jan 1970)/i.test(header);
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Path and domain are ignored: every cookie goes to the one IdP origin a jar talks to. */
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

function decodeHtml(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39);/g, (_m, entity: string) => ENTITIES[entity] ?? _m);
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match ? decodeHtml(match[1]!) : undefined;
}

export interface PageForm {
  step: string;
  action: string;
  fields: Map<string, string>;
}

export function parseForm(html: string): PageForm | undefined {
  const formTag = /<form\b[^>]*>/i.exec(html);
  if (!formTag) return undefined;
  const fields = new Map<string, string>();
  const formBody = html.slice(formTag.index, html.indexOf('</form>', formTag.index));
  for (const input of formBody.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attribute(input, 'name');
    if (name && attribute(input, 'type') !== 'submit') fields.set(name, attribute(input, 'value') ?? '');
  }
  return { step: attribute(formTag[0], 'data-step') ?? 'unknown', action: attribute(formTag[0], 'action') ?? '', fields };
}

export function pageError(html: string): string | undefined {
  const match = /<p class="error" role="alert">([\s\S]*?)<\/p>/i.exec(html);
  return match ? decodeHtml(match[1]!.trim()) : undefined;
}
