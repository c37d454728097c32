/**
 * The dashboard: the page a risk desk keeps open on a pool, and the pool picker. It reads only the
 * public projection streams, over their WebSocket endpoint (resuming after a drop from the revision
 * after the last it had): `public-pool-state-<pool>`, `public-prices` (the pool's feed), `public-liquidations`
 * and `public-auctions`; and, for the histogram, `GET /dashboard/pools/{pool}/health-bands` (counts).
 * Charts are uPlot's, served by the ledger from node_modules (`/dashboard/assets/`); the page loads
 * nothing from anywhere else and needs no build step.
 *
 * It shows no size: no sum of the pool (total collateral or debt, reserve, socialized loss) and no
 * position's amount (collateral, debt, lot, tab, bid). The streams carry none; the histogram counts
 * positions by health band, which every role may read (docs/privacy.md).
 *
 * Element ids a test (or a person with devtools) can read: `#status` (connecting…, live,
 * reconnecting: live only once the pool's state has arrived), `#price`, `#round`, `#borrow-index` (to
 * 12 decimals; the whole of it in `title`), `#open-positions`, `#paused` (yes/no), `#as-of`,
 * `#liquidation-count`; `#price-chart` with `data-points` and `data-marks` (prices plotted, liquidation
 * marks on them); `#bands` with one `[data-band]` per health band, its count in `.count`;
 * `#latency-trigger` and `#latency-proof` (medians over the liquidations seen, with their count);
 * `#auctions`, one `[data-auction-id]` per auction (running, and the last eight ended) with `.route`, `.state` (running, ended), `.price`
 * (the curve's price now), `.takes`, `.bids` and a chart of its curve; `#liquidations`, a tbody with one
 * `tr[data-position-id]` per position whose cells are `.position`, `.commitment`, `.band`, `.status`
 * (triggered, settled) and `.bad-debt`.
 *
 * The pool id and feed reach the script through `data-` attributes and stream data is only ever set as
 * text, never as markup. The script and style are fixed text, so the page's Content-Security-Policy
 * allows exactly them by hash, and uPlot by path on this origin.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';

/** A pool as the picker lists it: ids and symbols, no amount. */
export interface DashboardPool {
  poolId: string;
  feed: string;
  collateral: string;
  debt: string;
}

const UPLOT_DIST = path.join(path.dirname(require.resolve('uplot/package.json')), 'dist');

