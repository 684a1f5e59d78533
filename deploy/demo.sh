#!/usr/bin/env bash
# deploy/demo.sh: the README's main command. From a clean clone it installs what
# is missing, builds, starts the four-bureau network, enrols clerks, runs the
# one-stop enterprise opening end to end through licencectl (each department
# through its own node), then exports the business licence's proof, presents it
# to a bank verifier with a fresh challenge, verifies it offline with only
# genesis.json, revokes the licence and shows verification failing. Then the
# newborn registration (health, police, social) end to end, the social
# security card exported as a W3C Verifiable Credential and checked by the
# stock third-party verifier with the status lists served by social's node,
# and where the offline verification page is served.
#
# Usage: deploy/demo.sh [--dir DIR] [--skip-install] [--skip-build] [--keep]
#   --dir DIR        network dir (default: $LOCAL_NET_DIR, else REPO/.demo-net).
#                    A network already in DIR is stopped and deleted first,
#                    unless --keep is given (then it is reused as it is).
#   --skip-install   do not run deploy/install-deps.sh
#   --skip-build     do not build; use the binaries in $LICENCED_BIN_DIR
#                    (default REPO/build/release)
# The network is left running; stop it with 'deploy/local-net down --dir DIR'.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${LOCAL_NET_DIR:-$REPO/.demo-net}"
INSTALL=1
BUILD=1
KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR="${2:?--dir needs a directory}"; shift 2 ;;
    --dir=*) DIR="${1#--dir=}"; shift ;;
    --skip-install) INSTALL=0; shift ;;
    --skip-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown argument $1 (see deploy/demo.sh --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$(dirname "$DIR")"
DIR="$(cd "$(dirname "$DIR")" && pwd)/$(basename "$DIR")"
export LICENCED_BIN_DIR="${LICENCED_BIN_DIR:-$REPO/build/release}"
LOCAL_NET="$REPO/deploy/local-net"

# ---------------------------------------------------------------- output helpers
if [[ -t 1 ]]; then B=$'\e[1m'; D=$'\e[2m'; G=$'\e[32m'; R=$'\e[31m'; N=$'\e[0m'; else B= D= G= R= N=; fi
STEP=0
step() {  # step WHO WHAT
  STEP=$((STEP + 1))
  printf '\n%s== Step %d: %s%s\n' "$B" "$STEP" "$2" "$N"
  printf '   %sby: %s%s\n' "$D" "$1" "$N"
}
say() { printf '   %s\n' "$*"; }
ok() { printf '   %s✔ %s%s\n' "$G" "$*" "$N"; }
fail() {
  printf '\n%sdemo: step %d failed: %s%s\n' "$R" "$STEP" "$*" "$N" >&2
  if [[ -f "$DIR/genesis.json" ]]; then
    printf 'The network is left as it is: deploy/local-net status --dir %s; stop it with deploy/local-net down --dir %s\n' "$DIR" "$DIR" >&2
  fi
  exit 1
}
trap 'fail "command failed (line $LINENO)"' ERR

CTL=""
# ctl ARGS...: shows and runs one licencectl command against the network.
ctl() {
  local shown="${*//$DIR/\$NET}"
  printf '   %s$ licencectl --net $NET %s%s\n' "$D" "$shown" "$N"
  "$CTL" --net "$DIR" "$@" 2>&1 | sed 's/^/     /'
  return "${PIPESTATUS[0]}"
}
# q ARGS...: runs licencectl --json quietly and prints its output.
q() { "$CTL" --net "$DIR" --json "$@"; }
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {"d": d}))' "$1"; }

printf '%slicenced demo: one-stop enterprise opening on a permissioned PBFT ledger%s\n' "$B" "$N"
say "network dir: \$NET = $DIR"

# ---------------------------------------------------------------- 1. install
step "this machine (deploy/install-deps.sh)" "install the Debian packages licenced needs"
if [[ $INSTALL == 1 ]]; then
  "$REPO/deploy/install-deps.sh" || fail "deploy/install-deps.sh failed (run it as root or with sudo)"
  ok "all build and runtime packages are installed"
else
  say "skipped (--skip-install)"
