/**
 * `gatehouse doctor URL [--json]`: the doctor's report as a checklist a person reads in a
 * terminal (✓ pass, ! warning, ✗ failure, - skipped; the fix and the spec rule under each
 * problem), or as JSON for scripts. The exit code says whether any check failed, so CI can gate on it.
 */
import type { DoctorCheck, DoctorReport, DoctorStatus } from '../../shared/admin-api.js';
import { runDoctor, type DoctorOptions } from './run-doctor.js';

const MARK: Record<DoctorStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };

function describeCheck(check: DoctorCheck, previous: DoctorCheck | undefined): string[] {
  // A run of checks skipped for one reason states the reason once.
  const repeated = check.status === 'skip' && previous?.status === 'skip' && previous.detail === check.detail;
  const lines = [`${MARK[check.status]} ${check.title}`, ...(repeated ? [] : [`    ${check.detail}`])];
  if (check.status === 'warn' || check.status === 'fail') {
    if (check.fix) lines.push(`    fix: ${check.fix}`);
    if (check.spec) lines.push(`    spec: ${check.spec.title} — ${check.spec.url}`);
  }
  if (check.quirk && check.status !== 'skip') lines.push(`    note: ${check.quirk}`);
  return lines;
}

export function formatReport(report: DoctorReport): string[] {
  const count = (status: DoctorStatus) => report.checks.filter((check) => check.status === status).length;
  const lines = [`Gatehouse OAuth doctor — ${report.target}`];
  if (report.idp) lines.push(`Identity provider: ${report.idp}`);
  lines.push('');
  report.checks.forEach((check, index) => lines.push(...describeCheck(check, report.checks[index - 1])));
  lines.push(
    '',
    `${report.checks.length} checks: ${count('pass')} passed, ${count('warn')} warnings, ${count('fail')} failed, ${count('skip')} skipped (${report.durationMs} ms).`,
  );
  return lines;
}

export function exitCodeFor(report: DoctorReport): number {
  return report.checks.some((check) => check.status === 'fail') ? 1 : 0;
}

export async function doctorCommand(
  url: string,
  options: { json?: boolean; out?: (line: string) => void } & Pick<DoctorOptions, 'timeoutMs' | 'origin'>,
): Promise<number> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const report = await runDoctor(url, { timeoutMs: options.timeoutMs, origin: options.origin });
  if (options.json) out(JSON.stringify(report, null, 2));
  else for (const line of formatReport(report)) out(line);
  return exitCodeFor(report);
}
