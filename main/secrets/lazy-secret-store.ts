/**
 * A secret store opened on first use. Gatehouse only touches the keychain when something needs a
 * secret, and a keychain that could not be opened (no Secret Service yet, a locked keyring) is
 * tried again on the next use — each failure carries KeychainUnavailable's message and fix.
 */
import type { SecretRef, SecretStore, StoredSecretRef } from './secret-store.js';

export interface LazySecretStore extends Omit<SecretStore, 'backend'> {
  /** Known once opened. */
  readonly backend: SecretStore['backend'] | 'unopened';
  /** Opens it now (or returns the store already open). */
  open(): Promise<SecretStore>;
}

export function lazySecretStore(openStore: () => Promise<SecretStore>): LazySecretStore {
  let opening: Promise<SecretStore> | undefined;
  let opened: SecretStore | undefined;
  const open = (): Promise<SecretStore> => {
    if (!opening) {
      const attempt = openStore().then((store) => (opened = store));
      opening = attempt;
      attempt.catch(() => {
        if (opening === attempt) opening = undefined;
      });
    }
    return opening;
  };
  return {
    get backend() {
      return opened?.backend ?? 'unopened';
    },
    open,
    get: async (ref: SecretRef) => (await open()).get(ref),
    set: async (ref: SecretRef, value: string) => (await open()).set(ref, value),
    delete: async (ref: SecretRef) => (await open()).delete(ref),
    list: async (): Promise<StoredSecretRef[]> => (await open()).list(),
    getById: async (id: string) => (await open()).getById(id),
    deleteById: async (id: string) => (await open()).deleteById(id),
  };
}
