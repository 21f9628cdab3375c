/**
 * oidc-provider's storage (its Adapter interface) for one identity provider instance. Tokens,
 * codes, sessions, grants and interactions live in memory and end with the process. Dynamically
 * registered clients are also written to the data folder: MCP clients cache their client_id, and
 * a client_id the IdP forgot on restart breaks clients that do not re-register on invalid_client.
 */
import path from 'node:path';

import type { Adapter, AdapterPayload } from 'oidc-provider';

import { readPrivateFile, writePrivateFile } from './private-file.js';

export const CLIENTS_FILE_NAME = 'idp-clients.json';

/** Oldest registrations are dropped past this many, so a client that registers on every start cannot grow the file forever. */
const MAX_PERSISTED_CLIENTS = 500;
const SWEEP_INTERVAL_MS = 60_000;

const GRANT_BOUND_MODELS = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

interface Entry {
  payload: AdapterPayload;
  /** Epoch ms; undefined = no expiry. */
  expiresAt?: number;
}

export class IdpStorage {
  private readonly entries = new Map<string, Entry>();
  private readonly sessionsByUid = new Map<string, string>();
  private readonly grantMembers = new Map<string, Set<string>>();
  private readonly sweepTimer: NodeJS.Timeout;
  private persisting: Promise<void> = Promise.resolve();

  private constructor(private readonly clientsFile: string) {
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  static async open(dataDir: string): Promise<IdpStorage> {
    const storage = new IdpStorage(path.join(dataDir, CLIENTS_FILE_NAME));
    const text = await readPrivateFile(storage.clientsFile);
    if (text !== undefined) {
      let clients: unknown;
      try {
        clients = (JSON.parse(text) as { clients?: unknown }).clients;
      } catch {
        // A damaged registrations file only costs re-registration; never refuse to start over it.
        clients = undefined;
      }
      if (Array.isArray(clients)) {
        for (const client of clients as AdapterPayload[]) {
          if (typeof client?.client_id === 'string') storage.entries.set(`Client:${client.client_id}`, { payload: client });
        }
      }
    }
    return storage;
  }

  adapterFor = (model: string): Adapter => {
    const key = (id: string) => `${model}:${id}`;
    return {
      upsert: async (id, payload, expiresIn) => {
        this.removeIndexes(key(id));
        this.entries.set(key(id), { payload, expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined });
        if (model === 'Session' && typeof payload.uid === 'string') this.sessionsByUid.set(payload.uid, id);
        if (GRANT_BOUND_MODELS.has(model) && payload.grantId) {
          const members = this.grantMembers.get(payload.grantId) ?? new Set<string>();
          members.add(key(id));
          this.grantMembers.set(payload.grantId, members);
        }
        if (model === 'Client') await this.persistClients();
      },
      find: async (id) => this.get(key(id)),
      findByUid: async (uid) => {
        const id = this.sessionsByUid.get(uid);
        return id === undefined ? undefined : this.get(key(id));
      },
      // The device flow is off; nothing is ever stored by user code.
      findByUserCode: async () => undefined,
      consume: async (id) => {
        const payload = this.get(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        this.delete(key(id));
        if (model === 'Client') await this.persistClients();
      },
      revokeByGrantId: async (grantId) => {
        for (const member of this.grantMembers.get(grantId) ?? []) this.delete(member);
        this.grantMembers.delete(grantId);
      },
    };
  };

  /**
   * Revokes every grant that covers a resource `matches` accepts (RFC 8707 indicators), with the
   * codes and tokens issued under it: refreshing then fails with invalid_grant, and opaque access
   * tokens stop introspecting as active. What the gateway's "revoke tokens" fault does here.
   */
  revokeGrants(matches: (resource: string) => boolean): { grants: number; accessTokens: number; refreshTokens: number } {
    const counts = { grants: 0, accessTokens: 0, refreshTokens: 0 };
    for (const [storageKey] of [...this.entries]) {
      if (!storageKey.startsWith('Grant:')) continue;
      const grant = this.get(storageKey);
      const resources = grant?.resources && typeof grant.resources === 'object' ? Object.keys(grant.resources) : [];
      if (!resources.some(matches)) continue;
      const grantId = storageKey.slice('Grant:'.length);
      for (const member of [...(this.grantMembers.get(grantId) ?? [])]) {
        if (member.startsWith('AccessToken:')) counts.accessTokens += 1;
        if (member.startsWith('RefreshToken:') && this.get(member)?.consumed === undefined) counts.refreshTokens += 1;
        this.delete(member);
      }
      this.grantMembers.delete(grantId);
      this.delete(storageKey);
      counts.grants += 1;
    }
    return counts;
  }

  /** Stops the expiry sweep and waits for the last client-file write. */
  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.persisting;
  }

  private get(storageKey: string): AdapterPayload | undefined {
    const entry = this.entries.get(storageKey);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.delete(storageKey);
      return undefined;
    }
    return entry.payload;
  }

  private delete(storageKey: string): void {
    this.removeIndexes(storageKey);
    this.entries.delete(storageKey);
  }

  private removeIndexes(storageKey: string): void {
    const previous = this.entries.get(storageKey)?.payload;
    if (!previous) return;
    if (typeof previous.uid === 'string' && storageKey.startsWith('Session:')) this.sessionsByUid.delete(previous.uid);
    if (previous.grantId) {
      const members = this.grantMembers.get(previous.grantId);
      members?.delete(storageKey);
      if (members?.size === 0) this.grantMembers.delete(previous.grantId);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [storageKey, entry] of this.entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.delete(storageKey);
    }
  }

  private persistClients(): Promise<void> {
    const clients = [...this.entries]
      .filter(([storageKey]) => storageKey.startsWith('Client:'))
      .map(([, entry]) => entry.payload)
      .sort((a, b) => Number(b.client_id_issued_at ?? 0) - Number(a.client_id_issued_at ?? 0));
    for (const dropped of clients.splice(MAX_PERSISTED_CLIENTS)) this.entries.delete(`Client:${String(dropped.client_id)}`);
    const text = `${JSON.stringify({ description: 'Clients registered with the Gatehouse built-in identity provider (RFC 7591). Safe to delete: clients then register again.', clients }, null, 2)}\n`;
    // Serialised, so an older snapshot never overwrites a newer one.
    this.persisting = this.persisting.catch(() => undefined).then(() => writePrivateFile(this.clientsFile, text));
    return this.persisting;
  }
}
