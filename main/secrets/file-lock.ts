/**
 * An exclusive lock between processes on one file: a `<file>.lock` created with O_EXCL, holding
 * the owner's pid. The CLI (`gatehouse login`, `tokens revoke`) and the app may write the
 * encrypted secrets file at the same moment; each read-modify-write runs under this lock so
 * neither loses the other's update. A lock whose owner is gone (crashed, killed) is taken over;
 * one held for longer than any write takes is too, so a stuck process cannot block for ever.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';

/** Far longer than a read-modify-write of the secrets file takes (milliseconds). */
const STALE_AFTER_MS = 30_000;
const WAIT_LIMIT_MS = 10_000;
const FIRST_PAUSE_MS = 5;
const LONGEST_PAUSE_MS = 100;

export class FileLockTimeout extends Error {}

function ownerIsGone(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists under another user, so it is not gone.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Whether the lock at `lockPath` may be taken over, and removes it if so. */
async function clearedIfStale(lockPath: string): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const stale = ownerIsGone(Number(text.trim())) || Date.now() - info.mtimeMs > STALE_AFTER_MS;
    if (stale) await unlink(lockPath).catch(() => undefined);
    return stale;
  } catch (error) {
    // Released between our attempt and this look: try again at once.
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Runs `work` while this process holds the lock on `file`; waits (bounded) for another holder. */
export async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  const lockPath = `${file}.lock`;
  const deadline = Date.now() + WAIT_LIMIT_MS;
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await clearedIfStale(lockPath)) continue;
    if (Date.now() > deadline) {
      throw new FileLockTimeout(`${file} is locked by another Gatehouse process (${lockPath}) for more than ${WAIT_LIMIT_MS / 1000} s — if none is running, delete the lock file`);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(LONGEST_PAUSE_MS, pause * 2);
  }
  try {
    return await work();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}
