#!/usr/bin/env bash
# Rebuilds the liquidation circuit's artifacts from scratch: `npm run circuits:build`.
#
#   1. compile circuits/liquidation.circom with circom 2 (the `circom2` package), --O2;
#   2. a local powers-of-tau ceremony on bn128, 2^12 powers: new, one contribution, a beacon, phase-2 prep;
#   3. Groth16 setup for the circuit, one contribution, a beacon, then `zkey verify` against the r1cs and ptau;
#   4. export the verification key and write circuits/build/{liquidation.wasm, liquidation.zkey,
#      verification_key.json, circuit.json} plus artifacts.sha256 (also covering the circuit source).
#
# Intermediate files (r1cs, ptau, intermediate zkeys) stay in circuits/build/tmp/, which git ignores.
# Entropy comes from /dev/urandom, so every run gives different keys: rebuild only when the circuit
# changes, commit the result, and the artifact test (src/zk/artifacts.spec.ts) checks the hashes.
# Takes several minutes on a small machine. Set REUSE_PTAU=1 to keep an existing phase-1 file.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=circuits/build
TMP=$OUT/tmp
POWERS=12
SNARKJS="node $ROOT/node_modules/snarkjs/build/cli.cjs"
CIRCOM="$ROOT/node_modules/.bin/circom2"

random_hex() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
step() { echo "[$(date +%H:%M:%S)] $*"; }

mkdir -p "$TMP"

step "compile (circom 2, --O2)"
"$CIRCOM" circuits/liquidation.circom --r1cs --wasm --O2 -o "$TMP" | sed 's/\x1b\[[0-9;]*m//g' | tee "$TMP/compile.log"
count() { sed -n "s/^$1: \([0-9]*\)$/\1/p" "$TMP/compile.log"; }
nonlinear=$(count 'non-linear constraints')
linear=$(count 'linear constraints')
public=$(count 'public inputs')
private=$(count 'private inputs')
constraints=$((nonlinear + ${linear:-0}))
step "constraints: $constraints (limit $((1 << POWERS)))"
if [ "$constraints" -ge $((1 << POWERS)) ]; then echo "too many constraints for 2^$POWERS powers" >&2; exit 1; fi

PTAU=$TMP/pot${POWERS}_final.ptau
if [ "${REUSE_PTAU:-0}" = 1 ] && [ -f "$PTAU" ]; then
  step "phase 1: reusing $PTAU"
else
  step "phase 1: powers of tau, bn128, 2^$POWERS"
  $SNARKJS powersoftau new bn128 $POWERS "$TMP/pot_0000.ptau"
  $SNARKJS powersoftau contribute "$TMP/pot_0000.ptau" "$TMP/pot_0001.ptau" --name="ledger local contribution" -e="$(random_hex)"
  $SNARKJS powersoftau beacon "$TMP/pot_0001.ptau" "$TMP/pot_beacon.ptau" "$(random_hex)" 10 -n="ledger phase 1 beacon"
  step "phase 1: prepare phase 2"
  $SNARKJS powersoftau prepare phase2 "$TMP/pot_beacon.ptau" "$PTAU"
fi

step "phase 2: Groth16 setup"
$SNARKJS groth16 setup "$TMP/liquidation.r1cs" "$PTAU" "$TMP/liquidation_0000.zkey"
$SNARKJS zkey contribute "$TMP/liquidation_0000.zkey" "$TMP/liquidation_0001.zkey" --name="ledger circuit contribution" -e="$(random_hex)"
$SNARKJS zkey beacon "$TMP/liquidation_0001.zkey" "$TMP/liquidation_final.zkey" "$(random_hex)" 10 -n="ledger phase 2 beacon"
step "phase 2: verify the final key against the circuit and the ceremony"
$SNARKJS zkey verify "$TMP/liquidation.r1cs" "$PTAU" "$TMP/liquidation_final.zkey"

step "export"
cp "$TMP/liquidation_js/liquidation.wasm" "$OUT/liquidation.wasm"
cp "$TMP/liquidation_final.zkey" "$OUT/liquidation.zkey"
$SNARKJS zkey export verificationkey "$OUT/liquidation.zkey" "$OUT/verification_key.json"
circom_version=$("$CIRCOM" --version 2>/dev/null | sed -n 's/circom compiler //p')
cat > "$OUT/circuit.json" <<EOF
{
  "circuit": "liquidation",
  "compiler": "circom $circom_version --O2",
  "curve": "bn128",
  "powers": $POWERS,
  "constraints": $constraints,
  "publicInputs": $public,
  "privateInputs": $private
}
EOF

step "manifest"
(cd circuits && sha256sum liquidation.circom build/liquidation.wasm build/liquidation.zkey \
  build/verification_key.json build/circuit.json > build/artifacts.sha256)
cat "$OUT/artifacts.sha256"
ls -l "$OUT"
step "done"
