#!/usr/bin/env bash
# The README's quickstart as one script (`npm run quickstart`): a fresh ledger on free ports and a
# temporary data dir on its defaults, then the example session end to end. A pool, an oracle feed and
# four borrowers; ETH falls in three steps; the ledger detects the positions that cross their
# threshold and proves each detection; a liquidator proves the one that interest carries under between
# two prices, before the ledger looks again; one position's collateral goes by Dutch auction, one by
# English auction, one into the pool market; an integrator checks every liquidation from the public
# streams; an auditor checks the history offline. It exits 0 when every step did what its comment
# says, and stops at the first that did not (keeping the data dir and the ledger's log).
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=$(mktemp -d "${TMPDIR:-/tmp}/ledger-quickstart-XXXXXX")
export DATA_DIR=$DIR          # the CLI's signing keys and exports go here too, never into the checkout
LEDGER_PID=
finish() {
  local code=$?
  if [[ -n $LEDGER_PID ]]; then kill "$LEDGER_PID" 2>/dev/null || true; wait "$LEDGER_PID" 2>/dev/null || true; fi
  if [[ $code == 0 ]]; then rm -rf "$DIR"; else echo "quickstart failed; the ledger's data and log are in $DIR" >&2; fi
  exit "$code"
}
trap finish EXIT
# The session's helpers: ledger, api, refused, field, until_ok, settled, borrow, liquidate.
source examples/session.sh
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }

step "A fresh ledger in $DIR"
[[ -f dist/src/main.js ]] || npm run -s build
EVENTSTORE_PORT=$(free_port)
PORT=0 EVENTSTORE_PORT=$EVENTSTORE_PORT ADMIN_KEY_FILE="$DIR/admin.key" LOG_FILE="$DIR/ledger.log" \
  node dist/src/main.js >"$DIR/ledger.out" 2>&1 &
LEDGER_PID=$!
for _ in $(seq 3000); do   # a first start takes a few seconds (longer on a busy machine)
  grep -q 'ledger listening on' "$DIR/ledger.out" && break
  kill -0 "$LEDGER_PID" 2>/dev/null || { fail "the ledger stopped: $(cat "$DIR/ledger.out")"; exit 1; }
  sleep 0.1
done
LEDGER_URL=$(sed -n 's/^ledger listening on \(http:[^ ]*\).*/\1/p' "$DIR/ledger.out")
[[ -n $LEDGER_URL ]] || { fail "the ledger did not start within 5 minutes"; exit 1; }
export LEDGER_URL
ADMIN=$(cat "$DIR/admin.key")  # the development admin key (`npm start` prints it once instead)
# The embedded store runs in secure mode: its admin's password and CA certificate are in its data dir.
STORE="esdb://admin:$(cat "$DIR/eventstore/admin.password")@127.0.0.1:$EVENTSTORE_PORT?tls=true&tlsCAFile=$DIR/eventstore/certs/ca/ca.crt"
echo "ledger at $LEDGER_URL, event store at 127.0.0.1:$EVENTSTORE_PORT (TLS)"

step "The admin registers who takes part; each key is shown once"
ORACLE=$(ledger access add-principal oracle-1 --role oracle --feed ETH-USD --api-key "$ADMIN" | field apiKey)
ALICE=$(ledger access add-principal alice --role borrower --api-key "$ADMIN" | field apiKey)
BOB=$(ledger access add-principal bob --role borrower --api-key "$ADMIN" | field apiKey)
CAROL=$(ledger access add-principal carol --role borrower --api-key "$ADMIN" | field apiKey)
DAVE=$(ledger access add-principal dave --role borrower --api-key "$ADMIN" | field apiKey)
LIQ=$(ledger access add-principal liq-1 --role liquidator --api-key "$ADMIN" | field apiKey)
AUDITOR=$(ledger access add-principal auditor-1 --role auditor --api-key "$ADMIN" | field apiKey)

step "An oracle feed: the oracle makes a key, the admin registers it, the oracle prices round 1"
KEY=$(ledger oracle keygen)
PRIV=$(echo "$KEY" | field privateKey)
PUB=$(echo "$KEY" | field publicKey)
api "$ADMIN" POST /feeds '{"commandId":"feed-1","feed":"ETH-USD","quorum":1,"heartbeatSeconds":3600,"deviationLimitBps":2000,"maxFutureSkewSeconds":30}'
api "$ADMIN" POST /feeds/ETH-USD/oracles "{\"commandId\":\"oracle-key-1\",\"oracle\":\"oracle-1\",\"publicKey\":$PUB}"
ledger oracle submit --api-key "$ORACLE" --oracle oracle-1 --private-key "$PRIV" --feed ETH-USD --round 1 --price 2000

step "A pool of WETH against USDC, priced by the feed, with a market of its own"
api "$ADMIN" POST /pools '{"commandId":"pool-1","poolId":"weth-usdc","collateral":{"symbol":"WETH","decimals":18},"debt":{"symbol":"USDC","decimals":6},"feed":"ETH-USD","parameters":{"maxLtvBps":7500,"liquidationThresholdBps":8250,"liquidationPenaltyBps":500,"liquidatorBonusBps":300,"protocolFeeBps":1000,"closeFactorBps":5000,"fullCloseHealthFactor":"0.95","dustLimit":"10","liquidationCollateralCap":"1000","stabilityFeeYearly":"0.05"}}'
api "$ADMIN" POST /pools/weth-usdc/market/liquidity '{"commandId":"market-1","collateral":"100","debt":"200000"}'

