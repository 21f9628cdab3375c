/**
 * CPU time a process has used so far (user + system), from /proc/PID/stat — the cost of the hop
 * under test per call, which a busy machine distorts less than latency does. Linux only: elsewhere
 * (or once the process is gone) the answer is undefined and the table shows "-".
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of the stat times; 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may itself hold spaces:
  // utime and stime are the 14th and 15th fields of the line (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
}
