/**
 * The relay checks every MCP upstream transport must pass through a gateway route, whatever
 * carries it (stdio, Streamable HTTP), for a client of either protocol era: the client sees the
 * upstream's tools as the upstream itself shows them, calls reach the upstream, the upstream's
 * questions (sampling, elicitation) reach the client and the answers come back, and progress
 * notifications arrive. The upstream is server-everything; the test files define the route.
 */
import type { CallToolResult, Progress, Tool } from '@modelcontextprotocol/client';
import { expect, it } from 'vitest';

import {
  ELICITED_CONTENT,
  SAMPLED_TEXT,
  SAMPLING_MODEL,
  type AnsweringClient,
  type ClientEra,
} from '../fixtures/answering-client.js';

export interface RelayUnderTest {
  era: ClientEra;
  /** The test client, connected through the gateway. */
  subject: AnsweringClient;
  /** tools/list of a client connected to the same upstream without the gateway. */
  directTools: Tool[];
}

/** The text blocks of a tool result, joined by newlines. */
export function textOf(result: CallToolResult): string {
  return result.content
    .flatMap((block) => (block.type === 'text' ? [block.text] : []))
    .join('\n');
}

/**
 * A tool as a client relies on it. A 2026-07-28 client never sees `execution` (task support):
 * that vocabulary was removed from the revision and the SDK drops it from the wire, so it is
 * compared for 2025 clients only.
 */
function comparable(tool: Tool, era: ClientEra): Tool {
  if (era.name === 'legacy') return tool;
  const { execution: _execution, ...rest } = tool;
  return rest;
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** Registers the checks in the calling describe block; `get` is read when each test runs. */
export function defineCoreRelayChecks(get: () => RelayUnderTest): void {
  it('speaks the protocol revision of its era with the gateway', () => {
    const { era, subject } = get();
    expect(subject.client.getNegotiatedProtocolVersion()).toBe(era.protocol);
  });

  it('lists the same tools, with the same schemas, as the upstream shows a direct client', async () => {
    const { era, subject, directTools } = get();
    const { tools } = await subject.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(directTools.map((tool) => tool.name).sort());
    expect([...tools].sort(byName).map((tool) => comparable(tool, era))).toEqual(
      [...directTools].sort(byName).map((tool) => comparable(tool, era)),
    );
  });

  it('relays a plain call (echo) and its result', async () => {
    const { era, subject } = get();
    const message = `hello from a ${era.name} client through Gatehouse`;
    const result = await subject.client.callTool({ name: 'echo', arguments: { message } });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'text', text: `Echo: ${message}` }]);
  });

  it("relays the upstream's sampling request to this client and the client's answer into the tool result", async () => {
    const { era, subject } = get();
    const prompt = `What is the capital of France? (${era.name} client)`;
    const before = subject.asked.sampling.length;
    const result = await subject.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt, maxTokens: 20 } });
    expect(subject.asked.sampling.length).toBe(before + 1);
    const question = subject.asked.sampling.at(-1)!;
    expect(question.maxTokens).toBe(20);
    expect(question.messages[0]?.content).toEqual({ type: 'text', text: `Resource trigger-sampling-request context: ${prompt}` });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain(SAMPLED_TEXT);
    expect(textOf(result)).toContain(SAMPLING_MODEL);
  });

  it("relays the upstream's elicitation request to this client and the user's answer into the tool result", async () => {
    const { subject } = get();
    const before = subject.asked.elicitation.length;
    const result = await subject.client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
    expect(subject.asked.elicitation.length).toBe(before + 1);
    const question = subject.asked.elicitation.at(-1)!;
    expect(question.message).toBe('Please provide inputs for the following fields:');
    expect(question).toHaveProperty('requestedSchema.properties.name.type', 'string');
    expect(result.isError).toBeFalsy();
    const text = textOf(result);
    expect(text).toContain('User provided the requested information');
    expect(text).toContain(`- Name: ${ELICITED_CONTENT.name}`);
    expect(text).toContain(`- Email: ${ELICITED_CONTENT.email}`);
  });

  it("relays the upstream's progress notifications of a long call to this client", async () => {
    const { subject } = get();
    const steps = 3;
    const progress: Progress[] = [];
    const result = await subject.client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 1.5, steps } },
      { onprogress: (update) => progress.push(update) },
    );
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(`Long running operation completed. Duration: 1.5 seconds, Steps: ${steps}.`);
    // The SDK's Protocol hands a notification to its handler a microtask later but settles a
    // response at once, so the last progress notification — sent by the upstream right before its
    // result and often read in the same chunk — can be dropped, with or without a gateway. Every
    // earlier one must arrive, in order.
    expect(progress.length).toBeGreaterThanOrEqual(steps - 1);
    expect(progress).toEqual(progress.map((_, index) => ({ progress: index + 1, total: steps })));
  });
}
