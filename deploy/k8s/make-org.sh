#!/usr/bin/env bash
# Renders market.yaml for another org: deploy/k8s/make-org.sh police | kubectl apply -f -
set -euo pipefail
org="${1:?usage: make-org.sh ORG}"
[[ "$org" =~ ^[a-z][a-z0-9-]{0,31}$ ]] || { echo "make-org.sh: '$org' is not a valid org id" >&2; exit 2; }
sed "s/market/$org/g" "$(dirname "$0")/market.yaml"
