#!/usr/bin/env bash
# Builds the sandbox base image with no registry: a root filesystem assembled from local files
# (the Node.js binary, the shared libraries ldd lists, a non-root user, and sandbox/ files),
# imported with `docker import`. Tagged by a hash of its inputs, so it is rebuilt only when they change.
. "$(dirname "$0")/lib.sh"
load_env
[ -n "${DOCKER_HOST:-}" ] || die "no Docker engine configured" "run 'make up' first"
export DOCKER_HOST
NODE_BIN=$(readlink -f "$(command -v node)")
REPO=airlock-sandbox

files=("$NODE_BIN")
while read -r lib; do files+=("$(readlink -f "$lib")"); done < <(ldd "$NODE_BIN" | grep -oE '/[^ ]+')
hash=$( { for f in "${files[@]}"; do printf '%s\n' "$f"; done; cat "${files[@]}"; \
  find "$ROOT/sandbox" -type f -print0 | sort -z | xargs -0 -r cat; } | sha256sum | cut -c1-16)
tag="$REPO:$hash"

if ! docker image inspect "$tag" >/dev/null 2>&1; then
  say "building sandbox image $tag"
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs"/{usr/local/bin,etc,tmp,workspace,app,home/agent}
  cp "$NODE_BIN" "$rootfs/usr/local/bin/node"
  while read -r lib; do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done < <(ldd "$NODE_BIN" | grep -oE '/[^ ]+')
  printf 'root:x:0:0::/root:/bin/false\nagent:x:1000:1000::/home/agent:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nagent:x:1000:\n' > "$rootfs/etc/group"
  cp -r "$ROOT/sandbox/." "$rootfs/app/"
  chmod 1777 "$rootfs/tmp"
  chown 1000:1000 "$rootfs/workspace" "$rootfs/home/agent"
  tar -C "$rootfs" --numeric-owner -c . | docker import \
    -c 'USER 1000:1000' -c 'WORKDIR /workspace' -c 'ENV HOME=/home/agent' \
    -c 'CMD ["/usr/local/bin/node", "/app/runner.js"]' - "$tag" >/dev/null \
    || die "docker import of the sandbox image failed" "check 'make status' and the dockerd log in .data/logs"
fi
docker tag "$tag" "$REPO:latest"
env_set AIRLOCK_SANDBOX_IMAGE "$tag"
say "sandbox image: $tag"
