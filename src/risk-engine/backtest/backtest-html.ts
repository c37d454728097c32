/**
 * The backtest as a page: the summary table, then the price (log scale, closes) with each policy's
 * liquidations marked (filled when they left bad debt), and each policy's max LTV and threshold over
 * time, the named crashes shaded. Self-contained (inline SVG, no scripts).
 */
import { BacktestResult, CRASHES } from './backtest';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const COLOURS: Record<string, string> = { static: '#555', ewma: '#1f6feb', garch: '#d9480f' };
const W = 1100;
const PAD = 50;

export function renderBacktestHtml(results: BacktestResult[], source: string): string {
  const days = results[0].days;
  const x = (i: number) => PAD + (i / Math.max(1, days.length - 1)) * (W - 2 * PAD);
  const dayIndex = new Map(days.map((d, i) => [d.day, i]));
  const shade = (h: number) =>
    CRASHES.map((c) => {
      const from = days.findIndex((d) => d.day >= c.from);
      const to = days.findIndex((d) => d.day > c.to);
      return from < 0 ? '' : `<rect x="${x(from)}" y="0" width="${Math.max(2, x(to < 0 ? days.length - 1 : to) - x(from))}" height="${h}" fill="#fde68a" opacity=".5"><title>${c.name}</title></rect>`;
    }).join('');

  // Price panel, log scale.
  const H1 = 320;
  const [lo, hi] = [Math.log(Math.min(...days.map((d) => d.low))), Math.log(Math.max(...days.map((d) => d.close)))];
  const y1 = (price: number) => H1 - 20 - ((Math.log(price) - lo) / (hi - lo || 1)) * (H1 - 40);
  const price = `<polyline fill="none" stroke="#111" stroke-width="1" points="${days.map((d, i) => `${x(i).toFixed(1)},${y1(d.close).toFixed(1)}`).join(' ')}"/>`;
  const marks = results
    .map((r, k) =>
      r.liquidations
        .map((l) => {
          const i = dayIndex.get(l.day)!;
          const colour = COLOURS[r.policy];
          return `<circle cx="${x(i).toFixed(1)}" cy="${(y1(days[i].low) + 6 + 5 * k).toFixed(1)}" r="2.5" stroke="${colour}" fill="${l.badDebt > 0 ? colour : 'none'}"><title>${r.policy} ${l.day} ${escape(l.positionId)} bad debt ${l.badDebt.toFixed(0)} USD${l.wouldHaveRecovered ? ', would have recovered' : ''}</title></circle>`;
        })
        .join(''),
    )
    .join('');
  const ticks = [...new Set(days.map((d) => d.day.slice(0, 4)))].map((year) => {
    const i = days.findIndex((d) => d.day.startsWith(year));
    return `<text x="${x(i)}" y="${H1 - 4}" font-size="10" fill="#666">${year}</text>`;
  }).join('');
  const priceTicks = [1, 10, 100, 1_000, 10_000, 100_000].filter((p) => Math.log(p) >= lo && Math.log(p) <= hi).map((p) => `<text x="4" y="${y1(p) + 3}" font-size="10" fill="#666">${p.toLocaleString('en')}</text><line x1="${PAD}" x2="${W - PAD}" y1="${y1(p)}" y2="${y1(p)}" stroke="#eee"/>`).join('');

  // Parameters panel, 0..100%.
  const H2 = 220;
  const y2 = (bps: number) => H2 - 20 - (bps / 10_000) * (H2 - 30);
  const lines = results
    .map((r) => {
      const colour = COLOURS[r.policy];
      const line = (key: 'maxLtvBps' | 'liquidationThresholdBps', dash: string) =>
        `<polyline fill="none" stroke="${colour}" stroke-width="1.2" ${dash} points="${r.days.map((d, i) => `${x(i).toFixed(1)},${y2(d[key]).toFixed(1)}`).join(' ')}"><title>${r.policy} ${key}</title></polyline>`;
      return line('liquidationThresholdBps', '') + line('maxLtvBps', 'stroke-dasharray="4 2"');
    })
    .join('');
  const pctTicks = [2_500, 5_000, 7_500, 10_000].map((b) => `<text x="4" y="${y2(b) + 3}" font-size="10" fill="#666">${b / 100}%</text><line x1="${PAD}" x2="${W - PAD}" y1="${y2(b)}" y2="${y2(b)}" stroke="#eee"/>`).join('');

  const rows = results
    .flatMap((r) => r.summaries.map((s) => [r.policy, s.period, s.days, s.liquidations, s.wouldHaveRecovered, s.badDebt.toLocaleString('en'), (s.averageMaxLtvBps / 100).toFixed(1) + '%', s.averageDebt.toLocaleString('en')]))
    .map((cells) => `<tr>${cells.map((c) => `<td>${escape(String(c))}</td>`).join('')}</tr>`)
    .join('\n');
  const legend = results.map((r) => `<span style="color:${COLOURS[r.policy]}">■ ${r.policy}</span>`).join(' &nbsp; ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Risk backtest: ${escape(results.map((r) => r.policy).join(' vs '))}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:1150px;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}svg{background:#fafafa;border:1px solid #ddd;display:block;margin-bottom:1em}</style>
</head><body>
<h1>Risk backtest</h1>
<p>${escape(source)}: ${days.length} days from ${days[0].day} to ${days[days.length - 1].day}, seed ${results[0].seed}. ${legend}</p>
<table><tr><th>policy</th><th>period</th><th>days</th><th>liquidations</th><th>of which would have recovered</th><th>bad debt (USD)</th><th>average max LTV</th><th>average debt (USD)</th></tr>
${rows}</table>
<h2>Price (close, log scale) and liquidations</h2>
<p>Circles under the day's low: one per liquidation, filled when it left bad debt; shaded: the named crashes.</p>
<svg width="${W}" height="${H1}" viewBox="0 0 ${W} ${H1}">${shade(H1)}${priceTicks}${price}${marks}${ticks}</svg>
<h2>Liquidation threshold (solid) and max LTV (dashed)</h2>
<svg width="${W}" height="${H2}" viewBox="0 0 ${W} ${H2}">${shade(H2)}${pctTicks}${lines}</svg>
</body></html>
`;
}
