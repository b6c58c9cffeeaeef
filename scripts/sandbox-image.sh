#!/usr/bin/env bash
# Builds the sandbox base image with no container registry: a root filesystem assembled from local
# files (the Node.js binary, /bin/sh and a few basic commands for the agent's shell tool, the shared
# libraries ldd lists, a non-root user) plus the agent runner bundled into one file, /app/runner.js,
# imported with `docker import`. Tagged by a hash of its inputs, so it is rebuilt only when they change.
# It also carries the loopback forwarder (/app/forward.js, started by /app/entrypoint.sh when the
# driver sets AIRLOCK_FORWARD_PORT) and the label airlock.runner-contract=1 (docs/harnesses.md), so
# images built FROM it can hold other harnesses.
. "$(dirname "$0")/lib.sh"
load_env
[ -n "${DOCKER_HOST:-}" ] || die "no Docker engine configured" "run 'make up' first"
export DOCKER_HOST
NODE_BIN=$(readlink -f "$(command -v node)")
REPO=airlock-sandbox
# Commands the agent's `shell` tool can use, copied from this host with their libraries (dash is /bin/sh).
TOOLS=(dash cat ls mkdir rm cp mv ln touch head tail wc sort uniq cut tr grep sed find env date echo printf sleep)

bins=("$NODE_BIN")
for t in "${TOOLS[@]}"; do
  p=$(type -P "$t") && bins+=("$(readlink -f "$p")")
done
libs=()
while read -r lib; do libs+=("$lib"); done < <(ldd "${bins[@]}" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | sort -u)
inputs=("${bins[@]}")
for lib in "${libs[@]}"; do inputs+=("$(readlink -f "$lib")"); done
# The runner's sources and lock, and this script: a change to any of them rebuilds the image.
hash=$( { for f in "${inputs[@]}"; do printf '%s\n' "$f"; done; cat "${inputs[@]}" "${BASH_SOURCE[0]}"; \
  find "$ROOT/sandbox" -path "$ROOT/sandbox/node_modules" -prune -o -type f -print0 | sort -z \
  | xargs -0 -r sha256sum | sed "s|$ROOT/||"; } | sha256sum | cut -c1-16)
tag="$REPO:$hash"

# bundle_runner OUT: install the sandbox's npm packages (exact versions from sandbox/package-lock.json)
# into .cache, keyed by the lock's hash, then bundle sandbox/src/main.js and its packages into OUT.
bundle_runner() {
  local lock_hash deps work
  lock_hash=$(cat "$ROOT/sandbox/package.json" "$ROOT/sandbox/package-lock.json" | sha256sum | cut -c1-16)
  deps="$CACHE/sandbox-deps/$lock_hash"
  if [ ! -x "$deps/node_modules/.bin/esbuild" ]; then
    say "installing the sandbox runner's packages into $deps"
    ensure_writable "$CACHE/sandbox-deps"
    rm -rf "$deps.tmp" && mkdir -p "$deps.tmp"
    cp "$ROOT/sandbox/package.json" "$ROOT/sandbox/package-lock.json" "$deps.tmp/"
    (cd "$deps.tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2) \
      || die "npm ci for the sandbox runner failed" "check the network to the npm registry, then run 'make up' again"
    rm -rf "$deps" && mv "$deps.tmp" "$deps"
  fi
  # Built beside its node_modules, so the bundle resolves the sandbox's packages, never the app's.
  work=$(mktemp -d)
  cp -r "$ROOT/sandbox/src" "$work/src"
  ln -s "$deps/node_modules" "$work/node_modules"
  # ESM output; the banner gives bundled CommonJS packages the `require` they expect.
  "$deps/node_modules/.bin/esbuild" "$work/src/main.js" --bundle --platform=node --format=esm \
    --target=node22 --legal-comments=none --log-level=warning --outfile="$1" \
    --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" \
    || { rm -rf "$work"; die "bundling the sandbox runner failed" "see the esbuild errors above"; }
  rm -rf "$work"
}

if ! docker image inspect "$tag" >/dev/null 2>&1; then
  say "building sandbox image $tag"
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs"/{usr/local/bin,bin,etc,tmp,workspace,app,home/agent}
  bundle_runner "$rootfs/app/runner.js"
  cp "$ROOT/sandbox/src/forward.js" "$rootfs/app/forward.js"
  cp "$ROOT/sandbox/src/entrypoint.sh" "$rootfs/app/entrypoint.sh"
  chmod 0755 "$rootfs/app/entrypoint.sh"
  printf '{ "type": "module" }\n' > "$rootfs/app/package.json"
  cp "$NODE_BIN" "$rootfs/usr/local/bin/node"
  for t in "${TOOLS[@]}"; do
    p=$(type -P "$t") || continue
    if [ "$t" = dash ]; then cp -L "$p" "$rootfs/bin/sh"; else cp -L "$p" "$rootfs/bin/$t"; fi
  done
  for lib in "${libs[@]}"; do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  printf 'root:x:0:0::/root:/bin/false\nagent:x:1000:1000::/home/agent:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nagent:x:1000:\n' > "$rootfs/etc/group"
  chmod 1777 "$rootfs/tmp"
  chown 1000:1000 "$rootfs/workspace" "$rootfs/home/agent"
  tar -C "$rootfs" --numeric-owner -c . | docker import \
    -c 'USER 1000:1000' -c 'WORKDIR /workspace' -c 'ENV HOME=/home/agent' \
    -c 'ENV PATH=/usr/local/bin:/bin' \
    -c 'LABEL airlock.runner-contract=1' \
    -c 'ENTRYPOINT ["/bin/sh", "/app/entrypoint.sh"]' \
    -c 'CMD ["/usr/local/bin/node", "/app/runner.js"]' - "$tag" >/dev/null \
    || die "docker import of the sandbox image failed" "check 'make status' and the dockerd log in .data/logs"
fi
docker tag "$tag" "$REPO:latest"
env_set AIRLOCK_SANDBOX_IMAGE "$tag"
say "sandbox image: $tag"
