/**
 * A client transport over a child process's stdin/stdout that, unlike the SDK's
 * StdioClientTransport, tells how the process ended (exit code or signal) and keeps the tail of
 * its stderr — what a user needs to know when their server dies mid-call.
 * Framing is the SDK's own (ReadBuffer, serializeMessage): no hand-written JSON-RPC.
 */
import { spawn, type ChildProcess } from 'node:child_process';

import { ReadBuffer, serializeMessage, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';

export interface StdioProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines the process wrote to stderr. */
  stderrTail: string;
}

export interface SupervisedStdioOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Each stderr line, as the process writes it. */
  onStderr?: (line: string) => void;
}

const STDERR_TAIL_LINES = 20;

export class SupervisedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  /** Set once the process has ended. */
  exit?: StdioProcessExit;

  private process?: ChildProcess;
  private readonly readBuffer = new ReadBuffer();
  private readonly stderrLines: string[] = [];

  constructor(private readonly options: SupervisedStdioOptions) {}

  get pid(): number | undefined {
    return this.process?.pid;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.command, this.options.args, {
        cwd: this.options.cwd,
        env: { ...getDefaultEnvironment(), ...this.options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
      this.process = child;
      child.once('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.once('spawn', () => resolve());
      child.once('exit', (code, signal) => {
        this.exit = { code, signal, stderrTail: this.stderrLines.join('\n') };
        this.process = undefined;
        this.onclose?.();
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        this.readBuffer.append(chunk);
        for (;;) {
          let message: JSONRPCMessage | null;
          try {
            message = this.readBuffer.readMessage();
          } catch (error) {
            this.onerror?.(error as Error);
            continue;
          }
          if (!message) break;
          this.onmessage?.(message);
        }
      });
      child.stdout?.on('error', (error) => this.onerror?.(error));
      child.stdin?.on('error', (error) => this.onerror?.(error));
      let partial = '';
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (text: string) => {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          this.stderrLines.push(line);
          if (this.stderrLines.length > STDERR_TAIL_LINES) this.stderrLines.shift();
          this.options.onStderr?.(line);
        }
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.process?.stdin;
      if (!stdin || stdin.destroyed) {
        reject(new Error('the process is not running'));
        return;
      }
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', () => resolve());
    });
  }

  async close(): Promise<void> {
    const child = this.process;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    // Give the server a moment to exit on EOF, as the MCP stdio spec asks, then insist.
    const term = setTimeout(() => child.kill('SIGTERM'), 1_000);
    const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(term);
    clearTimeout(kill);
  }

  /** Ends the process at once; used by tests and by fault handling. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.process?.kill(signal);
  }
}
