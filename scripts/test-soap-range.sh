#!/usr/bin/env bash
# soap-balancer declares node-soap as a peer dependency, `>=1.1.0 <2`: the app's own copy is used, so
# `instanceof soap.Client` holds. This runs the client's tests against the oldest version of that range
# (package-lock.json pins the newest), in a throwaway copy of the checkout, so the range stays tested.
set -euo pipefail
cd "$(dirname "$0")/.."
oldest=1.1.0
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
git ls-files -z | xargs -0 -I{} cp --parents {} "$copy"
cp -r node_modules "$copy/"
cd "$copy"
npm install --no-save --no-audit --no-fund "soap@$oldest" >/dev/null
echo "node-soap $(node -p "require('soap/package.json').version")"
node --import tsx --test --test-reporter=dot test/unit/rewrite-wsdl-node-soap.test.ts \
  test/integration/drop-in.test.ts test/integration/failover.test.ts test/integration/replay-safety.test.ts \
  test/integration/wsdl-corpus.test.ts test/integration/balancing.test.ts test/integration/close.test.ts
