/**
 * Why the OS keychain cannot be used, told so a user can fix it. On Linux the keychain is the
 * freedesktop Secret Service (gnome-keyring, KeePassXC…) reached over the D-Bus session bus, and
 * three things go wrong in practice: no session bus (SSH, containers, CI), no Secret Service on
 * the bus (a bare window manager, a server), and a locked keyring (auto-login, or a daemon started
 * without PAM). The keyring library only gives us message text, so this matches on it; the texts
 * below are the ones observed with @napi-rs/keyring 2.1 against gnome-keyring 42 (see
 * test/integration/keychain.test.ts, which produces each one).
 */
import { ENCRYPTED_FILE_OPT_IN } from './secret-store-env.js';

export type KeychainProblemCode = 'no_session_bus' | 'locked' | 'no_secret_service' | 'unknown';

export class KeychainUnavailable extends Error {
  override readonly name = 'KeychainUnavailable';

  constructor(
    readonly code: KeychainProblemCode,
    problem: string,
    /** How to fix it, in words (install/start gnome-keyring, unlock the login keyring, or opt in to the encrypted file with …). */
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(`${problem} — ${fix}`, options);
  }
}

interface Symptom {
  code: Exclude<KeychainProblemCode, 'unknown'>;
  /** Matched against the keyring library's message. */
  pattern: RegExp;
  problem: string;
  /** Only the Secret Service (Linux, BSD) produces it; macOS and Windows keychains never do. */
  secretServiceOnly: boolean;
}

const SYMPTOMS: readonly Symptom[] = [
  {
    // libdbus without DBUS_SESSION_BUS_ADDRESS: "Using X11 for dbus-daemon autolaunch was disabled
    // at compile time" (older builds: "Cannot autolaunch D-Bus without X11 $DISPLAY"); with an
    // address whose bus is gone: "Failed to connect to socket".
    code: 'no_session_bus',
    pattern: /autolaunch|DBUS_SESSION_BUS_ADDRESS|Failed to connect to (socket|address)|No DBus session/i,
    problem: 'there is no D-Bus session bus, so the Secret Service (the Linux keychain) cannot be reached',
    secretServiceOnly: true,
  },
  {
    // "Secret Service: unlock prompt was dismissed" (the unlock prompt could not be shown or was
    // cancelled), "object locked", libsecret's "Cannot create an item in a locked collection".
    code: 'locked',
    pattern: /locked|unlock prompt/i,
    problem: 'the keyring is locked',
    secretServiceOnly: false,
  },
  {
    // The bus is there but nothing owns org.freedesktop.secrets and nothing can be activated.
    code: 'no_secret_service',
    pattern: /org\.freedesktop\.secrets was not provided|ServiceUnknown|Secret Service provider/i,
    problem: 'no Secret Service (such as gnome-keyring) is running on the D-Bus session bus',
    secretServiceOnly: true,
  },
  {
    // gnome-keyring is running but has no default collection to put items in: a daemon started
    // without --unlock and without a login keyring. To the user this is a keyring to unlock.
    code: 'locked',
    pattern: /no result found/i,
    problem: 'the Secret Service has no unlocked default keyring to store items in',
    secretServiceOnly: true,
  },
];

function fixFor(code: KeychainProblemCode, platform: NodeJS.Platform): string {
  switch (code) {
    case 'no_session_bus':
      return (
        'run Gatehouse inside a desktop session, or give this shell a session bus with a keyring: ' +
        "dbus-run-session -- sh -c 'echo -n <keyring password> | gnome-keyring-daemon --unlock --components=secrets; exec gatehouse …' " +
        '(needs the gnome-keyring and dbus-x11 packages; the bus is looked up once per process, so restart Gatehouse after fixing), ' +
        `or ${ENCRYPTED_FILE_OPT_IN}`
      );
    case 'no_secret_service':
      return (
        'install and start a Secret Service provider (sudo apt-get install gnome-keyring, then log in again or run ' +
        "'echo -n <keyring password> | gnome-keyring-daemon --unlock --components=secrets'; KeePassXC with Secret Service integration also works), " +
        `or ${ENCRYPTED_FILE_OPT_IN}`
      );
    case 'locked':
      if (platform === 'darwin') return `unlock the login keychain in Keychain Access, or ${ENCRYPTED_FILE_OPT_IN}`;
      return (
        "unlock the login keyring (Seahorse 'Passwords and Keys', or 'echo -n <keyring password> | gnome-keyring-daemon --unlock --components=secrets' " +
        `in the same session), or ${ENCRYPTED_FILE_OPT_IN}`
      );
    case 'unknown':
      return (
        `check that the OS keychain works (${platform === 'darwin' ? 'Keychain Access' : platform === 'win32' ? 'Windows Credential Manager' : 'gnome-keyring or another Secret Service on the D-Bus session bus'}), ` +
        `or ${ENCRYPTED_FILE_OPT_IN}`
      );
  }
}

export interface KeychainContext {
  /** Keychain service name, for the message. */
  service: string;
  platform?: NodeJS.Platform;
}

/** Explains an error from the keyring library. The library's own text is kept as the detail. */
export function keychainUnavailable(error: unknown, context: KeychainContext): KeychainUnavailable {
  if (error instanceof KeychainUnavailable) return error;
  const platform = context.platform ?? process.platform;
  const detail = error instanceof Error ? error.message : String(error);
  const secretService = platform !== 'darwin' && platform !== 'win32';
  const symptom = SYMPTOMS.find((s) => (secretService || !s.secretServiceOnly) && s.pattern.test(detail));
  const code = symptom?.code ?? 'unknown';
  const problem = symptom?.problem ?? 'the OS keychain refused the request';
  return new KeychainUnavailable(code, `OS keychain unavailable for service '${context.service}': ${problem} (${detail})`, fixFor(code, platform), { cause: error });
}
