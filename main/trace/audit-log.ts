/**
 * The durable record of access decisions: one JSON line per decision in the app's data folder,
 * appended (and handed to the OS) before the response goes out, rotated by size. Tokens never
 * appear: a line names the subject, client and groups, not the credential.
 */
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

import type { AuditEntry, AuditQuery } from '../../shared/audit.js';

export type { AuditEntry, AuditQuery } from '../../shared/audit.js';

const FILE = 'decisions.jsonl';

export class AuditLog {
  private handle?: FileHandle;
  private size = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly maxBytes = 10 * 1024 * 1024,
    private readonly keepFiles = 5,
  ) {}

  /** Appends one entry; resolves once the line is written. Appends are serialized. */
  append(entry: Omit<AuditEntry, 'v' | 'time'>): Promise<void> {
    return this.appendMany([entry]);
  }

  /** Appends entries in one write (a filtered list decides once per item). */
  appendMany(entries: Array<Omit<AuditEntry, 'v' | 'time'>>): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const time = new Date().toISOString();
    const lines = entries.map((entry) => `${JSON.stringify({ v: 1, time, ...entry })}\n`).join('');
    const write = this.queue.then(() => this.write(lines));
    this.queue = write.catch(() => undefined);
    return write;
  }

  async query(query: AuditQuery = {}): Promise<AuditEntry[]> {
    await this.queue;
    const files = await this.files();
    const limit = query.limit ?? 1000;
    const found: AuditEntry[] = [];
    for (const file of files) {
      const text = await readFile(path.join(this.dir, file), 'utf8').catch(() => '');
      const lines = text.split('\n').filter(Boolean).reverse();
      for (const line of lines) {
        let entry: AuditEntry;
        try {
          entry = JSON.parse(line) as AuditEntry;
        } catch {
          continue;
        }
        if (query.route && entry.route !== query.route) continue;
        if (query.subject && entry.subject !== query.subject) continue;
        if (query.effect && entry.effect !== query.effect) continue;
        if (query.item && entry.item !== query.item) continue;
        if (query.from && entry.time < query.from) continue;
        if (query.to && entry.time > query.to) continue;
        found.push(entry);
        if (found.length >= limit) return found;
      }
    }
    return found;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Newest first: the current file, then rotated ones by name (their names sort by time). */
  private async files(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const rotated = names.filter((name) => name.startsWith('decisions-') && name.endsWith('.jsonl')).sort().reverse();
    return [...(names.includes(FILE) ? [FILE] : []), ...rotated];
  }

  private async write(lines: string): Promise<void> {
    if (!this.handle) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.handle = await open(path.join(this.dir, FILE), 'a', 0o600);
      this.size = (await stat(path.join(this.dir, FILE))).size;
    }
    if (this.size + lines.length > this.maxBytes && this.size > 0) await this.rotate();
    await this.handle!.appendFile(lines, 'utf8');
    this.size += Buffer.byteLength(lines);
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await rename(path.join(this.dir, FILE), path.join(this.dir, `decisions-${stamp}.jsonl`));
    const rotated = (await this.files()).filter((name) => name !== FILE);
    for (const old of rotated.slice(this.keepFiles)) await rm(path.join(this.dir, old), { force: true });
    this.handle = await open(path.join(this.dir, FILE), 'a', 0o600);
    this.size = 0;
  }
}
