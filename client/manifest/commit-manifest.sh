#!/bin/sh
# Stages package.json as HEAD's version plus this extension's fields only, so a commit never
# carries another helper's uncommitted package.json edits. Run inside `flock /tmp/git.lock`.
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp)
git show HEAD:package.json > "$tmp"
node client/manifest/contributes.mjs --manifest "$tmp" >/dev/null
blob=$(git hash-object -w "$tmp")
git update-index --cacheinfo 100644,"$blob",package.json
rm -f "$tmp"
