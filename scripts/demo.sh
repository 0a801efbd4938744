#!/usr/bin/env bash
# The README's first command: installs what the build needs on a fresh Debian machine with only
# Rust, then builds Airbridge and serves the Kabul-2021 demo on its embedded (SQLite) database.
# Arguments go to `airbridge demo` (e.g. `--persons 50000`, `--listen 0.0.0.0:8080`).
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the build needs, installed when missing:
#   cmake, libclang-dev, g++ — HiGHS (the planner's exact MILP solver) is built from source.
#   perl, make — OpenSSL is built from source (vendored) for SQLCipher, which encrypts the
#     SQLite file; its Configure needs the full perl (not only perl-base) and make.
need_apt=()
for package in cmake libclang-dev g++ perl make; do
  dpkg -s "$package" >/dev/null 2>&1 || need_apt+=("$package")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    echo "missing packages: ${need_apt[*]} (run as root, or install them with sudo apt-get install)" >&2
    exit 1
  fi
fi

exec cargo run --release --locked -- demo "$@"