fi

# ---------------------------------------------------------------- 2. build
step "this machine (CMake, release preset)" "build licenced and licencectl"
if [[ $BUILD == 1 ]]; then
  say "about 9 minutes on a fresh 2-core machine (ccache makes later builds fast)"
  (cd "$REPO" && cmake --preset release >/dev/null) \
    || fail "cmake --preset release failed (see the messages above)"
  "$REPO/deploy/lib/build-progress.sh" "$REPO/build-demo.log" cmake --build "$REPO/build/release" -j2 \
    || { tail -n 30 "$REPO/build-demo.log" >&2; fail "build failed; full log: $REPO/build-demo.log"; }
  ok "built into build/release (log: build-demo.log)"
else
  say "skipped (--skip-build); binaries from $LICENCED_BIN_DIR"
fi
for d in "$LICENCED_BIN_DIR" "$LICENCED_BIN_DIR/cli" "$LICENCED_BIN_DIR/bin"; do
  [[ -x "$d/licencectl" && -f "$d/licencectl" ]] && { CTL="$d/licencectl"; break; }
done
[[ -n "$CTL" ]] || fail "no licencectl under $LICENCED_BIN_DIR; build it or set LICENCED_BIN_DIR"

# ---------------------------------------------------------------- 3. network
step "the operators of the four bureaus (deploy/local-net)" \
  "start the network: market, police, social and tax run one validator each (f = 1)"
if [[ -f "$DIR/genesis.json" && $KEEP == 0 ]]; then
  say "removing the earlier demo network in $DIR"
  "$LOCAL_NET" down --dir "$DIR" >/dev/null 2>&1 || true
  rm -rf "$DIR"
fi
"$LOCAL_NET" up --dir "$DIR" 2>&1 | sed 's/^/     /'
[[ ${PIPESTATUS[0]} == 0 ]] || fail "deploy/local-net up failed"
ok "4 validators committed a first block; health (hospitals) and bank are member orgs without a node"

KEYS="$DIR/demo/keys"
WORK="$DIR/demo"
mkdir -p "$KEYS"

# ---------------------------------------------------------------- 4. clerks
step "each org's admin (its genesis admin key DIR/<org>/admin.key)" \
  "enrol clerks: keys are made by the clerks, only public keys go on the ledger"
for k in market-window market-clerk police-clerk engraver social-clerk tax-clerk bank-clerk holder; do
  "$CTL" keygen --out "$KEYS/$k.key" >/dev/null
done
say "keys: \$NET/demo/keys/{market-window,market-clerk,police-clerk,engraver,social-clerk,tax-clerk,bank-clerk,holder}.key"
ctl --org market clerk enrol --name "Wang Fang (market window)" --roles window --pubkey "$KEYS/market-window.key.pub"
ctl --org market clerk enrol --name "Liu Yang (market registration)" --roles clerk,licensing --pubkey "$KEYS/market-clerk.key.pub"
ctl --org police clerk enrol --name "Sun Li (police seal office)" --roles clerk --pubkey "$KEYS/police-clerk.key.pub"
ctl --org police clerk enrol --name "Jinan Huaxin Seal Engraving" --roles engraver --pubkey "$KEYS/engraver.key.pub"
ctl --org social clerk enrol --name "Zhou Min (social security)" --roles clerk --pubkey "$KEYS/social-clerk.key.pub"
ctl --org tax clerk enrol --name "Wu Gang (tax bureau)" --roles clerk --pubkey "$KEYS/tax-clerk.key.pub"
ctl --org bank clerk enrol --name "Qilu Bank, Hi-tech Zone branch" --roles clerk --pubkey "$KEYS/bank-clerk.key.pub"
ctl clerk list --all
ok "7 clerks enrolled by 5 org admins (the engraver by police)"

# ---------------------------------------------------------------- 5. window
step "the market window clerk, through market's node" \
  "open the enterprise case: one application, personal fields salted and sealed to each department"
cp "$REPO/examples/enterprise-application.json" "$WORK/enterprise-application.json"
ctl --org market --key "$KEYS/market-window.key" case open enterprise \
  --file "$WORK/enterprise-application.json" --holder-key "$KEYS/holder.key.pub"
