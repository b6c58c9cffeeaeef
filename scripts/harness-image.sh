#!/usr/bin/env bash
# Builds the image of another agent harness, harnesses/<name> (default openai-agents), FROM the
# sandbox base image, with no container registry: the harness's npm packages (exact versions from
# its own package-lock.json, cached by the lock's hash), its src/main.js bundled into one file with
# esbuild, then `docker build` (the classic builder: a local FROM, no network) adding /app/harness.js
# as the command. The base image's entrypoint starts the loopback forwarder first; its label
# airlock.runner-contract=1 is inherited. Tagged airlock-harness-<name>:<hash of the inputs and the
# base tag>, also :latest; prints the tag on stdout.
. "$(dirname "$0")/lib.sh"
name="${1:-openai-agents}"
dir="$ROOT/harnesses/$name"
[ -f "$dir/package-lock.json" ] && [ -f "$dir/src/main.js" ] \
  || die "no harness at $dir" "a harness has package.json, package-lock.json and src/main.js"
# The base image first (rebuilt only when its inputs changed); it records its tag in the env file.
bash "$ROOT/scripts/sandbox-image.sh" || exit 1
load_env
export DOCKER_HOST
base="${AIRLOCK_SANDBOX_IMAGE:?the base image script set no AIRLOCK_SANDBOX_IMAGE}"
REPO="airlock-harness-$name"
# Bundled beside the harness: the turn-item wording and the gateway calls, shared with the base runner.
shared=(sandbox/src/conversation.js sandbox/src/gateway-calls.js sandbox/src/log.js)
hash=$( { printf '%s\n' "$base"; cat "${BASH_SOURCE[0]}"; \
  (cd "$ROOT" && find "harnesses/$name" -path "*/node_modules" -prune -o -type f -print0 | sort -z \
    | xargs -0 -r sha256sum; sha256sum "${shared[@]}"); } | sha256sum | cut -c1-16)
tag="$REPO:$hash"

if ! docker image inspect "$tag" >/dev/null 2>&1; then
  say "building harness image $tag FROM $base"
  lock_hash=$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -c1-16)
  deps="$CACHE/harness-deps/$name-$lock_hash"
  if [ ! -x "$deps/node_modules/.bin/esbuild" ]; then
    say "installing the $name harness's packages into $deps"
    ensure_writable "$CACHE/harness-deps"
    rm -rf "$deps.tmp" && mkdir -p "$deps.tmp"
    cp "$dir/package.json" "$dir/package-lock.json" "$deps.tmp/"
    (cd "$deps.tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2) \
      || die "npm ci for the $name harness failed" "check the network to the npm registry, then run this again"
    rm -rf "$deps" && mv "$deps.tmp" "$deps"
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # The repository's layout, so the harness's relative import of the shared file resolves, with
  # the harness's own node_modules beside its sources (never the app's).
  mkdir -p "$work/src/harnesses/$name" "$work/context"
  cp -r "$dir/src" "$work/src/harnesses/$name/src"
  ln -s "$deps/node_modules" "$work/src/harnesses/$name/node_modules"
  for f in "${shared[@]}"; do mkdir -p "$work/src/$(dirname "$f")" && cp "$ROOT/$f" "$work/src/$f"; done
  "$deps/node_modules/.bin/esbuild" "$work/src/harnesses/$name/src/main.js" --bundle --platform=node \
    --format=esm --target=node22 --legal-comments=none --log-level=warning \
    --outfile="$work/context/harness.js" \
    --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" \
    || die "bundling the $name harness failed" "see the esbuild errors above"
  cat > "$work/context/Dockerfile" <<DOCKERFILE
FROM $base
COPY harness.js /app/harness.js
LABEL airlock.harness="$name"
CMD ["/usr/local/bin/node", "/app/harness.js"]
DOCKERFILE
  # The classic builder (BuildKit would want its own image); its deprecation notice is not news.
  DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$work/context" >"$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; die "docker build of the $name harness image failed" "check 'make status' and the dockerd log in .data/logs"; }
fi
docker tag "$tag" "$REPO:latest"
say "harness image: $tag"
printf '%s\n' "$tag"
