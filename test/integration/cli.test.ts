import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url));
const EVERYTHING = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts a long-running command and resolves once it printed the line matching `ready`. */
function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; output: () => string; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = out.match(ready);
      if (match) resolve({ child, output: () => out, match });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before ready:\n${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('gatehouse CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('check: prints OK for a valid file and exits 0', async () => {
    const result = await run(['check', '--config', 'docs/examples/gatehouse.yaml']);
    expect(result.stdout).toMatch(/OK — 5 route\(s\)/);
    expect(result.code).toBe(0);
  });

  it('check: prints every problem with file:line and exits 1', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'routes:\n  - path: /a\n    upstreams:\n      - name: x\n        kind: http\n        url: nope\n        colour: red\n');
    const result = await run(['check', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:7:9: routes[0].upstreams[0]: unknown key "colour"`);
    expect(result.stderr).toContain(`${file}:6:14: routes[0].upstreams[0].url:`);
  });

  it('usage errors exit 2 with the usage text', async () => {
    const result = await run(['serve']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/serve needs --config FILE/);
    expect(result.stderr).toMatch(/Usage:/);
  });

  it('serve: --port overrides, the route works, and SIGTERM stops it and its stdio upstream', async () => {
    const file = path.join(dir, 'serve.yaml');
    await writeFile(
      file,
      `listen: {port: 8999}\nroutes:\n  - path: /everything\n    upstreams:\n      - {name: everything, kind: stdio, command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(EVERYTHING)}, stdio]}\n`,
    );
    const { child, match } = await start(['serve', '--config', file, '--port', '0'], /(http:\/\/127\.0\.0\.1:(\d+)\/everything)/);
    expect(match[2]).not.toBe('8999');
    const client = new Client({ name: 'cli-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(match[1]!)));
    const result = await client.callTool({ name: 'echo', arguments: { message: 'via cli' } });
    expect(JSON.stringify(result)).toContain('via cli');
    await client.close();

    const upstreamPids = await pidsOf(EVERYTHING, child.pid!);
    expect(upstreamPids.length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(upstreamPids.filter(alive)).toEqual([]);
  });
});

/** Pids of processes started by `parent` whose command line mentions `marker`. */
async function pidsOf(marker: string, parent: number): Promise<number[]> {
  const { execFile } = await import('node:child_process');
  const out = await new Promise<string>((resolve) => execFile('ps', ['-eo', 'pid=,ppid=,args='], (_e, stdout) => resolve(stdout)));
  return out
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => !!m && Number(m[2]) === parent && m[3]!.includes(marker))
    .map((m) => Number(m[1]));
}
