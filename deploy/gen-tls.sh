#!/usr/bin/env bash
# Creates the TLS material of a network directory made by
# `licencectl network generate`: a CA (DIR/ca.pem, DIR/ca-key.pem) and, for
# every DIR/<org>/node.toml, a certificate for that node signed by the CA
# (DIR/<org>/tls.pem, DIR/<org>/tls-key.pem). The certificate's CN and
# subjectAltName carry the node name (node_id in node.toml), plus DNS:localhost
# and IP:127.0.0.1, plus anything given with --san, where {node} and {org}
# stand for the node name and org (e.g. --san 'DNS:{node}.{org}-peer.licenced.svc').
# Keys are mode 0600.
# It serves as client and server certificate (peer API mutual TLS).
#
# Usage: deploy/gen-tls.sh [--san DNS:host,IP:10.0.0.5] [--days N] DIR
#        deploy/gen-tls.sh --renew ORG [--days N] [--san ...] DIR
# Existing files are kept (an existing CA signs new node certificates), so the
# script can be re-run after adding a node; use --force to replace them all
# (the CA too). --renew ORG gives DIR/ORG's node a new key and certificate
# signed by the existing CA (same node name), written so that a running node
# picks them up without a restart (docs/api.md "TLS certificates").
set -euo pipefail

usage() {
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

extra_san=""
days=825
force=0
renew=""
dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --san) extra_san="${2:?--san needs a value}"; shift 2 ;;
    --days) days="${2:?--days needs a value}"; shift 2 ;;
    --force) force=1; shift ;;
    --renew) renew="${2:?--renew needs an org}"; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "gen-tls.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) dir="$1"; shift ;;
  esac
done
[[ -n "$dir" ]] || { echo "gen-tls.sh: name the network directory (see --help)" >&2; exit 2; }
[[ -d "$dir" ]] || { echo "gen-tls.sh: $dir is not a directory; run 'licencectl network generate --dir $dir' first" >&2; exit 2; }
command -v openssl >/dev/null || { echo "gen-tls.sh: openssl is not installed (apt-get install openssl)" >&2; exit 2; }

umask 077
ca_key="$dir/ca-key.pem"
ca_cert="$dir/ca.pem"
if [[ -n "$renew" ]]; then
  [[ $force -eq 0 ]] || { echo "gen-tls.sh: --renew and --force exclude each other" >&2; exit 2; }
  [[ -s "$ca_key" && -s "$ca_cert" ]] || { echo "gen-tls.sh: --renew needs the CA ($ca_cert and $ca_key)" >&2; exit 2; }
  [[ -f "$dir/$renew/node.toml" ]] || { echo "gen-tls.sh: no $dir/$renew/node.toml (is '$renew' an org of this network?)" >&2; exit 2; }
elif [[ $force -eq 1 || ! -s "$ca_key" || ! -s "$ca_cert" ]]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$ca_key" 2>/dev/null
  openssl req -x509 -new -key "$ca_key" -sha256 -days "$days" -subj "/CN=licenced network CA/O=licenced" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$ca_cert" 2>/dev/null
  chmod 0600 "$ca_key"
  chmod 0644 "$ca_cert"
  echo "CA:   $ca_cert"
fi

count=0
confs=("$dir"/*/node.toml)
[[ -n "$renew" ]] && confs=("$dir/$renew/node.toml")
for conf in "${confs[@]}"; do
  [[ -e "$conf" ]] || continue
  org_dir="$(dirname "$conf")"
  node="$(sed -n 's/^[[:space:]]*node_id[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$conf" | head -n1)"
  [[ -n "$node" ]] || { echo "gen-tls.sh: $conf has no node_id" >&2; exit 2; }
  cert="$org_dir/tls.pem"
  key="$org_dir/tls-key.pem"
  if [[ $force -eq 0 && -z "$renew" && -s "$cert" && -s "$key" ]]; then
    continue
  fi
  san="DNS:$node,DNS:localhost,IP:127.0.0.1"
  if [[ -n "$extra_san" ]]; then
    org="$(basename "$org_dir")"
    more="${extra_san//\{node\}/$node}"
    san="$san,${more//\{org\}/$org}"
  fi
  ext="$(mktemp)"
  csr="$(mktemp)"
  trap 'rm -f "$ext" "$csr"' EXIT
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n' "$san" >"$ext"
  # Made beside the old pair, then renamed over it: key, then certificate
  # (a running node never reads a half-written file).
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$key.new" 2>/dev/null
  openssl req -new -key "$key.new" -subj "/CN=$node/O=licenced" -out "$csr" 2>/dev/null
  openssl x509 -req -in "$csr" -CA "$ca_cert" -CAkey "$ca_key" -CAcreateserial -sha256 \
    -days "$days" -extfile "$ext" -out "$cert.new" 2>/dev/null
  rm -f "$ext" "$csr"
  chmod 0600 "$key.new"
  chmod 0644 "$cert.new"
  mv -f "$key.new" "$key"
  mv -f "$cert.new" "$cert"
  echo "node: $node -> $cert ($san)"
  count=$((count + 1))
done
rm -f "$dir/ca.srl"
echo "gen-tls.sh: $count node certificate(s) written under $dir"
