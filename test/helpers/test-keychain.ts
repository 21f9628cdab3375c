/**
 * A private, throwaway Secret Service for tests, so keychain tests run under plain `npm test` with
 * no wrapper and never touch the developer's real keyring: a D-Bus session bus of our own
 * (`dbus-daemon --config-file=… --nofork`, listening in a temp folder, with no service
 * activation) and, on it, `gnome-keyring-daemon --foreground --components=secrets` with a
 * throwaway HOME and XDG folders.
 *
 * What @napi-rs/keyring 2.1.2 does with the environment (found by experiment on Linux, see the
 * report of issue #7 and test/integration/keychain.test.ts):
 * - Entry operations (get/set/delete) open their D-Bus connection at the first use in a process,
 *   from DBUS_SESSION_BUS_ADDRESS as it is then, and keep it for the life of the process. Setting
 *   process.env afterwards changes nothing: items keep going to the first bus, and a failed first
 *   connection (no bus) stays failed even once the variable is set.
 * - findCredentials (list) uses another D-Bus library (zbus) that reads the variable on every
 *   call, so after a change it would list a different keyring than the one entries go to.
 * - Unpinned, the library silently falls back to the kernel keyring when no Secret Service
 *   answers; main/secrets/os-keychain.ts pins entries to the Secret Service.
 * - A plain session bus activates gnome-keyring on demand (org.freedesktop.secrets.service) with
 *   the bus's HOME: our bus has no service folder, so only the daemon we start answers.
 * So: set the bus address before the first keychain call and never change it. Vitest runs every
 * test file in its own process (pool 'forks', isolated), so a test file may bind itself to one
 * test keychain with useTestKeychainInThisProcess; anything needing a second bus (the failure
 * modes) runs the store in a child process (runSecretStoreSteps), which is also how a restart is
 * tested.
 *
 * Each failure mode on demand: `state: 'locked'` (login keyring created, then locked through the
 * Secret Service API; unlocking would need a prompt, which this bus cannot show),
 * `state: 'no-secret-service'` (a bus with nothing on it), and a child with no bus at all
 * (`runSecretStoreSteps(undefined, …)`: no DBUS_SESSION_BUS_ADDRESS, no DISPLAY).
 * Needs the gnome-keyring and dbus-x11 packages (.ci/run installs them).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import type { OpenSecretStoreOptions, SecretRef } from '../../main/secrets/secret-store.js';

const execFileAsync = promisify(execFile);

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET_STORE_URL = pathToFileURL(path.join(REPO_ROOT, 'main/secrets/secret-store.ts')).href;
const LOGIN_COLLECTION = '/org/freedesktop/secrets/collection/login';
/** The test keyring's password: it guards nothing but test data in a temp folder. */
const KEYRING_PASSWORD = 'test';
const START_TIMEOUT_MS = 15_000;
const CHILD_TIMEOUT_MS = 30_000;

/** Variables that point a process at a session bus (or let it autolaunch one). */
const BUS_VARIABLES = ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY'];

export type TestKeychainState = 'unlocked' | 'locked' | 'no-secret-service';

export interface TestKeychain {
  /** What a process needs to use this keychain: DBUS_SESSION_BUS_ADDRESS. */
  env: Record<string, string>;
  /** Locks the login keyring (as a screen lock or `secret-tool lock` would). */
  lock(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartTestKeychainOptions {
  /** Default 'unlocked'. */
  state?: TestKeychainState;
}

function busConfig(dir: string): string {
  // No <servicedir> with services in it: nothing is activated behind the test's back.
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=${dir}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>${path.join(dir, 'services')}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}

async function readFirstLine(child: ChildProcess, what: string): Promise<string> {
  let output = '';
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} printed nothing within ${START_TIMEOUT_MS} ms: ${errors}`)), START_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const newline = output.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(output.slice(0, newline).trim());
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${what} (install the dbus-x11 and gnome-keyring packages): ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${errors}`));
    });
  });
}

async function dbusSend(busAddress: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('dbus-send', ['--session', '--print-reply', ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DBUS_SESSION_BUS_ADDRESS: busAddress },
    timeout: 10_000,
  });
  return stdout;
}

