/**
 * GET /api/keychain, POST /api/keychain/reveal {id}, DELETE /api/keychain?id= — the secrets of
 * Gatehouse's own OAuth client (tokens and client registrations for secured upstreams). The list
 * shows each secret shortened (head…tail); only an explicit reveal returns one whole, for the
 * window to show once.
 */
import express, { type Router } from 'express';

import type { KeychainEntry } from '../../shared/admin-api.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { shorten } from '../trace/redact.js';
import type { AdminContext } from './admin-context.js';
import { AdminApiError, badRequest, notFound } from './admin-error.js';

/** The store, or a 503 that says why the keychain cannot be used (and how to fix it). */
export async function openStore(context: AdminContext): Promise<SecretStore> {
  if (!context.secrets) throw new AdminApiError(503, 'secrets_unavailable', 'This launch of Gatehouse has no secret store (it keeps no upstream credentials)');
  try {
    return await context.secrets();
  } catch (error) {
    throw new AdminApiError(503, 'secrets_unavailable', error instanceof Error ? error.message : String(error));
  }
}

/** What a stored value shows: the access token or client secret, shortened, and when it expires. */
function describe(value: string | undefined): Pick<KeychainEntry, 'preview' | 'expiresAt'> {
  if (value === undefined) return { preview: '(gone)' };
  try {
    const parsed = JSON.parse(value) as Record<string, unknown>;
    const secret = [parsed.access_token, parsed.client_secret, parsed.refresh_token, parsed.client_id].find((v): v is string => typeof v === 'string' && v !== '');
    const expiresAt = typeof parsed.expires_at === 'number' ? parsed.expires_at : undefined;
    return { preview: secret ? shorten(secret) : '…', ...(expiresAt ? { expiresAt } : {}) };
  } catch {
    return { preview: shorten(value) };
  }
}

function idParam(value: unknown): string {
  if (typeof value !== 'string' || !value) throw badRequest('Name the entry: id=<id from GET /api/keychain>');
  return value;
}

export function keychainRouter(context: AdminContext): Router {
  const router = express.Router();

  router.get('/keychain', async (_req, res) => {
    const store = await openStore(context);
    const refs = await store.list();
    const entries: KeychainEntry[] = [];
    for (const ref of refs) {
      entries.push({ id: ref.id, kind: ref.kind, issuer: ref.issuer, ...(ref.resource ? { resource: ref.resource } : {}), ...describe(await store.getById(ref.id)) });
    }
    res.json(entries);
  });

  router.post('/keychain/reveal', async (req, res) => {
    const id = idParam((req.body as { id?: unknown } | undefined)?.id);
    const value = await (await openStore(context)).getById(id);
    if (value === undefined) throw notFound(`No keychain entry ${id}; it may have been deleted — reload the list`);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ value });
  });

  router.delete('/keychain', async (req, res) => {
    const id = idParam(req.query.id);
    if (!(await (await openStore(context)).deleteById(id))) throw notFound(`No keychain entry ${id}; it may have been deleted already`);
    res.json({ deleted: true });
  });

  return router;
}
