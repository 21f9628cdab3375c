/**
 * A secret store that lives only as long as the process: for runs that must leave nothing behind
 * (the conformance suite's scenarios, a one-off test-client session). Same shape as the keychain
 * store, so the OAuth client code is the same.
 */
import type { SecretRefLike, SecretStoreLike } from './credential-vault.js';

function keyOf(ref: SecretRefLike): string {
  return JSON.stringify([ref.kind, ref.issuer, ref.resource ?? null]);
}

export class EphemeralSecretStore implements SecretStoreLike {
  readonly backend = 'memory' as const;
  private readonly values = new Map<string, { ref: SecretRefLike; value: string }>();

  get(ref: SecretRefLike): Promise<string | undefined> {
    return Promise.resolve(this.values.get(keyOf(ref))?.value);
  }

  set(ref: SecretRefLike, value: string): Promise<void> {
    this.values.set(keyOf(ref), { ref: { kind: ref.kind, issuer: ref.issuer, resource: ref.resource }, value });
    return Promise.resolve();
  }

  delete(ref: SecretRefLike): Promise<boolean> {
    return Promise.resolve(this.values.delete(keyOf(ref)));
  }

  list(): Promise<Array<SecretRefLike & { id: string }>> {
    return Promise.resolve([...this.values].map(([id, { ref }]) => ({ ...ref, id })));
  }
}
