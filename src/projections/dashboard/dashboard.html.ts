/**
 * The live dashboard of one pool: a page a person leaves open. It reads only the public projection
 * streams, with the browser's own EventSource (which resumes after a drop with Last-Event-ID):
 * `public-pool-state-<pool>` for the pool's size-free state and `public-liquidations` for its liquidations.
 * Self-contained: inline style and script, no external resource, no build step.
 *
 * It shows no sum of the pool (total collateral or debt, reserve, socialized loss): the public streams
 * do not carry them, since with few positions in a pool its totals are one position's amounts. Admins
 * and auditors read them from `GET /pools/:id`.
 *
 * Element ids a test (or a person with devtools) can read: `#price`, `#round`, `#borrow-index` (to 12
 * decimals; the whole of it in `title`), `#open-positions`, `#paused` (yes/no), `#as-of` (when the
 * state shown was published, `YYYY-MM-DD hh:mm:ss UTC`), `#liquidation-count` (the rows below),
 * `#status` (connecting, live, reconnecting) and `#liquidations`, a tbody with one `tr[data-position-id]`
 * per position whose cells are `.position`, `.commitment` (shortened; the whole of it in `title`),
 * `.band`, `.status` (triggered, settled) and `.bad-debt`.
 *
 * The pool id reaches the script through a `data-pool` attribute and stream data is only ever set as
 * text, never as markup. The script and style are fixed text, so the page's Content-Security-Policy
 * allows exactly them by hash.
 */
