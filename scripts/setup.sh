#!/usr/bin/env bash
# Install everything actorgraph and its tests need on a fresh Debian machine:
# the Python package (editable, with the test and lint extras, at the versions
# of constraints.txt), Debian's Chromium for the browser tests and screenshots,
# and the Neo4j runtime (Maven Central artifacts).
# Safe to re-run: each step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "== installing chromium (Debian packages)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# constraints.txt pins every package to the version the tests last passed with
# (regenerate it with python3 scripts/constraints.py after a deliberate upgrade).
# The pages' front-end packages (vis-network, vis-timeline, Leaflet, the world's outlines) are
# committed in viz/assets/vendor/ with their sha256 (scripts/vendor_assets.py fetched them from the
# npm registry once): nothing here needs npm or the network for them.
echo "== installing actorgraph (pip, editable, with the test and lint extras, versions from constraints.txt)"
python3 -m pip install -q --disable-pip-version-check -e '.[test,lint]' -c constraints.txt

if [ -f .ci/neo4j-setup.sh ]; then
  echo "== fetching the Neo4j runtime (Maven Central; once)"
  bash .ci/neo4j-setup.sh
fi
echo "== setup done"
