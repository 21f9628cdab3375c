import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ConfigError } from '../../main/config/config-error.js';
import { loadConfig, parseConfig } from '../../main/config/load-config.js';
import { saveConfig } from '../../main/config/save-config.js';
import { watchConfig } from '../../main/config/watch-config.js';

const GOOD = `listen:
  port: 0
routes:
  - path: /github
    upstreams:
      - name: gh
        kind: http
        url: \${GH_URL}
        headers:
          Authorization: Bearer \${GH_TOKEN:-none}
`;

function problemsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('parsing and validation', () => {
  it('expands ${VAR}, ${VAR:-default} and decK ${{ env "VAR" }} in values, and applies defaults', () => {
    const config = parseConfig(GOOD, 'g.yaml', { GH_URL: 'http://127.0.0.1:9/mcp' });
    const upstream = config.routes[0]!.upstreams[0]!;
    expect(upstream).toMatchObject({ url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer none' }, timeout_ms: 60_000 });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 0, max_body_bytes: 4 * 1024 * 1024 });
    expect(config.routes[0]!.prefix).toBe('conditional');
    const deck = parseConfig(GOOD.replace('${GH_URL}', '${{ env "DECK_URL" }}'), 'g.yaml', { DECK_URL: 'http://127.0.0.1:7/mcp' });
    expect(deck.routes[0]!.upstreams[0]).toMatchObject({ url: 'http://127.0.0.1:7/mcp' });
  });

  it('names the missing environment variable with its line and field', () => {
    const [problem] = problemsOf(() => parseConfig(GOOD, 'g.yaml', {}));
    expect(problem).toMatchObject({ file: 'g.yaml', line: 8, field: 'routes[0].upstreams[0].url' });
    expect(problem!.message).toContain('GH_URL is not set');
  });

  it('rejects unknown keys at their line, and reports every problem at once', () => {
    const text = `routes:
  - path: /a
    upstreams:
      - name: one
        kind: http
        url: not a url
        retries: 3
  - path: b
    upstreams: []
`;
    const problems = problemsOf(() => parseConfig(text, 'bad.yaml', {}));
    const byField = Object.fromEntries(problems.map((p) => [p.field, p]));
    expect(byField['routes[0].upstreams[0]']).toMatchObject({ line: 7, message: expect.stringContaining('unknown key "retries"') });
    expect(byField['routes[0].upstreams[0].url']).toMatchObject({ line: 6 });
    expect(byField['routes[1].path']).toMatchObject({ line: 8 });
    expect(byField['routes[1].upstreams']).toMatchObject({ line: 9 });
    expect(problems.length).toBeGreaterThanOrEqual(4);
  });

  it('explains an unknown upstream kind', () => {
    const problems = problemsOf(() => parseConfig('routes:\n  - path: /a\n    upstreams:\n      - name: x\n        kind: grpc\n', 'k.yaml', {}));
    expect(problems[0]!.message).toMatch(/expected one of http, sse, stdio, rest/);
  });

  it('reports YAML syntax errors with their position', () => {
    const problems = problemsOf(() => parseConfig('routes:\n  - path: /a\n    upstreams: [\n', 's.yaml', {}));
    expect(problems[0]!.message).toMatch(/YAML syntax error/);
    expect(problems[0]!.line).toBeGreaterThan(0);
  });

  it('refuses duplicate route paths and upstream names', () => {
    const text = `routes:
  - path: /a
    upstreams:
      - {name: x, kind: http, url: "http://127.0.0.1:1/mcp"}
      - {name: x, kind: sse, url: "http://127.0.0.1:1/sse"}
  - path: /a
    upstreams:
      - {name: y, kind: http, url: "http://127.0.0.1:1/mcp"}
`;
    const messages = problemsOf(() => parseConfig(text, 'd.yaml', {})).map((p) => p.message);
    expect(messages.join('\n')).toMatch(/route path \/a is already used by routes\[0\]/);
    expect(messages.join('\n')).toMatch(/upstream name "x" is already used/);
  });

  it("claim_to_header may not set the gateway's own headers (a claim never replaces an upstream credential)", () => {
    const text = `idp: builtin\nroutes:\n  - path: /a\n    auth: {issuer: builtin, scopes_supported: [x], claim_to_header: {Authorization: sub}}\n    upstreams:\n      - {name: x, kind: http, url: "http://127.0.0.1:1/mcp"}\n`;
    const messages = problemsOf(() => parseConfig(text, 'd.yaml', {})).map((p) => p.message);
    expect(messages.join('\n')).toMatch(/Authorization is the gateway's own header/);
  });

  it('a secured upstream with a client secret must name its issuer, so the secret never goes to another server', () => {
    const upstream = (auth: string) => `routes:\n  - path: /a\n    upstreams:\n      - {name: x, kind: http, url: "https://mcp.example/mcp", auth: ${auth}}\n`;
    const messages = problemsOf(() => parseConfig(upstream('{type: oauth, client_id: c, client_secret: s}'), 'd.yaml', {})).map((p) => p.message);
    expect(messages.join('\n')).toMatch(/upstream x has a client secret or key but no issuer — add auth.issuer/);
    expect(() => parseConfig(upstream('{type: oauth, issuer: "https://idp.example", client_id: c, client_secret: s}'), 'd.yaml', {})).not.toThrow();
    expect(() => parseConfig(upstream('{type: oauth}'), 'd.yaml', {})).not.toThrow();
  });

  it('with prefix "never", a tool declared by two REST upstreams is an error naming both', () => {
    const tool = '{name: get-order, method: GET, path: "/orders/{id}", parameters: [{name: id, in: path}]}';
    const text = `routes:
  - path: /shop
    prefix: never
    upstreams:
      - {name: eu, kind: rest, base_url: "http://127.0.0.1:1", tools: [${tool}]}
      - {name: us, kind: rest, base_url: "http://127.0.0.1:2", tools: [${tool}]}
`;
    const [problem] = problemsOf(() => parseConfig(text, 'n.yaml', {}));
    expect(problem).toMatchObject({ line: 3, field: 'routes[0].prefix' });
    expect(problem!.message).toContain('"eu" and "us"');
  });

  it('says when the file does not exist', async () => {
    await expect(loadConfig('/nonexistent/gatehouse.yaml')).rejects.toThrow(/file not found/);
  });
});

describe('saving and reloading', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves atomically: the result parses back and no temp file is left', async () => {
    const file = path.join(dir, 'saved.yaml');
    const config = parseConfig(GOOD, 'g.yaml', { GH_URL: 'http://127.0.0.1:9/mcp' });
    await saveConfig(file, config);
    expect(await loadConfig(file)).toEqual(config);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await readFile(file, 'utf8')).toContain('/github');
  });

  it('reloads a valid edit, and keeps the last good config on an invalid one', async () => {
    const file = path.join(dir, 'watched.yaml');
    const base = 'routes:\n  - path: /a\n    upstreams:\n      - {name: x, kind: http, url: "http://127.0.0.1:1/mcp"}\n';
    await writeFile(file, base);
    const valid: string[] = [];
    const invalid: string[] = [];
    let wake: () => void = () => undefined;
    const stop = watchConfig(file, {
      onValid: (config) => {
        valid.push(config.routes.map((r) => r.path).join(','));
        wake();
      },
      onInvalid: (error) => {
        invalid.push(error.message);
        wake();
      },
    }, 50);
    const next = () => new Promise<void>((resolve) => (wake = resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    let event = next();
    await writeFile(file, base.replace('/a', '/b'));
    await event;
    expect(valid).toEqual(['/b']);
    event = next();
    await writeFile(file, base.replace('kind: http', 'kind: carrier-pigeon'));
    await event;
    expect(invalid[0]).toMatch(/watched\.yaml:4/);
    expect(valid).toEqual(['/b']);
    stop();
  });
});
