/**
 * The encrypted secrets file shared by several processes — the app and `gatehouse login` or
 * `gatehouse tokens revoke` writing at the same moment: every write of every process is kept
 * (each read-modify-write holds a lock file), the lock is gone afterwards, and a lock left by a
 * process that died does not block the next write.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openEncryptedFileStore } from '../../main/secrets/encrypted-file-store.js';

const WRITER = fileURLToPath(new URL('../fixtures/secrets-file-writer.ts', import.meta.url));
const PASSPHRASE = 'shared by several processes';
const PROCESSES = 4;
const WRITES_EACH = 15;

function runWriter(file: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, PASSPHRASE, name, String(WRITES_EACH)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${name} exited with ${code}: ${stderr}`))));
  });
}

/** A pid no process has: one that just ended. */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.once('exit', () => resolve(child.pid!));
  });
}

describe('the encrypted secrets file, written by several processes', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-secrets-processes-'));
    file = path.join(dir, 'secrets.enc');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every write of every process', async () => {
    const names = Array.from({ length: PROCESSES }, (_, i) => `writer${i}`);
    await Promise.all(names.map((name) => runWriter(file, name)));
    const store = await openEncryptedFileStore(file, PASSPHRASE);
    const issuers = (await store.list()).map((ref) => ref.issuer).sort();
    const expected = names.flatMap((name) => Array.from({ length: WRITES_EACH }, (_, i) => `https://${name}-${i}.example`)).sort();
    expect(issuers).toEqual(expected);
    expect(await store.get({ kind: 'client', issuer: 'https://writer2-13.example' })).toBe('writer2-13');
    expect(await readdir(dir)).toEqual(['secrets.enc']);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const store = await openEncryptedFileStore(file, PASSPHRASE);
    await writeFile(`${file}.lock`, String(await deadPid()));
    await store.set({ kind: 'client', issuer: 'https://after-a-crash.example' }, 'kept');
    expect(await store.get({ kind: 'client', issuer: 'https://after-a-crash.example' })).toBe('kept');
    expect(await readdir(dir)).toEqual(['secrets.enc']);
  });
});
