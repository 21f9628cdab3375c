/**
 * Gatehouse in a process of its own, as a user runs it: `node --import tsx gatehouse-process.ts
 * CONFIG_JSON` starts the gateway with that config (validated by the real schema) and prints
 * `{"ready": {"urls": {routePath: url}}}`. SIGTERM closes it properly — its stdio servers too.
 */
import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { startGateway } from '../../main/gateway/gateway.js';

const config = gatehouseConfigSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const gateway = await startGateway({ config });
const urls = Object.fromEntries(config.routes.map((route) => [route.path, gateway.url(route.path)]));
process.stdout.write(`${JSON.stringify({ ready: { urls } })}\n`);

process.once('SIGTERM', () => {
  void gateway.close().finally(() => process.exit(0));
});