CASE="$(q case list --flow enterprise --status open | jget 'd[-1]["id"]')"
[[ -n "$CASE" ]] || fail "no open enterprise case after case open"
ok "case $CASE is open; the applicant keeps the salts in \$NET/demo/enterprise-application.secrets.json"

# run_task ORG KEY STEP [OUTPUTS_FILE]: inbox, show, claim and complete through ORG's node.
run_task() {
  local org="$1" key="$2" stepid="$3" file="${4:-}"
  ctl --org "$org" --key "$KEYS/$key.key" inbox
  ctl --org "$org" task show "$CASE/$stepid"
  ctl --org "$org" --key "$KEYS/$key.key" task claim "$CASE/$stepid"
  if [[ -n "$file" ]]; then
    ctl --org "$org" --key "$KEYS/$key.key" task complete "$CASE/$stepid" --file "$file"
  else
    ctl --org "$org" --key "$KEYS/$key.key" task complete "$CASE/$stepid"
  fi
}

step "the market registration clerk, through market's node" \
  "business licence: assigns the unified social credit code and issues licence BL"
run_task market market-clerk business_licence
BL="$(q case show "$CASE" | jget 'd["outputs"]["licences"]["BL"]')"
ok "business licence $BL issued; seal filing, social security and taxpayer registration are now ready"

step "the police seal office clerk, through police's node" "seal filing: one filing number per seal"
run_task police police-clerk seal_filing

step "the seal engraver (enrolled by police), through police's node" "seal engraving of every filed seal"
run_task police engraver seal_engraving

step "the social-security clerk, through social's node" "employer social-security registration"
run_task social social-clerk social_security

step "the tax clerk, through tax's node" "taxpayer registration and invoice types"
run_task tax tax-clerk taxpayer "$REPO/examples/enterprise-taxpayer.json"

step "the bank clerk (bank is a member org: it uses market's node)" \
  "open the company's bank account (needs the licence and the engraved seals)"
run_task bank bank-clerk bank_account "$REPO/examples/enterprise-bank_account.json"

step "anyone with read access" "the case is complete: tasks, outputs and the audit trail"
ctl --org market case show "$CASE" --audit
ctl --org market licence show "$BL"
[[ "$(q case show "$CASE" | jget 'd["status"]')" == completed ]] || fail "case $CASE is not completed"
ok "case $CASE completed; licence $BL is valid"

# ---------------------------------------------------------------- 6. proofs
EXPORT="proof export" PRESENT="proof present" VERIFY="proof verify"

step "the holder (the new company), through market's node" \
  "export the licence proof (format v3): the record and its status in the state after a block, under that block's state certificate"
# shellcheck disable=SC2086
ctl --org market $EXPORT "$BL" --out "$WORK/proof.json"

step "the bank verifier, then the holder (offline)" \
  "the bank sends a fresh random challenge; the holder signs a presentation disclosing the enterprise name"
CHALLENGE="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
say "challenge from the bank: $CHALLENGE"
# shellcheck disable=SC2086
ctl $PRESENT --proof "$WORK/proof.json" --key "$KEYS/holder.key" --challenge "$CHALLENGE" \
  --secrets "$WORK/enterprise-application.secrets.json" --disclose enterprise_name \
  --out "$WORK/presentation.json"

step "the bank verifier, offline: only genesis.json, no node" "verify the presentation"
# Offline: no --net, no --node; only the genesis file.
offline_verify() {  # offline_verify PRESENTATION CHALLENGE: prints the output, sets VRC
  printf '   %s$ licencectl %s %s --genesis $NET/genesis.json --challenge %s%s\n' "$D" "$VERIFY" \
    "${1//$DIR/\$NET}" "$2" "$N"
  set +e
  # shellcheck disable=SC2086
  VOUT="$("$CTL" $VERIFY "$1" --genesis "$DIR/genesis.json" --challenge "$2" 2>&1)"
  VRC=$?
  set -e
  printf '%s\n' "$VOUT" | sed 's/^/     /'
}
trap - ERR
offline_verify "$WORK/presentation.json" "$CHALLENGE"
trap 'fail "command failed (line $LINENO)"' ERR
[[ $VRC == 0 ]] || fail "verification of a valid licence failed (exit $VRC)"
ok "valid: issuer entitled, record and status proven under a 2f+1 certificate, holder signature, disclosure"

