/**
 * The audit report as a page a person reads: the verdict, each check, each failure with its event, the
 * pools' books, and per pool a chart of its health factor over time with its liquidations marked.
 * Self-contained (inline SVG, no scripts), so it can be archived with the export it describes.
 */
import { AuditReport } from './auditor';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderReportHtml(report: AuditReport): string {
  const rows = (cells: string[][]) => cells.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  const checks = rows(report.checks.map((c) => [c.holds ? '<span class="ok">holds</span>' : '<span class="bad">fails</span>', escape(c.check), escape(c.detail)]));
  const failures = report.failures.length
    ? `<table><tr><th>code</th><th>event</th><th>what</th></tr>${rows(
        report.failures.map((f) => [escape(f.code), f.stream ? `${escape(f.stream)}@${f.revision} <small>($all ${f.position})</small>` : '', escape(f.message)]),
      )}</table>`
    : '<p>None.</p>';
  const pools = rows(
    report.pools.map((p) => [escape(p.poolId), p.collateralDeposited, p.collateralReturned, p.collateralHeld, p.debtDrawn, p.debtRepaid, p.debtOutstanding, String(p.openPositions), String(p.liquidations), p.badDebt]),
  );
  const charts = report.pools.map((p) => healthChart(p.poolId, report.timeline.filter((t) => t.poolId === p.poolId))).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ledger audit: ${report.ok ? 'holds' : 'FAILS'}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;max-width:100%}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
td.n{text-align:right;font-variant-numeric:tabular-nums}svg{max-width:100%;height:auto}
.ok{color:#17803d;font-weight:600}.bad{color:#b42318;font-weight:600}small{color:#666}svg{background:#fafafa;border:1px solid #ddd}
</style></head><body>
<h1>Ledger audit: <span class="${report.ok ? 'ok' : 'bad'}">${report.ok ? 'everything holds' : `${report.failures.length} failure${report.failures.length === 1 ? '' : 's'}`}</span></h1>
<p>${report.events} events, ${report.commands} commands, up to $all position ${escape(report.upTo.position ?? '—')} (${escape(report.upTo.time ?? 'empty history')}).</p>
<h2>Checks</h2><table><tr><th></th><th>check</th><th>detail</th></tr>${checks}</table>
<h2>Failures</h2>${failures}
<h2>Pools</h2><p><small>Whole tokens of each asset.</small></p>
<table><tr><th>pool</th><th>collateral deposited</th><th>returned</th><th>held</th><th>debt drawn</th><th>repaid</th><th>outstanding</th><th>open positions</th><th>liquidations</th><th>bad debt</th></tr>${pools}</table>
<h2>Pool health over time</h2>${charts || '<p>No prices yet.</p>'}
</body></html>
`;
}

/** Health factor (capped at 3 for the scale) at each price update; red marks where liquidations happened since the last point. */
function healthChart(poolId: string, points: AuditReport['timeline']): string {
  const W = 900;
  const H = 220;
  const pad = 36;
  const withHf = points.filter((p) => p.healthFactor !== null);
  if (withHf.length === 0) return `<h3>${escape(poolId)}</h3><p>No debt at any price update.</p>`;
  const times = points.map((p) => Date.parse(p.at));
  const t0 = Math.min(...times);
  // One instant (or one point) is no line over time: the points themselves say more.
  if (withHf.length < 2 || Math.max(...times) === t0) return fewPoints(poolId, points);
  const span = Math.max(...times) - t0;
  // A coordinate on the chart, not an amount: a float is exact enough to draw.
  const hf = (p: (typeof points)[number]) => Math.min(3, Number(p.healthFactor));
  const x = (at: string) => pad + ((Date.parse(at) - t0) / span) * (W - 2 * pad);
  const y = (v: number) => H - pad - (v / 3) * (H - 2 * pad);
  const line = withHf.map((p) => `${x(p.at).toFixed(1)},${y(hf(p)).toFixed(1)}`).join(' ');
  const marks = points
    .filter((p, i) => i > 0 && p.liquidations > points[i - 1].liquidations)
    .map((p) => `<circle cx="${x(p.at).toFixed(1)}" cy="${y(p.healthFactor === null ? 0 : hf(p)).toFixed(1)}" r="5" fill="#b42318"><title>${p.liquidations} liquidations by ${escape(p.at)}</title></circle>`)
    .join('');
  return `<h3>${escape(poolId)}</h3>
<svg width="${W}" height="${H}" role="img" aria-label="health factor of ${escape(poolId)} over time">
<line x1="${pad}" x2="${W - pad}" y1="${y(1)}" y2="${y(1)}" stroke="#b42318" stroke-dasharray="4 4"/><text x="4" y="${y(1) + 4}" font-size="11">HF 1</text>
<text x="4" y="${y(3) + 4}" font-size="11">≥3</text>
<polyline fill="none" stroke="#1f6feb" stroke-width="2" points="${line}"/>${marks}
<text x="${pad}" y="${H - 8}" font-size="11">${escape(points[0].at)}</text><text x="${W - pad}" y="${H - 8}" font-size="11" text-anchor="end">${escape(points.at(-1)!.at)}</text>
</svg>`;
}

/** A history too short to chart: says so, and lists the price updates it has. */
function fewPoints(poolId: string, points: AuditReport['timeline']): string {
  const rows = points
    .map((p) => `<tr><td>${escape(p.at)}</td><td class="n">${escape(p.price)}</td><td class="n">${p.healthFactor === null ? '—' : escape(p.healthFactor)}</td><td class="n">${p.liquidations}</td></tr>`)
    .join('\n');
  return `<h3>${escape(poolId)}</h3>
<p>Too few points for a chart: ${points.length} price update${points.length === 1 ? '' : 's'}${points.length > 1 ? ' at the same instant' : ''}. They are:</p>
<table><tr><th>at</th><th>price</th><th>health factor</th><th>liquidations so far</th></tr>${rows}</table>`;
}
