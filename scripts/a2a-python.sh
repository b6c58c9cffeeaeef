#!/usr/bin/env bash
# The official Python A2A SDK (PyPI a2a-sdk, pinned) in its own git-ignored environment under
# .cache/a2a-python, for the interoperability test (test/a2a/python-client.test.ts). Idempotent:
# a marker file names the installed version, so a second run does nothing. Prints the venv's python.
. "$(dirname "$0")/lib.sh"
A2A_SDK_VERSION=1.3.0
VENV="$CACHE/a2a-python"

if [ ! -f "$VENV/.a2a-sdk-$A2A_SDK_VERSION" ]; then
  command -v python3 >/dev/null || die "Python 3 is needed for the A2A interoperability test" "install Debian's python3 and python3-venv"
  say "installing the Python A2A SDK (PyPI a2a-sdk $A2A_SDK_VERSION) into .cache/a2a-python"
  ensure_writable "$CACHE"
  rm -rf "$VENV"
  python3 -m venv "$VENV" >/dev/null || die "could not create a Python environment in $VENV" "install Debian's python3-venv"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "a2a-sdk==$A2A_SDK_VERSION" >/dev/null \
    || die "could not install a2a-sdk $A2A_SDK_VERSION from PyPI" "check that PyPI is reachable, then retry"
  touch "$VENV/.a2a-sdk-$A2A_SDK_VERSION"
fi
printf '%s\n' "$VENV/bin/python"