step "the market licensing clerk, through market's node" "revoke the business licence"
ctl --org market --key "$KEYS/market-clerk.key" licence revoke "$BL" --reason "demo: licence revoked after an inspection"

step "the holder, through market's node" \
  "export right away: the revoking block's own state certificate proves REVOKED, no further block needed"
set +e
trap - ERR
# shellcheck disable=SC2086
XOUT="$(ctl --org market $EXPORT "$BL" --out "$WORK/proof-after-revoke.json" 2>&1)"
XRC=$?
trap 'fail "command failed (line $LINENO)"' ERR
set -e
printf '%s\n' "$XOUT"
[[ $XRC == 1 ]] || fail "expected the export of a revoked licence's proof to be refused (exit 1), got $XRC"
grep -q LICENCE_REVOKED <<<"$XOUT" || fail "expected the export to be refused with LICENCE_REVOKED"
[[ ! -e "$WORK/proof-after-revoke.json" ]] || fail "a proof of a revoked licence was written"
ok "refused at once: the state after the revoking block, certified by 2f+1 validators, says LICENCE_REVOKED"

step "the holder, then the bank verifier" \
  "the holder presents the old proof to a new challenge; the bank fetches a fresh status proof"
CHALLENGE2="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
say "new challenge from the bank: $CHALLENGE2"
# shellcheck disable=SC2086
ctl $PRESENT --proof "$WORK/proof.json" --key "$KEYS/holder.key" \
  --challenge "$CHALLENGE2" --secrets "$WORK/enterprise-application.secrets.json" \
  --disclose enterprise_name --out "$WORK/presentation-after-revoke.json"
printf '   %s$ licencectl --net $NET --org police %s $NET/demo/presentation-after-revoke.json --genesis $NET/genesis.json --challenge %s%s\n' \
  "$D" "$VERIFY" "$CHALLENGE2" "$N"
trap - ERR
set +e
# shellcheck disable=SC2086
VOUT="$("$CTL" --net "$DIR" --org police $VERIFY "$WORK/presentation-after-revoke.json" \
  --genesis "$DIR/genesis.json" --challenge "$CHALLENGE2" 2>&1)"
VRC=$?
set -e
printf '%s\n' "$VOUT" | sed 's/^/     /'
if [[ $VRC != 1 ]] || ! grep -q LICENCE_REVOKED <<<"$VOUT"; then
  fail "expected verification to fail (exit 1) with LICENCE_REVOKED, got exit $VRC"
fi
ok "invalid: LICENCE_REVOKED (exit code 1)"

# ---------------------------------------------------------------- 7. newborn
step "the health admin (health runs no node: it talks to a validator's node)" "enrol the hospital's clerks"
for k in health-window health-clerk guardian; do
  "$CTL" keygen --out "$KEYS/$k.key" >/dev/null
done
ctl --org health clerk enrol --name "Chen Jing (hospital registration window)" --roles window --pubkey "$KEYS/health-window.key.pub"
ctl --org health clerk enrol --name "Dr. Huang Wei (obstetrics)" --roles clerk --pubkey "$KEYS/health-clerk.key.pub"
ok "the newborn flow's police and social steps use the clerks enrolled above"

step "the hospital registration window" \
  "open the newborn case: the guardian's application, personal fields salted and sealed"
cp "$REPO/examples/newborn-application.json" "$WORK/newborn-application.json"
ctl --org health --key "$KEYS/health-window.key" case open newborn \
  --file "$WORK/newborn-application.json" --holder-key "$KEYS/guardian.key.pub"
CASE="$(q case list --flow newborn --status open | jget 'd[-1]["id"]')"
[[ -n "$CASE" ]] || fail "no open newborn case after case open"
ok "case $CASE is open"

