/**
 * What `gatehouse demo` and the app's first launch run: the sample shop API and the demo config
 * that puts it (and server-everything) behind the built-in identity provider. One place, so the
 * command line and the window start the same demo.
 */
import type { GatehouseConfig } from '../config/schema.js';
import { demoConfig } from './demo-config.js';
import { startShopApi } from './shop-api.js';

export interface DemoOptions {
  /** The gateway's port; 0 picks free ports for the gateway and the identity provider. Default 8400. */
  port?: number;
  /** Protect the routes with the built-in identity provider. Default true. */
  auth?: boolean;
}

export interface StartedDemo {
  config: GatehouseConfig;
  /** The shop API's base URL (the REST backend of /ecommerce-mcp). */
  shopUrl: string;
  close(): Promise<void>;
}

export async function startDemo(options: DemoOptions = {}): Promise<StartedDemo> {
  const port = options.port ?? 8400;
  const shop = await startShopApi();
  const config = demoConfig({ shopUrl: shop.url, port, auth: options.auth ?? true, idpPort: port === 0 ? 0 : port + 1 });
  return { config, shopUrl: shop.url, close: () => shop.close() };
}
