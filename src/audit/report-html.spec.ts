/** The audit report's page: a history too short to chart says so and lists its points; a longer one is charted. */
import { AuditReport } from './auditor';
import { renderReportHtml } from './report-html';

const report = (timeline: AuditReport['timeline']): AuditReport => ({
  ok: true,
  upTo: { position: '10', time: '2026-12-04T10:00:00.000Z' },
  events: 10,
  commands: 8,
  checks: [],
  failures: [],
  pools: [{ poolId: 'weth-usdc', feed: 'ETH-USD', collateralDeposited: '1.234567890123456789', collateralReturned: '0', collateralHeld: '1.234567890123456789', debtDrawn: '1490.123456', debtRepaid: '0', debtOutstanding: '1490.123457', openPositions: 1, liquidations: 0, badDebt: '0' }],
  timeline,
  authority: { principals: [], timeline: [], commandsChecked: 0, unattributed: 0 },
});
const point = (at: string, price: string, healthFactor: string | null) => ({ at, poolId: 'weth-usdc', price, healthFactor, liquidations: 0 });

describe('the audit report page', () => {
  it('says a one-point history is too short to chart, and lists the point instead of an empty chart', () => {
    const page = renderReportHtml(report([point('2026-12-04T10:00:00.000Z', '2000', '1.1073825503355704')]));
    expect(page).toContain('Too few points for a chart: 1 price update.');
    expect(page).toContain('<td class="n">2000</td><td class="n">1.1073825503355704</td>');
    expect(page).not.toContain('<svg');
  });

  it('says so too for points all at one instant', () => {
    const at = '2026-12-04T10:00:00.000Z';
    const page = renderReportHtml(report([point(at, '2000', '1.5'), point(at, '1900', '1.4')]));
    expect(page).toContain('Too few points for a chart: 2 price updates at the same instant.');
    expect(page).not.toContain('<svg');
  });

  it('charts a history over time, from its first instant to its last', () => {
    const page = renderReportHtml(report([point('2026-12-04T10:00:00.000Z', '2000', '1.5'), point('2026-12-04T11:00:00.000Z', '1700', '0.9')]));
    expect(page).toMatch(/<svg[^>]*aria-label="health factor of weth-usdc over time"/);
    expect(page).toContain('2026-12-04T10:00:00.000Z</text>');
    expect(page).toContain('2026-12-04T11:00:00.000Z</text>');
  });

  it('lets long amounts wrap inside their cells and charts shrink, so the tables fit a narrow window', () => {
    const page = renderReportHtml(report([]));
    expect(page).toMatch(/td,th\{[^}]*overflow-wrap:anywhere/);
    expect(page).toMatch(/table\{[^}]*max-width:100%/);
    expect(page).toMatch(/svg\{[^}]*max-width:100%/);
  });
});
