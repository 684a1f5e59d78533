#!/usr/bin/env bash
# Creates, for every DIR/<org>/node.toml of a generated network, the ConfigMap
# licenced-<org>-config (node.toml rewritten for the container paths, genesis.json)
# and the Secret licenced-<org>-keys (validator.key, ca.pem, tls.pem, tls-key.pem).
# Prints the manifests (kubectl --dry-run=client -o yaml) unless --apply is given.
# In the container: config in /etc/licenced/config, keys in /etc/licenced/keys, data in
# /var/lib/licenced, listeners on 0.0.0.0:7001 (peer), :7101 (client), :7201 (http).
set -euo pipefail
apply=0
dir=""
for a in "$@"; do
  case "$a" in
    --apply) apply=1 ;;
    *) dir="$a" ;;
  esac
done
[[ -n "$dir" && -f "$dir/genesis.json" ]] || { echo "usage: create-secrets.sh [--apply] NETWORK_DIR (with genesis.json)" >&2; exit 2; }
command -v kubectl >/dev/null || { echo "create-secrets.sh: kubectl is not installed" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for conf in "$dir"/*/node.toml; do
  org="$(basename "$(dirname "$conf")")"
  sed -e 's|^data_dir = .*|data_dir = "/var/lib/licenced"|' \
      -e 's|^genesis = .*|genesis = "/etc/licenced/config/genesis.json"|' \
      -e 's|^peer = .*|peer = "0.0.0.0:7001"|' \
      -e 's|^client = .*|client = "0.0.0.0:7101"|' \
      -e 's|^http = .*|http = "0.0.0.0:7201"|' \
      -e 's|^validator_key = .*|validator_key = "/etc/licenced/keys/validator.key"|' \
      -e 's|^tls_ca = .*|tls_ca = "/etc/licenced/keys/ca.pem"|' \
      -e 's|^tls_cert = .*|tls_cert = "/etc/licenced/keys/tls.pem"|' \
      -e 's|^tls_key = .*|tls_key = "/etc/licenced/keys/tls-key.pem"|' \
      "$conf" >"$tmp/node.toml"
  out=(kubectl -n licenced create configmap "licenced-$org-config" --from-file=node.toml="$tmp/node.toml"
       --from-file=genesis.json="$dir/genesis.json" --dry-run=client -o yaml)
  sec=(kubectl -n licenced create secret generic "licenced-$org-keys"
       --from-file=validator.key="$dir/$org/validator.key" --from-file=ca.pem="$dir/ca.pem"
       --from-file=tls.pem="$dir/$org/tls.pem" --from-file=tls-key.pem="$dir/$org/tls-key.pem"
       --dry-run=client -o yaml)
  if [[ $apply == 1 ]]; then
    "${out[@]}" | kubectl apply -f -
    "${sec[@]}" | kubectl apply -f -
  else
    "${out[@]}"; echo "---"; "${sec[@]}"; echo "---"
  fi
done