/** Polls until `ready` holds (bounded): the daemon announces nothing when it is ready. */
async function waitFor(what: string, daemon: ChildProcess, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (daemon.exitCode !== null) throw new Error(`${what}: gnome-keyring-daemon exited with ${daemon.exitCode}`);
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} within ${START_TIMEOUT_MS} ms`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export async function startTestKeychain(options: StartTestKeychainOptions = {}): Promise<TestKeychain> {
  const state = options.state ?? 'unlocked';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-keychain-'));
  const folders = { home: path.join(dir, 'home'), data: path.join(dir, 'data'), runtime: path.join(dir, 'run'), config: path.join(dir, 'config'), cache: path.join(dir, 'cache') };
  await Promise.all([...Object.values(folders), path.join(dir, 'services')].map((folder) => mkdir(folder, { recursive: true })));
  await chmod(folders.runtime, 0o700);
  await writeFile(path.join(dir, 'bus.conf'), busConfig(dir));

  const daemonEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: folders.home,
    XDG_DATA_HOME: folders.data,
    XDG_RUNTIME_DIR: folders.runtime,
    XDG_CONFIG_HOME: folders.config,
    XDG_CACHE_HOME: folders.cache,
  };
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const child of children.reverse()) await stopProcess(child);
    children.length = 0;
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const bus = spawn('dbus-daemon', [`--config-file=${path.join(dir, 'bus.conf')}`, '--nofork', '--print-address=1'], { env: daemonEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(bus);
    const busAddress = await readFirstLine(bus, 'dbus-daemon');
    const env = { DBUS_SESSION_BUS_ADDRESS: busAddress };
    const lock = async (): Promise<void> => {
      await dbusSend(busAddress, ['--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', `array:objpath:${LOGIN_COLLECTION}`]);
    };

    if (state !== 'no-secret-service') {
      // --unlock reads the password from stdin and creates the login keyring with it.
      const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], { env: { ...daemonEnv, ...env }, stdio: ['pipe', 'ignore', 'pipe'] });
      children.push(keyring);
      keyring.stderr?.resume();
      keyring.stdin?.end(KEYRING_PASSWORD);
      await waitFor('the test keyring had no default collection', keyring, async () =>
        (await dbusSend(busAddress, ['--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.ReadAlias', 'string:default'])).includes(LOGIN_COLLECTION),
      );
      if (state === 'locked') await lock();
    }
    return { env, lock, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

let boundBusAddress: string | undefined;

/**
 * Points this process's keychain calls at the test keychain. Call before the first keychain use
 * in the test file; a second, different keychain in the same process is refused, because the
 * library would keep talking to the first one (see the header).
 */
export function useTestKeychainInThisProcess(keychain: TestKeychain): void {
  const address = keychain.env.DBUS_SESSION_BUS_ADDRESS;
  if (boundBusAddress !== undefined && boundBusAddress !== address) {
    throw new Error('this process already uses another test keychain; @napi-rs/keyring keeps its first D-Bus connection — run the store in a child process (runSecretStoreSteps)');
  }
  boundBusAddress = address;
  for (const name of BUS_VARIABLES) delete process.env[name];
  Object.assign(process.env, keychain.env);
}

/** This process's environment without any session bus, plus `extra`. */
export function envWithoutSessionBus(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of BUS_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

/** One operation on a store, run in a child process. */
export type SecretStoreStep =
  | { op: 'get'; ref: SecretRef }
  | { op: 'set'; ref: SecretRef; value: string }
  | { op: 'delete'; ref: SecretRef }
  | { op: 'list' }
  | { op: 'getById'; id: string }
  | { op: 'deleteById'; id: string }
  /** An item some other program wrote, straight through @napi-rs/keyring. */
  | { op: 'setForeign'; service: string; account: string; value: string }
  /** Locks the login keyring in the middle of the run. */
  | { op: 'lockKeyring' };

export interface StepError {
  name: string;
  code?: string;
  message: string;
  fix?: string;
}

export type StepOutcome = { ok: true; value?: unknown } | { ok: false; error: StepError };

export interface SecretStoreRun {
  /** Set when openSecretStore succeeded. */
  backend?: 'keychain' | 'encrypted-file';
  /** Set when openSecretStore threw. */
  openError?: StepError;
  steps: StepOutcome[];
}

const RESULT_MARK = '@@secret-store-run@@';

// Runs in the child: opens the store, runs the steps, prints one marked JSON line.
const DRIVER = `
import { execFileSync } from 'node:child_process';
const [storeUrl, input] = process.argv.slice(1);
const { openSecretStore } = await import(storeUrl);
const { options, steps } = JSON.parse(input);
const describe = (e) => ({ name: e?.name ?? 'Error', code: e?.code, message: String(e?.message ?? e), fix: e?.fix });
async function run(store, step) {
  switch (step.op) {
    case 'get': return store.get(step.ref);
    case 'set': return store.set(step.ref, step.value);
    case 'delete': return store.delete(step.ref);
    case 'list': return store.list();
    case 'getById': return store.getById(step.id);
    case 'deleteById': return store.deleteById(step.id);
    case 'setForeign': {
      const { AsyncEntry } = await import('@napi-rs/keyring');
      return new AsyncEntry(step.service, step.account, { linux: { store: 'secret-service' } }).setPassword(step.value);
    }
    case 'lockKeyring':
      execFileSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets',
        'org.freedesktop.Secret.Service.Lock', 'array:objpath:${LOGIN_COLLECTION}']);
      return undefined;
    default: throw new Error('unknown step ' + step.op);
  }
}
const out = { steps: [] };
try {
  const store = await openSecretStore(options);
  out.backend = store.backend;
  for (const step of steps) {
    try { out.steps.push({ ok: true, value: await run(store, step) }); }
    catch (e) { out.steps.push({ ok: false, error: describe(e) }); }
  }
} catch (e) { out.openError = describe(e); }
process.stdout.write('\\n${RESULT_MARK}' + JSON.stringify(out) + '\\n');
`;

/**
 * Opens a secret store in a fresh Node process (a restart, as far as the store can tell) pointed
 * at `keychain` — or at no session bus at all when it is undefined — and runs `steps` in order.
 */
export async function runSecretStoreSteps(keychain: TestKeychain | undefined, options: OpenSecretStoreOptions, steps: SecretStoreStep[]): Promise<SecretStoreRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', DRIVER, SECRET_STORE_URL, JSON.stringify({ options, steps })], {
    cwd: REPO_ROOT,
    env: envWithoutSessionBus(keychain?.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (line === undefined) throw new Error(`secret store child exited with ${code} and no result: ${stderr.slice(-2000)}`);
  return JSON.parse(line.slice(RESULT_MARK.length)) as SecretStoreRun;
}