step "Four borrowers each put up 2 WETH and borrow USDC (the limit is 75% of 4000)"
borrow alice "$ALICE" 2900
borrow bob "$BOB" 2500
borrow carol "$CAROL" 2200
# Past the limit: refused, with the most that would pass; nothing is appended.
refused LTV_EXCEEDED "$ALICE" POST /positions/alice-1/debt/draw '{"commandId":"alice-draw-2","amount":"200"}'
# A liquidator may not read a position; nobody may without a key.
refused ROLE_NOT_ALLOWED "$LIQ" GET /positions/alice-1
refused AUTHENTICATION_REQUIRED "" GET /positions/alice-1
api "$ALICE" GET /positions/alice-1
# Dave borrows 0.0003 USDC short of his threshold at 1700: a minute of interest takes him past it.
borrow dave "$DAVE" 2804.9997

step "ETH falls to 1700: Alice's health factor is 2 × 1700 × 0.825 / 2900 ≈ 0.967; the ledger detects her"
ledger oracle submit --api-key "$ORACLE" --oracle oracle-1 --private-key "$PRIV" --feed ETH-USD --round 2 --price 1700 >/dev/null
AUCTION=$(detected alice)
# A liquidator who proves Alice now has lost the race: a clean 409, nothing appended.
api "$ALICE" GET /positions/alice-1/opening >"$DIR/alice-opening.json"
refused_cli LIQUIDATION_IN_PROGRESS ledger liquidator submit --api-key "$LIQ" --position alice-1 --liquidator liq-1 --opening "$DIR/alice-opening.json"

step "Dave: interest carries him under between two prices; a liquidator proves it before the ledger looks again"
proven_when_due dave "$DAVE"
liquidate dave "$DAVE"                   # the proof triggers the liquidation; prints its auction's id
api "$LIQ" GET "/liquidations?poolId=weth-usdc"

step "Alice's liquidation: the ledger's proof of its detection, then a Dutch auction"
until_ok api "$LIQ" GET "/auctions/$AUCTION"
NOW=$(api "$LIQ" GET "/auctions/$AUCTION")
echo "$NOW"
# Half the debt plus the 5% penalty is the tab; the price starts 10% above the oracle's and falls.
refused PRICE_ABOVE_LIMIT "$LIQ" POST "/auctions/$AUCTION/take" '{"commandId":"take-low","taker":"liq-1","collateral":"0.5","maxPrice":"1500"}'
ledger liquidator take --api-key "$LIQ" --auction "$AUCTION" --taker liq-1 --collateral 1 --max-price "$(echo "$NOW" | field price)"
until_ok settled "$AUCTION"
api "$ALICE" GET /positions/alice-1      # half the debt repaid; the unsold collateral still alice's

step "Bob's position: the admin routes the pool's liquidations to English auctions; ETH falls to 1500; a bid of the whole tab wins"
api "$ADMIN" PATCH /pools/weth-usdc/parameters '{"commandId":"route-english","parameters":{"auction":{"route":"english"}}}' >/dev/null
ledger oracle submit --api-key "$ORACLE" --oracle oracle-1 --private-key "$PRIV" --feed ETH-USD --round 3 --price 1500 >/dev/null
AUCTION=$(detected bob)
until_ok api "$LIQ" GET "/auctions/$AUCTION"
TAB=$(api "$LIQ" GET "/auctions/$AUCTION" | field tab)
ledger liquidator bid --api-key "$LIQ" --auction "$AUCTION" --bidder liq-1 --amount "$TAB"
until_ok settled "$AUCTION"
api "$LIQ" GET "/auctions/$AUCTION"

step "Carol's position: the pool sells liquidations straight into its market; ETH falls to 1300"
api "$ADMIN" PATCH /pools/weth-usdc/parameters '{"commandId":"route-market","parameters":{"auction":{"route":"market"}}}' >/dev/null
ledger oracle submit --api-key "$ORACLE" --oracle oracle-1 --private-key "$PRIV" --feed ETH-USD --round 4 --price 1300 >/dev/null
AUCTION=$(detected carol)
until_ok settled "$AUCTION"
api "$LIQ" GET "/auctions/$AUCTION"
api "$LIQ" GET /pools/weth-usdc/market   # the swap, with its slippage under the price before
api "$AUDITOR" GET /pools/weth-usdc      # the penalties went to the reserve

step "An integrator checks every liquidation from the public streams and the verification key alone"
ledger liquidations verify

step "An auditor takes the history away and checks it offline"
ledger audit checkpoint --api-key "$AUDITOR" >/dev/null
ledger audit keygen                                   # $DATA_DIR/audit/exporter.key and .pub
ledger audit export --eventstore "$STORE"             # $DATA_DIR/audit/history.jsonl.gz, signed
ledger audit replay --file "$DIR/audit/history.jsonl.gz" --public-key "$DIR/audit/exporter.pub" --ledger-key "$LEDGER_URL/audit/ledger-key" --html "$DIR/audit/report.html"

step "Done: every step did what it said"
