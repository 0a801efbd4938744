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
./scripts/install-packages.sh cmake libclang-dev g++ perl make

exec cargo run --release --locked -- demo "$@"
