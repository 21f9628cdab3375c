/**
 * An exclusive lock between processes on one file: a `<file>.lock` holding its owner's pid and a
 * random tag. The CLI (`gatehouse login`, `tokens revoke`) and the app may write the encrypted
 * secrets file at the same moment; each read-modify-write runs under this lock so neither loses
 * the other's update.
 *
 * The lock is made whole before it exists: the owner's line is written to a file of its own and
 * hard-linked into place, which fails when a lock is there (so no one ever reads a half-written
 * lock). A lock whose owner is gone (crashed, killed), or that is older than any write takes, is
 * taken over by renaming it aside first — only one waiter can win that rename — and checking that
 * what was moved is the lock that was judged stale. A holder removes the lock only while it is
 * still its own.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';

/** Far longer than a read-modify-write of the secrets file takes (milliseconds). */
const STALE_AFTER_MS = 30_000;
const WAIT_LIMIT_MS = 10_000;
const FIRST_PAUSE_MS = 5;
const LONGEST_PAUSE_MS = 100;

export class FileLockTimeout extends Error {}

function ownerIsGone(owner: string): boolean {
  const pid = Number(owner.split(' ')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists under another user, so it is not gone.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

const unlinked = (file: string) => unlink(file).catch(() => undefined);

/** Puts this process's lock in place; false when another one holds it. */
async function tryLock(lockPath: string, owner: string): Promise<boolean> {
  const draft = `${lockPath}.${randomBytes(6).toString('hex')}`;
  await writeFile(draft, owner, { mode: 0o600 });
  try {
    await link(draft, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlinked(draft);
  }
}

/** Removes the lock at `lockPath` if its owner is gone or it is too old; true when it may be tried again. */
async function clearedIfStale(lockPath: string): Promise<boolean> {
  let owner: string;
  let age: number;
  try {
    [owner, age] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath).then((info) => Date.now() - info.mtimeMs)]);
  } catch (error) {
    // Released between our attempt and this look: try again at once.
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
  if (!ownerIsGone(owner) && age <= STALE_AFTER_MS) return false;
  const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return true; // Another waiter moved it first.
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== owner) {
    // Between our look and the rename the stale lock was replaced by a live one: put it back.
    await link(aside, lockPath).catch(() => undefined);
  }
  await unlinked(aside);
  return true;
}

/** Runs `work` while this process holds the lock on `file`; waits (bounded) for another holder. */
export async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  const lockPath = `${file}.lock`;
  const owner = `${process.pid} ${randomBytes(8).toString('hex')}`;
  const deadline = Date.now() + WAIT_LIMIT_MS;
  let pause = FIRST_PAUSE_MS;
  while (!(await tryLock(lockPath, owner))) {
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
    // Only our own lock: had it been taken over as stale, the lock there now is someone else's.
    if ((await readFile(lockPath, 'utf8').catch(() => '')) === owner) await unlinked(lockPath);
  }
}
