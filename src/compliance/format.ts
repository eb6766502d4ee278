// The report as Markdown (for people) or JSON (for tools). Formatting only: every
// judgement is already in the Report.
import { STATUSES, type Report, type ReportRow } from './types.js';

/** A table cell: no pipe or line break may end the cell early. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function details(row: ReportRow): string {
  const parts = [cell(row.evidence)];
  if (row.mechanism) parts.push(`**How:** ${cell(row.mechanism)}`);
  if (row.deviation) parts.push(`**Deviation:** \`${cell(row.deviation.setting)}\` — ${cell(row.deviation.reason)}`);
  for (const problem of row.problems) parts.push(`**Problem:** ${cell(problem)}`);
  if (row.review) parts.push(`**Review:** ${cell(row.review)}`);
  return parts.join('<br>');
}

function startsUp(report: Report): string {
  if (!report.startsUp) return 'no: the start-up checks report problems';
  return report.unresolvedSecrets.length ? 'yes, as far as could be checked without the secrets (--no-secrets)' : 'yes';
}

export function formatMarkdown(report: Report): string {
  const out: string[] = [];
  out.push(`# Compliance report: ${report.issuer}`, '');
  out.push('Against the guideline "Using OAuth 2 and OpenID Connect to Secure Your API" (rule IDs and texts as in the catalogue src/policy/rules.ts).', '');
  out.push('| | |', '|---|---|');
  out.push(`| Issuer | ${cell(report.issuer)} |`);
  out.push(`| Mode | ${report.mode} |`);
  out.push(`| Store | ${report.store} |`);
  out.push(`| Configuration | ${cell(report.source)} |`);
  out.push(`| Generated | ${report.generatedAt} |`);
  out.push(`| Starts up | ${startsUp(report)} |`, '');

  out.push('## Summary', '', '| Status | Rules |', '|---|---|');
  for (const status of STATUSES) out.push(`| ${status} | ${report.summary[status]} |`);
  out.push('', `**Broken MUST / MUST NOT rules:** ${report.mandatoryBroken.length ? report.mandatoryBroken.join(', ') : 'none'}`, '');

  if (report.notes.length) {
    out.push('## Notes', '');
    for (const note of report.notes) out.push(`- ${note}`);
    out.push('');
  }

  out.push('## Rules', '', '| ID | Level | Rule | Status | Evidence |', '|---|---|---|---|---|');
  for (const row of report.rows) {
    const status = row.status === 'broken' ? '**broken**' : row.status;
    out.push(`| ${row.id} | ${row.level} | ${cell(row.text)} | ${status} | ${details(row)} |`);
  }

  if (report.otherProblems.length) {
    out.push('', '## Other problems (no rule named; they stop start-up)', '');
    for (const problem of report.otherProblems) out.push(`- ${problem}`);
  }
  return `${out.join('\n')}\n`;
}

export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
