# Helpers for the example session (examples/quickstart.sh sources them). To follow the session by
# hand against a running ledger, in bash from the repository's root:
#
#   source examples/session.sh
#   export LEDGER_URL=http://127.0.0.1:3000 DATA_DIR=$(mktemp -d) DIR=$DATA_DIR ADMIN=lk_…   # the key `npm start` printed
#
# then paste the lines of examples/quickstart.sh after its "A fresh ledger" step (the README's
# quickstart lists them). A helper that fails prints why and returns non-zero; it never exits your shell.

fail() { echo "FAILED: $*" >&2; return 1; }
step() { printf '\n== %s\n' "$*"; }

# The ledger's CLI, the package's `ledger` bin (built by `npm ci`).
ledger() { node dist/src/cli/main.js "$@"; }

# api KEY METHOD PATH [BODY]: one HTTP call as the holder of KEY (none: anonymous); prints the answer,
# and fails on a refusal.
api() {
  local answer
  answer=$(curl -sS -X "$2" "$LEDGER_URL$3" ${1:+-H "authorization: Bearer $1"} -H 'content-type: application/json' ${4:+-d "$4"} -w '\n%{http_code}') || return 1
  if [[ ${answer##*$'\n'} -ge 400 ]]; then fail "$2 $3: ${answer%$'\n'*}"; return 1; fi
  echo "${answer%$'\n'*}"
}

# refused CODE KEY METHOD PATH [BODY]: the call must be refused with this code; prints the refusal.
refused() {
  local code=$1 answer
  shift
  answer=$(curl -sS -X "$2" "$LEDGER_URL$3" ${1:+-H "authorization: Bearer $1"} -H 'content-type: application/json' ${4:+-d "$4"}) || return 1
  if [[ $answer != *"\"code\":\"$code\""* ]]; then fail "$2 $3 was not refused with $code: $answer"; return 1; fi
  echo "$answer"
}

# field PATH: one field of the JSON on standard input (dots for nested fields).
field() {
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    let v = JSON.parse(s); for (const k of process.argv[1].split(".")) v = v?.[k];
    if (v === undefined) { console.error(`no ${process.argv[1]} in ${s}`); process.exit(1); }
    console.log(typeof v === "string" ? v : JSON.stringify(v)); })' "$1"
}

# until_ok COMMAND...: retries the command for up to a minute until it succeeds: for what the ledger
# does on its own (an auction starting after a trigger, a sale settling).
until_ok() {
  for _ in $(seq 600); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "timed out waiting for: $*"
}

# settled AUCTION: whether the auction is over.
settled() { [[ $(api "$LIQ" GET "/auctions/$1" | field status) == settled ]]; }

# borrow WHO KEY DEBT: opens WHO-1, deposits 2 WETH, draws DEBT USDC; prints the health factor.
borrow() {
  api "$2" POST /positions "{\"commandId\":\"$1-open\",\"positionId\":\"$1-1\",\"poolId\":\"weth-usdc\"}" >/dev/null &&
    api "$2" POST "/positions/$1-1/collateral/deposit" "{\"commandId\":\"$1-deposit\",\"amount\":\"2\"}" >/dev/null &&
    api "$2" POST "/positions/$1-1/debt/draw" "{\"commandId\":\"$1-draw\",\"amount\":\"$3\"}" | field healthFactor
}

# detected WHO: waits (up to two minutes) for the ledger to detect WHO-1 below its threshold; prints
# the liquidation's id, which is its auction's: the position, a dot, the revision of the trigger. A
# liquidation sold straight into the pool market may be over before it is seen under way: then its
# settled auction names it.
detected() {
  local id deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)); do
    id=$({ api "$LIQ" GET "/liquidations?poolId=weth-usdc" && api "$LIQ" GET "/auctions?poolId=weth-usdc&status=settled"; } | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const found = s.trim().split("\n").flatMap((line) => JSON.parse(line)).find((x) => x.positionId === process.argv[1]);
      if (found) console.log(found.liquidationId ?? found.auctionId); })' "$1-1") || return 1
    [[ -n $id ]] && { echo "$id"; return 0; }
    sleep 0.5
  done
  fail "the ledger did not detect $1-1"
}

# refused_cli CODE COMMAND...: the CLI command must fail with the ledger's refusal CODE; prints it.
refused_cli() {
  local code=$1 answer
  shift
  if answer=$("$@" 2>&1); then fail "$* was not refused: $answer"; return 1; fi
  if [[ $answer != *"$code"* ]]; then fail "$* was not refused with $code: $answer"; return 1; fi
  echo "$answer"
}

# proven_when_due WHO KEY: the owner (KEY) hands the position's opening to the liquidator liq-1, who
# tries to prove it below its threshold at the latest round's price every five seconds (up to five
# minutes) until interest has carried it there.
proven_when_due() {
  api "$2" GET "/positions/$1-1/opening" >"$DIR/$1-opening.json" || return 1
  for _ in $(seq 60); do
    ledger liquidator prove --api-key "$LIQ" --position "$1-1" --liquidator liq-1 --opening "$DIR/$1-opening.json" >/dev/null 2>&1 && return 0
    sleep 5
  done
  fail "$1-1 did not become liquidatable"
}

# liquidate WHO KEY: the owner (KEY) hands the position's opening to the liquidator liq-1, who proves
# the position is below its liquidation threshold at the latest round's accepted price (the quorum
# median) and submits the proof. Prints the auction's id: the position, a dot, the revision of its
# LiquidationTriggered.
liquidate() {
  api "$2" GET "/positions/$1-1/opening" >"$DIR/$1-opening.json" || return 1
  local revision
  revision=$(ledger liquidator submit --api-key "$LIQ" --position "$1-1" --liquidator liq-1 --opening "$DIR/$1-opening.json" | field revision) || return 1
  echo "$1-1.$revision"
}
