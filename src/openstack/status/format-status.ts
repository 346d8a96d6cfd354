/** @module Human-readable table of a status report (the default output of `kuryr status`). */
import type { StatusReport } from './types.js';

const MARK: Record<string, string> = {
  ok: 'OK',
  warning: 'WARN',
  missing: 'MISSING',
  error: 'ERROR',
};

/**
 * Renders the report as an aligned table plus the consequences of missing pieces and a verdict line.
 */
export function formatStatus(report: StatusReport): string {
  const rows = report.checks.map((c) => [
    c.id,
    MARK[c.state] ?? c.state,
    c.mandatory ? 'yes' : 'no',
    c.detail,
  ]);
  const head = ['CHECK', 'STATE', 'MANDATORY', 'DETAIL'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...rows.map(line)];
  const missing = report.checks.filter((c) => c.disables !== undefined);
  if (missing.length > 0) {
    out.push('', 'What does not work:');
    for (const c of missing) out.push(`  ${c.id} → ${c.disables ?? ''}`);
  }
  if (report.tagMode !== undefined) out.push('', `Tag mode: ${report.tagMode}`);
  out.push(
    '',
    report.ok
      ? 'Status: OK (every mandatory piece is present)'
      : 'Status: FAILED (a mandatory piece is missing or unreachable)',
  );
  return `${out.join('\n')}\n`;
}
