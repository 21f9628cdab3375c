/** The doctor report at a glance: counts per status and one sentence of verdict. */
import type { DoctorCheck, DoctorStatus } from '../../../shared/admin-api.js';

export interface DoctorSummary {
  counts: Record<DoctorStatus, number>;
  verdict: string;
  tone: 'ok' | 'warn' | 'danger';
}

export function summarizeDoctor(checks: readonly DoctorCheck[]): DoctorSummary {
  const counts: Record<DoctorStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of checks) counts[check.status]++;
  if (counts.fail > 0) {
    const first = checks.find((check) => check.status === 'fail');
    return { counts, tone: 'danger', verdict: `${counts.fail} requirement${counts.fail === 1 ? '' : 's'} failed — MCP clients will not get through. Start with “${first?.title}”.` };
  }
  if (counts.warn > 0) return { counts, tone: 'warn', verdict: `Spec-compliant, with ${counts.warn} warning${counts.warn === 1 ? '' : 's'} that break some clients.` };
  return { counts, tone: 'ok', verdict: 'Every check passed: a spec-following MCP client can discover, register, sign in and call.' };
}

/** The doctor's target as the admin API takes it: a route path, or a URL a user typed. */
export function doctorRequest(mode: 'route' | 'url', route: string, url: string): { ok: true; body: { route: string } | { url: string } } | { ok: false; message: string } {
  if (mode === 'route') return route === '' ? { ok: false, message: 'Pick a route to check.' } : { ok: true, body: { route } };
  const trimmed = url.trim();
  if (trimmed === '') return { ok: false, message: 'Enter the MCP server’s URL, e.g. https://mcp.example.com/mcp.' };
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return { ok: false, message: `“${trimmed}” is not a URL: write it whole, with http:// or https://.` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, message: `The doctor speaks HTTP: use an http:// or https:// URL, not ${parsed.protocol}.` };
  return { ok: true, body: { url: parsed.href } };
}