/** What `/dashboard/assets/<name>` serves: uPlot's browser build and its stylesheet, as installed. */
export const DASHBOARD_ASSETS: Record<string, { file: string; type: string }> = {
  'uplot.js': { file: path.join(UPLOT_DIST, 'uPlot.iife.min.js'), type: 'text/javascript' },
  'uplot.css': { file: path.join(UPLOT_DIST, 'uPlot.min.css'), type: 'text/css' },
};

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em 2em;max-width:1180px;color:#222}
h1{font-size:1.4em;margin:0 0 .2em}h1 small{color:#666;font-weight:400}h2{font-size:1.1em;margin:1.4em 0 .4em}
nav{margin:.3em 0 1em}nav a{display:inline-block;margin:0 .4em .3em 0;padding:.1em .7em;border:1px solid #ccc;border-radius:1em;color:#1d4ed8;text-decoration:none}
nav a[aria-current]{background:#1d4ed8;color:#fff;border-color:#1d4ed8}nav a[aria-current] small{color:#dbeafe}
#status{display:inline-block;padding:.05em .6em;border-radius:1em;font-size:.85em;background:#eee;color:#444}
#status.live{background:#dcfce7;color:#17803d}#status.reconnecting{background:#fef3c7;color:#92400e}
dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.6em;margin:1em 0}
dl div{border:1px solid #ddd;border-radius:6px;padding:.5em .8em}dt{color:#666;font-size:.85em}dd{margin:0;font-size:1.2em;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.grid{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:1.5em}
.panel{border:1px solid #ddd;border-radius:6px;padding:.6em .8em}
.yes{color:#b42318;font-weight:600}
#bands{display:grid;grid-template-columns:6em 1fr 3em;gap:.35em .5em;align-items:center}
#bands>div{display:contents}#bands .bar{height:1.1em;background:#e5e7eb;border-radius:3px;overflow:hidden}#bands .fill{height:100%;width:0}
#bands .count{text-align:right;font-variant-numeric:tabular-nums}
.fill.liquidatable{background:#b42318}.fill.atRisk{background:#d97706}.fill.watch{background:#ca8a04}.fill.safe{background:#16a34a}.fill.noDebt{background:#94a3b8}
#auctions{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:.8em}
#auctions article{border:1px solid #ddd;border-radius:6px;padding:.5em .7em}#auctions h3{font-size:1em;margin:0 0 .2em}
#auctions .ended{opacity:.6}
table.liquidations{border-collapse:collapse;margin:.5em 0 1.5em;min-width:640px}.liquidations td,.liquidations th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
td.commitment{font-family:ui-monospace,monospace}
.band-liquidatable{color:#b42318;font-weight:600}.band-atRisk{color:#b45309}.band-watch{color:#a16207}.band-safe,.band-noDebt{color:#17803d}
small,.muted{color:#666}.missing{border:1px solid #f5c2c0;background:#fef3f2;border-radius:6px;padding:.6em .9em}
`;

const SCRIPT = `
(function () {
  'use strict';
  var pool = document.body.getAttribute('data-pool');
  var feed = document.body.getAttribute('data-feed');
  var byId = function (id) { return document.getElementById(id); };
  var show = function (id, text) { byId(id).textContent = text; };
  var dash = '\\u2014';
  var BANDS = ['liquidatable', 'atRisk', 'watch', 'safe', 'noDebt'];
  var connected = {};
  var followed = [];
  var started = false;
  var utc = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); };
  var secondsOf = function (iso) { return iso ? Date.parse(iso) / 1000 : NaN; };

  /* Live only once connected to every stream and the pool's state has arrived: an empty page is not live. */
  function showStatus(failed) {
    var open = followed.every(function (path) { return connected[path]; });
    var text = open && started ? 'live' : failed ? 'reconnecting' : byId('status').textContent;
    show('status', text);
    byId('status').className = text === 'live' || text === 'reconnecting' ? text : '';
  }

  /* One stream over a WebSocket (a browser allows only six HTTP connections to a host, shared by its
     tabs; four event streams a tab would stall the second tab). A dropped socket is opened again after a
     second, from the revision after the last one received. */
  function follow(stream, onEvent) {
    var last = null;
    var base = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/streams/' + encodeURIComponent(stream) + '/ws';
    followed.push(stream);
    function connect() {
      var socket = new WebSocket(last === null ? base : base + '?from=' + (BigInt(last) + BigInt(1)));
      socket.onopen = function () { connected[stream] = true; showStatus(false); };
      socket.onclose = function () {
        connected[stream] = false;
        showStatus(true);
        setTimeout(connect, 1000);
      };
      socket.onmessage = function (message) {
        var event;
        try { event = JSON.parse(message.data); } catch (e) { return; }
        if (last !== null && BigInt(event.revision) <= BigInt(last)) return;
        last = event.revision;
        onEvent(event);
      };
    }
    connect();
  }

  /* Redraws at most once a frame, however many events a catch-up delivers. */
  var dirty = {};
  function redraw(what) {
    if (dirty[what]) return;
    dirty[what] = true;
    requestAnimationFrame(function () { dirty[what] = false; DRAW[what](); });
  }

  function chartWidth(el) { return Math.max(280, Math.floor(el.getBoundingClientRect().width) - 4); }

  /* The pool's size-free state. */
  function onPoolState(event) {
    var d = event.data;
    if (event.type !== 'PoolStateChanged' || d.poolId !== pool) return;
    started = true;
    showStatus(false);
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
    fetchBands();
  }

  /* The histogram: counts by health band, read again on every state the pool publishes and every 15 s. */
  var bandsTimer = null;
  function fetchBands() {
    clearTimeout(bandsTimer);
    bandsTimer = setTimeout(function () {
      fetch('/dashboard/pools/' + encodeURIComponent(pool) + '/health-bands').then(function (res) {
        return res.ok ? res.json() : null;
      }).then(function (body) {
        if (body) showBands(body.healthBands);
      }).catch(function () {}).then(function () {
        bandsTimer = setTimeout(fetchBands, 15000);
      });
    }, 200);
  }
  function showBands(bands) {
    var max = 0;
    BANDS.forEach(function (band) { max = Math.max(max, bands ? bands[band] : 0); });
    BANDS.forEach(function (band) {
      var row = byId('bands').querySelector('[data-band="' + band + '"]');
      var count = bands ? bands[band] : undefined;
      row.querySelector('.count').textContent = count === undefined ? dash : String(count);
      row.querySelector('.fill').style.width = max > 0 && count ? (100 * count / max) + '%' : '0';
    });
    byId('bands').setAttribute('data-total', bands ? String(BANDS.reduce(function (n, b) { return n + bands[b]; }, 0)) : '');
  }

  /* Prices over time, each round once, with the liquidations triggered at a round marked on it. */
  var rounds = new Map();
  var marks = new Set();
  var priceChart = null;
  function onPrice(event) {
    var d = event.data;
    if (event.type !== 'PriceUpdated' || d.feed !== feed) return;
    var at = secondsOf(event.source && event.source.at) || d.at;
    rounds.set(d.round, { at: at, price: Number(d.price) });
    priceAt.set(d.round, at);
    redraw('prices');
  }
  function drawPrices() {
    var points = Array.from(rounds.entries()).sort(function (a, b) { return a[1].at - b[1].at; });
    var xs = [], ys = [], ms = [], t = -Infinity;
    points.forEach(function (p) {
      t = Math.max(p[1].at, t + 0.001);
      xs.push(t);
      ys.push(p[1].price);
      ms.push(marks.has(p[0]) ? p[1].price : null);
    });
    var el = byId('price-chart');
    el.setAttribute('data-points', String(xs.length));
    el.setAttribute('data-marks', String(ms.filter(function (m) { return m !== null; }).length));
    byId('no-prices').hidden = xs.length > 0;
    if (!priceChart) {
      priceChart = new uPlot({
        width: chartWidth(el), height: 240, tzDate: utc, legend: { live: false },
        scales: { x: { time: true } },
        series: [
          {},
          { label: 'price', stroke: '#1d4ed8', width: 2, points: { show: true, size: 4 } },
          { label: 'liquidations triggered', stroke: '#b42318', fill: '#b42318', paths: function () { return null; }, points: { show: true, size: 11, fill: '#b42318', stroke: '#b42318' } },
        ],
      }, [xs, ys, ms], el);
    } else {
      priceChart.setData([xs, ys, ms]);
    }
  }

  /* Latency: the ledger's time from a price to a liquidation it triggers, and from a trigger to its proof. */
  var priceAt = new Map();
  var triggered = new Map();
  var toTrigger = [];
  var toProof = [];
  function median(xs) {
    var s = xs.slice().sort(function (a, b) { return a - b; });
    var m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }
  function duration(seconds) { return seconds < 1 ? Math.round(seconds * 1000) + ' ms' : seconds.toFixed(seconds < 10 ? 2 : 1) + ' s'; }
  function showLatency(id, xs) {
    show(id, xs.length ? duration(median(xs)) : dash);
    show(id + '-detail', xs.length ? 'median of ' + xs.length + (xs.length === 1 ? ' liquidation' : ' liquidations') + '; slowest ' + duration(Math.max.apply(null, xs)) : 'none yet');
  }

  /* Liquidations: the table, the marks, the latencies. */
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
    if (d.poolId !== pool) return;
    var at = secondsOf(event.source && event.source.at);
    if (event.type === 'LiquidationProven') {
      var trigger = triggered.get(d.positionId);
      if (trigger !== undefined && at >= trigger) { toProof.push(at - trigger); showLatency('latency-proof', toProof); }
      return;
    }
    if (event.type !== 'LiquidationTriggered' && event.type !== 'LiquidationSettled') return;
    var row = rowOf(d.positionId);
    var commitment = String(d.commitment);
    row.cells[1].textContent = commitment.length > 16 ? commitment.slice(0, 8) + '\\u2026' + commitment.slice(-6) : commitment;
    row.cells[1].title = commitment;
    row.cells[2].textContent = d.healthBand;
    row.cells[2].className = 'band band-' + d.healthBand;
    var settled = event.type === 'LiquidationSettled';
    row.cells[3].textContent = settled ? 'settled' : 'triggered';
    row.cells[4].textContent = settled ? (d.badDebt ? 'yes' : 'no') : '';
    row.cells[4].className = settled && d.badDebt ? 'bad-debt yes' : 'bad-debt';
    if (settled) return;
    if (d.feed === feed) { marks.add(d.round); redraw('prices'); }
    if (d.by === 'detection') triggered.set(d.positionId, at);
    var priced = priceAt.get(d.round);
    if (d.feed === feed && priced !== undefined && at >= priced) { toTrigger.push(at - priced); showLatency('latency-trigger', toTrigger); }
  }

  /* Auctions: each one's curve (the pool's, from its top and each reset's), its takes on it and its bids. */
  var auctions = new Map();
  function auctionOf(id) {
    var a = auctions.get(id);
    if (a) return a;
    var card = document.createElement('article');
    card.setAttribute('data-auction-id', id);
    var title = document.createElement('h3');
    title.textContent = id;
    card.appendChild(title);
    var facts = document.createElement('p');
    ['route', 'state', 'price', 'takes', 'bids'].forEach(function (name, i) {
      if (i) facts.appendChild(document.createTextNode(' \\u00b7 '));
      var label = document.createElement('small');
      label.textContent = { route: '', state: '', price: 'price now ', takes: 'takes ', bids: 'bids ' }[name];
      facts.appendChild(label);
      var value = document.createElement('span');
      value.className = name;
      facts.appendChild(value);
    });
    card.appendChild(facts);
    var chart = document.createElement('div');
    chart.className = 'curve';
    card.appendChild(chart);
    var list = byId('auctions');
    list.insertBefore(card, list.firstChild);
    byId('no-auctions').hidden = true;
    a = { id: id, card: card, chart: chart, plot: null, segments: [], takes: [], bids: [], ended: null };
    auctions.set(id, a);
    return a;
  }
  /* The pool's curve as the ledger's auction-curves.ts defines it, in floating point: for drawing only. */
  function curvePrice(a, top, elapsed) {
    if (elapsed <= 0) return top;
    var cut = a.cutBps / 10000;
    if (a.curve === 'linear') return Math.max(0, top * (1 - cut * elapsed / a.step));
    if (a.curve === 'stairstep') return top * Math.pow(1 - cut, Math.floor(elapsed / a.step));
    return top * Math.pow(1 - cut / a.step, elapsed);
  }
  function priceNow(a, now) {
    var segment = a.segments[a.segments.length - 1];
    return segment ? curvePrice(a, segment.top, now - segment.at) : NaN;
  }
  /* Running auctions, and the last few ended: a pool's whole history of auctions would be a chart each. */
  var ENDED_SHOWN = 8;
  var retired = new Set();
  function retireEnded() {
    var ended = Array.from(auctions.values()).filter(function (a) { return a.ended !== null; });
    ended.sort(function (x, y) { return y.ended - x.ended; }).slice(ENDED_SHOWN).forEach(function (a) {
      if (a.plot) a.plot.destroy();
      a.card.remove();
      auctions.delete(a.id);
      retired.add(a.id);
    });
  }
  function onAuction(event) {
    var d = event.data;
    if (d.poolId !== pool || retired.has(d.auctionId)) return;
    var a = auctionOf(d.auctionId);
    if (event.type === 'AuctionStarted') {
      a.route = d.route; a.curve = d.curve; a.cutBps = Number(d.cutBps); a.step = Number(d.stepSeconds) || 1;
      a.segments.push({ at: d.at, top: Number(d.top) });
    } else if (event.type === 'AuctionReset') {
      a.segments.push({ at: d.at, top: Number(d.top) });
    } else if (event.type === 'CollateralTaken' || event.type === 'SoldToMarket') {
      a.takes.push({ at: d.at, price: Number(d.price) });
    } else if (event.type === 'BidPlaced') {
      a.bids.push({ at: d.at, deadline: d.deadline });
    } else if (event.type === 'AuctionWon' || event.type === 'AuctionSettled') {
      a.ended = d.at;
    }
    a.dirty = true;
    redraw('auctions');
  }
  function drawAuctions() {
    var now = Date.now() / 1000;
    retireEnded();
    auctions.forEach(function (a) {
      if (!a.dirty && a.ended !== null) return;
      a.dirty = false;
      var english = a.route === 'english';
      a.card.querySelector('.route').textContent = english ? 'English' : (a.route || '') + ' \\u00b7 ' + (a.curve || '');
      a.card.querySelector('.state').textContent = a.ended === null ? 'running' : 'ended';
      a.card.className = a.ended === null ? '' : 'ended';
      var price = priceNow(a, a.ended === null ? now : a.ended);
      a.card.querySelector('.price').textContent = english || isNaN(price) ? dash : price.toFixed(2);
      a.card.querySelector('.takes').textContent = String(a.takes.length);
      a.card.querySelector('.bids').textContent = String(a.bids.length);
      if (!a.segments.length) return;
      var from = a.segments[0].at;
      var to = Math.max(a.ended === null ? now : a.ended, from + 10 * a.step);
      var xs = [], curve = [], takes = [], bids = [];
      var events = new Map();
      a.takes.forEach(function (t) { events.set(t.at, { take: t.price }); });
      a.bids.forEach(function (b) { var e = events.get(b.at) || {}; e.bid = true; events.set(b.at, e); });
      var times = [];
      for (var i = 0; i <= 60; i++) times.push(from + (to - from) * i / 60);
      a.segments.forEach(function (s) { times.push(s.at); });
      events.forEach(function (_, t) { times.push(t); });
      times.sort(function (x, y) { return x - y; }).forEach(function (t, i, all) {
        if (i && t === all[i - 1]) return;
        var segment = a.segments.filter(function (s) { return s.at <= t; }).pop() || a.segments[0];
        var p = english ? null : curvePrice(a, segment.top, t - segment.at);
        var e = events.get(t);
        xs.push(t); curve.push(p);
        takes.push(e && e.take !== undefined ? e.take : null);
        bids.push(e && e.bid ? (p === null ? segment.top : p) : null);
      });
      a.chart.setAttribute('data-points', String(xs.length));
      if (!a.plot) {
        a.plot = new uPlot({
          width: 320, height: 150, tzDate: utc, legend: { show: false },
          scales: { x: { time: true } },
          series: [
            {},
            { label: 'price', stroke: '#7c3aed', width: 2, points: { show: false } },
            { label: 'takes', stroke: '#16a34a', paths: function () { return null; }, points: { show: true, size: 9, fill: '#16a34a' } },
            { label: 'bids', stroke: '#d97706', paths: function () { return null; }, points: { show: true, size: 9, fill: '#d97706' } },
          ],
        }, [xs, curve, takes, bids], a.chart);
      } else {
        a.plot.setData([xs, curve, takes, bids]);
      }
    });
  }

  var DRAW = { prices: drawPrices, auctions: drawAuctions };
  window.addEventListener('resize', function () {
    if (priceChart) priceChart.setSize({ width: chartWidth(byId('price-chart')), height: 240 });
  });
  showBands(undefined);
  drawPrices();
  setInterval(function () { redraw('auctions'); }, 5000);
  follow('public-pool-state-' + pool, onPoolState);
  follow('public-prices', onPrice);
  follow('public-liquidations', onLiquidation);
  follow('public-auctions', onAuction);
})();
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Allows the page's own script and style (by hash), uPlot from this origin, its reads on this origin, and nothing else. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  `script-src 'self' ${sha256(SCRIPT)}`,
  `style-src 'self' ${sha256(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function head(title: string, charts: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><link rel="icon" href="data:,">
${charts ? '<link rel="stylesheet" href="/dashboard/assets/uplot.css">\n' : ''}<style>${STYLE}</style></head>`;
}

/** The pools as links, the one shown marked current. */
function picker(pools: DashboardPool[], current?: string): string {
  if (pools.length === 0) return '<p class="muted">The ledger has no pool yet.</p>';
  const links = pools.map((p) => {
    const id = escape(p.poolId);
    return `<a href="/dashboard?pool=${encodeURIComponent(p.poolId)}" data-pool-id="${id}"${p.poolId === current ? ' aria-current="page"' : ''}>${id} <small>${escape(p.collateral)}/${escape(p.debt)}</small></a>`;
  });
  return `<nav id="pools" aria-label="pools">${links.join('')}</nav>`;
}

/** The picker alone: without a pool, or (with `missing`) for a pool the ledger does not have. */
export function pickerHtml(pools: DashboardPool[], missing?: string): string {
  const notFound = missing === undefined ? '' : `<p id="unknown-pool" class="missing">There is no pool <strong>${escape(missing)}</strong>. Pick one of the ledger's pools:</p>\n`;
  return `${head('Pools: dashboard', false)}
<body>
<h1>Dashboard <small>pick a pool</small></h1>
${notFound}${picker(pools)}
</body></html>
`;
}

export function dashboardHtml(shown: DashboardPool, pools: DashboardPool[]): string {
  const pool = escape(shown.poolId);
  return `${head(`Pool ${pool}: live`, true)}
<body data-pool="${pool}" data-feed="${escape(shown.feed)}">
<h1>Pool ${pool} <small>${escape(shown.collateral)}/${escape(shown.debt)}, feed ${escape(shown.feed)}; live from the public streams</small></h1>
${picker(pools, shown.poolId)}
<p><span id="status">connecting\u2026</span> <small>pool state as of <span id="as-of">\u2014</span></small></p>
<noscript><p>This page follows the ledger's public streams with JavaScript.</p></noscript>
<dl>
<div><dt>price</dt><dd id="price">\u2014</dd></div>
<div><dt>price round</dt><dd id="round">\u2014</dd></div>
<div><dt>borrow index</dt><dd id="borrow-index">\u2014</dd></div>
<div><dt>open positions</dt><dd id="open-positions">\u2014</dd></div>
<div><dt>liquidations paused</dt><dd id="paused">\u2014</dd></div>
<div><dt>liquidations</dt><dd id="liquidation-count">0</dd></div>
<div><dt>price \u2192 trigger</dt><dd id="latency-trigger">\u2014</dd><small id="latency-trigger-detail">none yet</small></div>
<div><dt>trigger \u2192 proof</dt><dd id="latency-proof">\u2014</dd><small id="latency-proof-detail">none yet</small></div>
</dl>
<div class="grid">
<section class="panel"><h2>Price</h2><div id="price-chart" data-points="0" data-marks="0"></div><p id="no-prices" class="muted">No price yet.</p></section>
<section class="panel"><h2>Positions by health</h2>
<div id="bands">
<div data-band="liquidatable"><span>below 1</span><div class="bar"><div class="fill liquidatable"></div></div><span class="count"></span></div>
<div data-band="atRisk"><span>1 to 1.1</span><div class="bar"><div class="fill atRisk"></div></div><span class="count"></span></div>
<div data-band="watch"><span>1.1 to 1.5</span><div class="bar"><div class="fill watch"></div></div><span class="count"></span></div>
<div data-band="safe"><span>1.5 and up</span><div class="bar"><div class="fill safe"></div></div><span class="count"></span></div>
<div data-band="noDebt"><span>no debt</span><div class="bar"><div class="fill noDebt"></div></div><span class="count"></span></div>
</div>
<p class="muted">Open positions counted by health factor at the current price. Counts only: the pool's totals and a position's amounts are not public, since with few positions they would tell one position's size.</p>
</section>
</div>
<h2>Auctions</h2>
<div id="auctions"></div>
<p id="no-auctions" class="muted">None in this pool yet.</p>
<h2>Liquidations</h2>
<table class="liquidations"><thead><tr><th>position</th><th>commitment</th><th>health band</th><th>status</th><th>bad debt</th></tr></thead>
<tbody id="liquidations"></tbody></table>
<p id="no-liquidations" class="muted">None in this pool yet.</p>
<script src="/dashboard/assets/uplot.js"></script>
<script>${SCRIPT}</script>
</body></html>
`;
}