step "the obstetrician (health)" "birth medical certificate, then the vaccination record"
run_task health health-clerk birth_certificate "$REPO/examples/newborn-birth_certificate.json"
run_task health health-clerk vaccination "$REPO/examples/newborn-vaccination.json"

step "the police household registration clerk, through police's node" \
  "household registration: assigns the child's resident ID number (kept off the ledger in clear)"
(cd "$WORK" && run_task police police-clerk household_registration "$REPO/examples/newborn-household_registration.json")

step "the social-security clerk, through social's node" "medical insurance, then the social security card"
run_task social social-clerk medical_insurance "$REPO/examples/newborn-medical_insurance.json"
run_task social social-clerk social_security_card "$REPO/examples/newborn-social_security_card.json"
ctl --org social case show "$CASE"
[[ "$(q case show "$CASE" | jget 'd["status"]')" == completed ]] || fail "newborn case $CASE is not completed"
SSC="$(q case show "$CASE" | jget 'd["outputs"]["licences"]["SSC"]')"
ok "newborn case $CASE completed within the flow; social security card $SSC issued"

# ---------------------------------------------------------------- 8. credentials
step "the social security bureau (its admin key signs), through social's node" \
  "export the social security card as a W3C Verifiable Credential (eddsa-jcs-2022, status lists, ledger evidence)"
ctl --org social tx submit --chaincode identity --method enrol_clerk \
  --args "{\"name\":\"demo filler\",\"public_key\":\"$("$CTL" keygen --out "$KEYS/filler.key" >/dev/null; cat "$KEYS/filler.key.pub")\",\"roles\":[\"clerk\"]}" >/dev/null
ctl --org social proof export "$SSC" --format vc --out "$WORK/social-security-card.vc.json"
SOCIAL_HTTP="$(sed -n 's/^http = "\(.*\)"$/\1/p' "$DIR/social/node.toml")"
for purpose in revocation suspension; do
  url="http://$SOCIAL_HTTP/credentials/status/social/$purpose/0"
  python3 -c 'import sys, urllib.request; open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1], timeout=30).read())' \
    "$url" "$WORK/social-$purpose.json" || fail "social's node did not serve $url"
  say "status list served by social's node: $url"
done
ctl proof verify-credential "$WORK/social-security-card.vc.json" --genesis "$DIR/genesis.json" \
  --status-list "$WORK/social-revocation.json" --status-list "$WORK/social-suspension.json"
ok "licencectl: the issuer is social's genesis admin key, the ledger evidence verifies against the genesis"
if command -v node >/dev/null && [[ -d "$REPO/tests/interop/node_modules/@digitalbazaar/vc" ]]; then
  printf '   %s$ node tests/interop/verify.js $NET/demo/social-security-card.vc.json $NET/demo/social-{revocation,suspension}.json%s\n' "$D" "$N"
  VOUT="$(node "$REPO/tests/interop/verify.js" "$WORK/social-security-card.vc.json" \
    "$WORK/social-revocation.json" "$WORK/social-suspension.json")" \
    || fail "the stock verifier refused the credential: $VOUT"
  say "$VOUT"
  ok "verified offline by the stock @digitalbazaar verifiers (proof, validity, both status lists)"
else
  say "the stock verifier is not installed (deploy/install-deps.sh runs npm ci in tests/interop)"
fi

MARKET_HTTP="$(sed -n 's/^http = "\(.*\)"$/\1/p' "$DIR/market/node.toml")"
printf '\n%sThe offline verification page%s is served by every node, e.g. http://%s/verify/\n' "$B" "$N" "$MARKET_HTTP"
printf '  (or open %s/web/verify/index.html as a saved file; load %s/genesis.json once)\n' "$REPO" "$DIR"
printf '%sThe credential it exported%s (%s):\n' "$B" "$N" "$WORK/social-security-card.vc.json"
cat "$WORK/social-security-card.vc.json"

printf '\n%sDemo complete.%s Files: $NET/demo (keys, application, salts, proofs, presentations, credentials).\n' "$B" "$N"
printf 'The network is still running. Look around:  %s --net %s status\n' "$CTL" "$DIR"
printf 'Stop it with:\n  deploy/local-net down --dir %s\n' "$DIR"
