/**
 * The keytar calls (getPassword, setPassword, deletePassword, findCredentials) on
 * @napi-rs/keyring, with one difference from its `keytar.js` entry point: on Linux every entry is
 * pinned to the Secret Service. Unpinned, the library falls back to the kernel keyring (keyutils)
 * when no Secret Service answers — a store that forgets everything at logout or reboot, that
 * findCredentials does not search, and that containers usually refuse ("AccessDenied"). A missing
 * keychain must be reported, not papered over.
 *
 * Found by experiment (2.1.2, Linux): entry calls connect to the session bus named by
 * DBUS_SESSION_BUS_ADDRESS at their first use in a process and keep that connection (a failed
 * first connection stays failed), whereas findCredentials reads the variable on every call. Set the
 * environment before the first use and do not change it.
 */
import { AsyncEntry, findCredentialsAsync, type EntryOptions } from '@napi-rs/keyring';

const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

export interface KeychainCredential {
  account: string;
  password: string;
}

export async function getPassword(service: string, account: string): Promise<string | undefined> {
  return (await new AsyncEntry(service, account, ENTRY_OPTIONS).getPassword()) ?? undefined;
}

export async function setPassword(service: string, account: string, password: string): Promise<void> {
  await new AsyncEntry(service, account, ENTRY_OPTIONS).setPassword(password);
}

/** True when an item was deleted, false when there was none. */
export async function deletePassword(service: string, account: string): Promise<boolean> {
  return new AsyncEntry(service, account, ENTRY_OPTIONS).deletePassword();
}

export async function findCredentials(service: string): Promise<KeychainCredential[]> {
  return findCredentialsAsync(service);
}