import { createHash } from 'node:crypto';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
h1{font-size:1.4em;margin:0 0 .2em}h1 small{color:#666;font-weight:400}
#status{display:inline-block;padding:.05em .6em;border-radius:1em;font-size:.85em;background:#eee;color:#444}
#status.live{background:#dcfce7;color:#17803d}#status.reconnecting{background:#fef3c7;color:#92400e}
dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:.6em;margin:1.2em 0}
dl div{border:1px solid #ddd;border-radius:6px;padding:.5em .8em}dt{color:#666;font-size:.85em}dd{margin:0;font-size:1.25em;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.yes{color:#b42318;font-weight:600}
table{border-collapse:collapse;margin:.5em 0 1.5em;min-width:640px}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
td.commitment{font-family:ui-monospace,monospace}
.band-liquidatable{color:#b42318;font-weight:600}.band-atRisk{color:#b45309}.band-watch{color:#a16207}.band-safe,.band-noDebt{color:#17803d}
small,.muted{color:#666}
`;

const SCRIPT = `
(function () {
  'use strict';
  var pool = document.body.getAttribute('data-pool');
  var byId = function (id) { return document.getElementById(id); };
  var show = function (id, text) { byId(id).textContent = text; };
  var dash = '\u2014';
  var connected = {};
  var followed = [];

  function showStatus(failed) {
    var live = followed.every(function (path) { return connected[path]; });
    var text = live ? 'live' : failed ? 'reconnecting' : byId('status').textContent;
    show('status', text);
    byId('status').className = text;
  }

  /* One stream: EventSource resumes on its own with Last-Event-ID; only if it gives up (an answer that
     is not a stream) is it opened again, from the revision after the last one received. */
  function follow(path, onEvent) {
    var last = null;
    followed.push(path);
    function connect() {
      var source = new EventSource(last === null ? path : path + '?from=' + (BigInt(last) + BigInt(1)));
      source.onopen = function () { connected[path] = true; showStatus(false); };
      source.onerror = function () {
        connected[path] = false;
        showStatus(true);
        if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
      };
      source.onmessage = function (message) {
        var event;
        try { event = JSON.parse(message.data); } catch (e) { return; }
        if (last !== null && BigInt(event.revision) <= BigInt(last)) return;
        last = event.revision;
        onEvent(event);
        show('updated', new Date().toLocaleTimeString());
      };
    }
    connect();
  }

  function onPoolState(event) {
    var d = event.data;
    if (event.type !== 'PoolStateChanged' || d.poolId !== pool) return;
    show('price', d.price === undefined ? dash : d.price);
    show('round', d.priceRound === undefined ? dash : d.priceRound);
    var index = String(d.borrowIndex);
    var point = index.indexOf('.');
    show('borrow-index', point < 0 ? index : index.slice(0, point + 13));
    byId('borrow-index').title = index;
    show('open-positions', String(d.openPositions));
    show('paused', d.liquidationsPaused ? 'yes' : 'no');
    byId('paused').className = d.liquidationsPaused ? 'yes' : '';
    show('as-of', d.at ? new Date(d.at * 1000).toISOString().slice(0, 19).replace('T', ' ') + ' UTC' : dash);
  }

  var rows = new Map();
  function rowOf(positionId) {
    var row = rows.get(positionId);
    if (row) return row;
    row = document.createElement('tr');
    row.setAttribute('data-position-id', positionId);
    ['position', 'commitment', 'band', 'status', 'bad-debt'].forEach(function (name) {
      var cell = document.createElement('td');
      cell.className = name;
      row.appendChild(cell);
    });
    row.cells[0].textContent = positionId;
    rows.set(positionId, row);
    var body = byId('liquidations');
    body.insertBefore(row, body.firstChild);
    byId('no-liquidations').hidden = true;
    show('liquidation-count', String(rows.size));
    return row;
  }

  function onLiquidation(event) {
    var d = event.data;
    if (d.poolId !== pool || (event.type !== 'LiquidationTriggered' && event.type !== 'LiquidationSettled')) return;
    var row = rowOf(d.positionId);
    var commitment = String(d.commitment);
    row.cells[1].textContent = commitment.length > 16 ? commitment.slice(0, 8) + '\u2026' + commitment.slice(-6) : commitment;
    row.cells[1].title = commitment;
    row.cells[2].textContent = d.healthBand;
    row.cells[2].className = 'band band-' + d.healthBand;
    var settled = event.type === 'LiquidationSettled';
    row.cells[3].textContent = settled ? 'settled' : 'triggered';
    row.cells[4].textContent = settled ? (d.badDebt ? 'yes' : 'no') : '';
    row.cells[4].className = settled && d.badDebt ? 'bad-debt yes' : 'bad-debt';
  }

  follow('/streams/public-pool-state-' + encodeURIComponent(pool) + '/events', onPoolState);
  follow('/streams/public-liquidations/events', onLiquidation);
})();
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Allows the page's own script and style (by hash), its streams on this origin, and nothing else. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function dashboardHtml(poolId: string): string {
  const pool = escape(poolId);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Pool ${pool}: live</title><link rel="icon" href="data:,">
<style>${STYLE}</style></head>
<body data-pool="${pool}">
<h1>Pool ${pool} <small>live from the public streams</small></h1>
<p><span id="status">connecting</span> <small>last update <span id="updated">\u2014</span>; pool state as of <span id="as-of">\u2014</span></small></p>
<noscript><p>This page follows the ledger's public streams with JavaScript.</p></noscript>
<dl>
<div><dt>price</dt><dd id="price">\u2014</dd></div>
<div><dt>price round</dt><dd id="round">\u2014</dd></div>
<div><dt>borrow index</dt><dd id="borrow-index">\u2014</dd></div>
<div><dt>open positions</dt><dd id="open-positions">\u2014</dd></div>
<div><dt>liquidations paused</dt><dd id="paused">\u2014</dd></div>
<div><dt>liquidations</dt><dd id="liquidation-count">0</dd></div>
</dl>
<p class="muted">The pool's totals (collateral, debt, reserve, socialized loss) are not public: with few positions in a pool, they would tell one position's amounts.</p>
<h2>Liquidations</h2>
<table><thead><tr><th>position</th><th>commitment</th><th>health band</th><th>status</th><th>bad debt</th></tr></thead>
<tbody id="liquidations"></tbody></table>
<p id="no-liquidations" class="muted">None in this pool yet.</p>
<script>${SCRIPT}</script>
</body></html>
`;
}
