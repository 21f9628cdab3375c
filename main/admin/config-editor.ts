/**
 * Edits the config the gateway runs from, as the window asks (ACL matrix, settings): the YAML is
 * changed through the `yaml` package's document model, so comments, key order and `${ENV}`
 * references elsewhere survive; the result is validated with the config schema before anything
 * is written, saved atomically, and applied with `gateway.reload`. Edits are serialised.
 *
 * The built-in demo has no config file: its first save writes `<dataDir>/demo.yaml` (say so to
 * the user), and later saves of the same launch edit that file.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { Document, parseDocument } from 'yaml';

import { ConfigError, formatProblem } from '../config/config-error.js';
import { parseConfigWithNotes } from '../config/load-config.js';
import { writeFileAtomically } from '../config/write-file-atomically.js';
import { DEMO_USERS, type GatehouseConfig } from '../config/schema.js';
import { DEMO_FILE } from '../demo/saved-demo-acls.js';
import type { RunningGateway } from '../gateway/gateway.js';
import { badRequest, conflict } from './admin-error.js';
import { passwordForFile } from './password-for-file.js';

export type ReloadOutcome = Awaited<ReturnType<RunningGateway['reload']>>;

export interface ConfigEditorOptions {
  gateway: RunningGateway;
  configPath?: string;
  dataDir: string;
  /** What the launch changes on every loaded config (a --port override); applied before reload. */
  adjust?: (config: GatehouseConfig) => GatehouseConfig;
}

export interface SavedConfig {
  configPath: string;
  /** True when the save went to <dataDir>/demo.yaml because the demo runs without a file. */
  demoCopy: boolean;
  config: GatehouseConfig;
  reload: ReloadOutcome;
}


const TO_STRING = { lineWidth: 0 } as const;

/** The running demo config as a document: the default demo users are left to the schema's default. */
export async function demoDocument(config: GatehouseConfig): Promise<Document> {
  const value: Record<string, unknown> = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  const idp = value.idp as { users?: Array<Record<string, unknown>> } | undefined;
  if (idp && JSON.stringify(idp.users) === JSON.stringify(DEMO_USERS.map((u) => ({ ...u, groups: [...u.groups] })))) delete idp.users;
  // Any other user's password goes in as the file gets it: hashed, never the password itself.
  for (const user of idp?.users ?? []) {
    const entry = await passwordForFile(user as { username: string; password?: string; password_hash?: string });
    delete user.password;
    delete user.password_hash;
    if (entry) user[entry.key] = entry.value;
  }
  const doc = new Document(value);
  doc.commentBefore = ' Gatehouse demo config, written by the window when you saved a change.\n The next `gatehouse demo` takes its access rules (acl) from here.';
  return doc;
}

export class ConfigEditor {
  private queue: Promise<unknown> = Promise.resolve();
  private demoWritten = false;

  constructor(private readonly options: ConfigEditorOptions) {}

  /** Where a save goes now. */
  get target(): string {
    return this.options.configPath ?? path.join(this.options.dataDir, DEMO_FILE);
  }

  /** Whether the config can be edited here, and if not, why (a Kong or agentgateway file). */
  async whyNotEditable(): Promise<string | undefined> {
    if (!this.options.configPath) return undefined;
    try {
      const { format } = parseConfigWithNotes(await readFile(this.options.configPath, 'utf8'), this.options.configPath);
      return format === 'gatehouse' ? undefined : `${this.options.configPath} is a ${format === 'kong' ? 'Kong decK' : 'agentgateway'} file, which Gatehouse runs translated: edit it there`;
    } catch (error) {
      if (error instanceof ConfigError) return `${this.options.configPath} has problems right now (${error.problems.length}): fix them in the file first`;
      return `${this.options.configPath} cannot be read: ${(error as Error).message}`;
    }
  }

  /** Applies `edit` to the config document, validates, saves atomically and reloads the gateway. */
  edit(edit: (doc: Document) => void): Promise<SavedConfig> {
    const run = this.queue.then(() => this.apply(edit));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async source(): Promise<Document> {
    const { configPath, gateway } = this.options;
    if (configPath || (this.demoWritten && existsSync(this.target))) {
      const file = this.target;
      const why = configPath ? await this.whyNotEditable() : undefined;
      if (why) throw conflict(why);
      return parseDocument(await readFile(file, 'utf8'), { uniqueKeys: true });
    }
    return await demoDocument(gateway.config);
  }

  private async apply(edit: (doc: Document) => void): Promise<SavedConfig> {
    const doc = await this.source();
    edit(doc);
    const text = doc.toString(TO_STRING);
    const file = this.target;
    let config: GatehouseConfig;
    try {
      config = parseConfigWithNotes(text, file).config;
    } catch (error) {
      if (error instanceof ConfigError) throw badRequest('The change would make the config invalid; nothing was saved', error.problems.map(formatProblem));
      throw error;
    }
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomically(file, text);
    if (!this.options.configPath) this.demoWritten = true;
    const adjusted = this.options.adjust ? this.options.adjust(config) : config;
    const reload = await this.options.gateway.reload(adjusted);
    return { configPath: file, demoCopy: !this.options.configPath, config: adjusted, reload };
  }
}
