/** What every admin API handler works with: the running gateway and where this launch keeps its files. */
import type { RunningGateway } from '../gateway/gateway.js';
import type { SecretStore } from '../secrets/secret-store.js';

export interface AdminContext {
  gateway: RunningGateway;
  /** The config file the gateway runs from; absent for the built-in demo. */
  configPath?: string;
  dataDir: string;
  desktop: boolean;
  demo: boolean;
  /** http://127.0.0.1:PORT once the admin server listens. */
  adminUrl(): string;
  adminPort(): number;
  secrets?: () => Promise<SecretStore>;
}
