#!/usr/bin/env bash
# The local model's tools (scripts/local-model.py) in their own Python environment under .cache:
# the llama.cpp engine from PyPI's prebuilt CPU wheel, pinned (xllamacpp 0.2.8: later versions
# answer Qwen's tool calls as a fenced JSON block they no longer parse). Usage:
#   local-model.sh fetch small|large     download, assemble and verify the weights; prints the path
#   local-model.sh info PATH             GGUF metadata (name, architecture, quantization)
#   local-model.sh serve PATH --port N --alias NAME   (key in AIRLOCK_LOCAL_MODEL_KEY)
. "$(dirname "$0")/lib.sh"
XLLAMACPP_VERSION=0.2.8
VENV="$CACHE/model/venv"

ensure_engine() {
  [ -f "$VENV/.xllamacpp-$XLLAMACPP_VERSION" ] && return
  command -v python3 >/dev/null || die "Python 3 is needed for the local model" "install Debian's python3 and python3-venv"
  say "installing the local model engine (PyPI xllamacpp $XLLAMACPP_VERSION, llama.cpp for the CPU) into .cache/model"
  rm -rf "$VENV"
  python3 -m venv "$VENV" >/dev/null || die "could not create a Python environment in $VENV" "install Debian's python3-venv"
  "$VENV/bin/python" -m pip install --quiet --no-deps --only-binary=:all: "xllamacpp==$XLLAMACPP_VERSION" >/dev/null \
    || die "could not install xllamacpp $XLLAMACPP_VERSION from PyPI" "check that PyPI is reachable, then retry"
  touch "$VENV/.xllamacpp-$XLLAMACPP_VERSION"
}

ensure_writable "$CACHE/model"
ensure_engine
case "${1:-}" in
  fetch) exec "$VENV/bin/python" "$ROOT/scripts/local-model.py" fetch "${2:-}" --cache "${AIRLOCK_MODEL_CACHE:-$CACHE/model}" "${@:3}" ;;
  info | serve) exec "$VENV/bin/python" "$ROOT/scripts/local-model.py" "$@" ;;
  *) die "unknown command '${1:-}'" "use fetch small|large, info PATH or serve PATH --port N --alias NAME" ;;
esac
