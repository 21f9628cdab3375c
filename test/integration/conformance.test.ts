/**
 * The official MCP conformance suite's server scenarios (@modelcontextprotocol/conformance), run
 * against the conformance fixture directly and then through the gateway: the gateway must add no
 * failure. Scenarios the fixture itself fails are listed, with the reason, in
 * test/conformance/baseline.json; an entry that starts passing fails this test, so the baseline
 * cannot rot.
 */
import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { startGateway } from '../../main/gateway/gateway.js';
import type { RunningGateway } from '../../main/gateway/gateway.js';
import { listServerScenarios, runServerSuite } from '../conformance/run-conformance.js';
import type { ScenarioResult } from '../conformance/run-conformance.js';
import { startConformanceFixture } from '../fixtures/conformance-server.js';
import type { ConformanceFixture } from '../fixtures/conformance-server.js';

const baselineSchema = z.strictObject({
  about: z.string(),
  entries: z.array(z.strictObject({ scenario: z.string().min(1), why: z.string().min(1) })),
});
const baseline = baselineSchema.parse(JSON.parse(readFileSync(new URL('../conformance/baseline.json', import.meta.url), 'utf8')));
const baselined = new Map(baseline.entries.map((entry) => [entry.scenario, entry.why]));

/** Known at collection time so each scenario gets its own test line. */
const scenarios = await listServerScenarios();

/**
 * Bounds. The whole suite normally takes a few seconds; the slowest legitimate scenario,
 * server-sse-polling, waits at most 10 s for its POST stream and 5 s for the resumed one. A
 * scenario the suite run does not finish in time is run again on its own, within SCENARIO_TIMEOUT_MS.
 */
const SUITE_RUN_TIMEOUT_MS = 120_000;
const SCENARIO_TIMEOUT_MS = 30_000;
const RUN_BOUNDS = { suiteTimeoutMs: SUITE_RUN_TIMEOUT_MS, timeoutMs: SCENARIO_TIMEOUT_MS };
/** Worst case of one runServerSuite: the suite run killed, then every scenario alone, two at a time. */
const SUITE_TIMEOUT_MS = SUITE_RUN_TIMEOUT_MS + Math.ceil(scenarios.length / 2) * SCENARIO_TIMEOUT_MS + 10_000;

const explain = (result: ScenarioResult): string =>
  `${result.scenario} failed: ${result.failures.join('; ')}\n--- conformance output ---\n${result.output.slice(-4000)}`;

const byScenario = (results: ScenarioResult[]): Map<string, ScenarioResult> => new Map(results.map((result) => [result.scenario, result]));

let fixture: ConformanceFixture | undefined;
let direct: Promise<Map<string, ScenarioResult>> | undefined;

/** The direct run, shared by both describes (so the gateway part can also run on its own with -t). */
function directResults(): Promise<Map<string, ScenarioResult>> {
  if (fixture === undefined) throw new Error('the conformance fixture did not start');
  const running = direct ?? runServerSuite(fixture.url, scenarios, RUN_BOUNDS).then(byScenario);
  direct = running;
  return running;
}

beforeAll(async () => {
  fixture = await startConformanceFixture();
});

afterAll(async () => {
  await fixture?.close();
});

describe('conformance suite against the fixture directly', () => {
  let results: Map<string, ScenarioResult>;

  beforeAll(async () => {
    results = await directResults();
  }, SUITE_TIMEOUT_MS);

  it('lists only scenarios the suite knows in the baseline', () => {
    expect([...baselined.keys()].filter((name) => !scenarios.includes(name))).toEqual([]);
  });

  it.each(scenarios)('%s', (scenario) => {
    const result = results.get(scenario)!;
    const why = baselined.get(scenario);
    if (why === undefined) {
      expect(result.passed, explain(result)).toBe(true);
    } else {
      expect(result.passed, `${scenario} passes now: remove it from test/conformance/baseline.json (it said: ${why})`).toBe(false);
    }
  });
});

describe('conformance suite through the gateway', () => {
  let gateway: RunningGateway | undefined;
  let results: Map<string, ScenarioResult>;
  let directly: Map<string, ScenarioResult>;

  beforeAll(async () => {
    directly = await directResults();
    gateway = await startGateway({
      config: gatehouseConfigSchema.parse({
        listen: { host: '127.0.0.1', port: 0 },
        routes: [
          {
            path: '/conformance',
            description: 'The conformance fixture, names unchanged: the scenarios call fixed tool and prompt names',
            prefix: 'never',
            upstreams: [{ name: 'fixture', kind: 'http', url: fixture!.url, timeout_ms: SCENARIO_TIMEOUT_MS }],
          },
        ],
      }),
    });
    results = byScenario(await runServerSuite(gateway.url('/conformance'), scenarios, RUN_BOUNDS));
  }, 2 * SUITE_TIMEOUT_MS);

  afterAll(async () => {
    await gateway?.close();
  });

  it.each(scenarios)('%s passes through the gateway if it passes directly', (scenario) => {
    const result = results.get(scenario)!;
    if (directly.get(scenario)!.passed) expect(result.passed, explain(result)).toBe(true);
  });

  it('protects against DNS rebinding (Host/Origin checks)', () => {
    const result = results.get('dns-rebinding-protection');
    expect(result, 'the suite no longer has a dns-rebinding-protection scenario').toBeDefined();
    expect(result!.passed, explain(result!)).toBe(true);
  });
});
