import { readFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';

import { CONFIG_DOCS_PATH, withReference } from '../../main/config/config-docs.js';
import { loadConfig } from '../../main/config/load-config.js';

describe('docs/configuration.md', () => {
  it('carries the reference generated from the schema (run `npm run docs:config` after changing it)', async () => {
    const page = await readFile(CONFIG_DOCS_PATH, 'utf8');
    expect(page).toBe(withReference(page));
  });

  it('documents every key of the schema', async () => {
    const page = await readFile(CONFIG_DOCS_PATH, 'utf8');
    for (const key of ['max_body_bytes', 'allowed_hosts', 'allowed_origins', 'base_url', 'timeout_ms', 'command', 'cwd', 'annotations']) {
      expect(page).toContain(`\`${key}\``);
    }
  });

  it('its complete example is a valid config', async () => {
    const config = await loadConfig(new URL('../../docs/examples/gatehouse.yaml', import.meta.url).pathname, {});
    expect(new Set(config.routes.flatMap((r) => r.upstreams.map((u) => u.kind)))).toEqual(new Set(['stdio', 'http', 'sse', 'rest']));
  });
});
