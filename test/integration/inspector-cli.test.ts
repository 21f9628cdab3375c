/**
 * The MCP Inspector CLI (a real, widely used client built on the SDK v2) against the demo routes.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { demoConfig } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';

const INSPECTOR = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js', import.meta.url));

function inspector(url: string, ...args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [INSPECTOR, '--cli', url, '--transport', 'http', ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`inspector failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

describe('MCP Inspector CLI through the gateway', () => {
  let shop: RunningShopApi;
  let gateway: RunningGateway;

  beforeAll(async () => {
    shop = await startShopApi();
    gateway = await startGateway({ config: demoConfig({ shopUrl: shop.url, port: 0 }) });
  });

  afterAll(async () => {
    await gateway?.close();
    await shop?.close();
  });

  it('lists the shop tools with their annotations', async () => {
    const result = (await inspector(gateway.url('/ecommerce-mcp'), '--method', 'tools/list')) as { tools: Array<{ name: string; annotations?: Record<string, unknown> }> };
    expect(result.tools.map((t) => t.name)).toEqual([
      'list-orders', 'get-order', 'cancel-order', 'list-inventory', 'check-inventory', 'restock-item', 'get-customer', 'update-customer-contact',
    ]);
    expect(result.tools.find((t) => t.name === 'cancel-order')!.annotations).toMatchObject({ destructiveHint: true });
  });

  it('calls a REST tool and gets structured content', async () => {
    const result = (await inspector(gateway.url('/ecommerce-mcp'), '--method', 'tools/call', '--tool-name', 'check-inventory', '--tool-arg', 'sku=TEE-ORG-M')) as {
      structuredContent?: { sku?: string };
    };
    expect(result.structuredContent?.sku).toBe('TEE-ORG-M');
  });

  it('calls server-everything over stdio', async () => {
    const result = await inspector(gateway.url('/everything'), '--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'message=from inspector');
    expect(JSON.stringify(result)).toContain('Echo: from inspector');
  });
});
