#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need on a fresh Debian machine with
# only Rust, then runs formatting, lints and every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

# Reuse a build directory across runs on the same machine; a fresh machine builds from scratch.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/airbridge/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
mkdir -p "$CARGO_TARGET_DIR"

# System packages the build and the tests need, installed when missing:
#   cmake, libclang-dev, g++ — HiGHS (the planner's exact MILP solver) is built from source.
#   perl, make — OpenSSL is built from source (vendored) for SQLCipher, which encrypts the
#     SQLite files; its Configure needs the full perl (not only perl-base) and make.
#   postgresql-15 — when its server binaries are not already under /usr/lib/postgresql/15/bin.
#   chromium, chromium-driver, fonts-noto-core — the web screens' browser tests (Arabic script).
# The PostgreSQL tests start their own server (initdb + pg_ctl) from PostgreSQL 15's binaries.
postgres=()
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || postgres=(postgresql-15)
./scripts/install-packages.sh cmake libclang-dev g++ perl make chromium chromium-driver \
  fonts-noto-core "${postgres[@]}"

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "pure engines have no I/O dependencies"
for crate in airbridge-domain airbridge-names airbridge-demo airbridge-lists airbridge-sanctions airbridge-screening airbridge-dedup airbridge-planner airbridge-planner-milp airbridge-manifest airbridge-field; do
  if cargo tree --locked -p "$crate" -e normal --prefix none | grep -E '^(sqlx|tokio|axum|hyper)[ -]'; then
    echo "$crate must not depend on storage, async runtime or HTTP crates" >&2
    exit 1
  fi
done

step "cargo test"
cargo test --workspace --locked

# The README's first command is `cargo run` at the root (through scripts/demo.sh): the workspace's
# default members must hold exactly one binary, airbridge, whatever else the workspace holds.
# (Read from cargo's metadata: `cargo run` itself would rebuild the tree with other features.)
step "the README's run command names the airbridge binary"
bins=$(cargo metadata --no-deps --format-version 1 --locked | python3 -c '
import json, sys
meta = json.load(sys.stdin)
packages = {p["id"]: p for p in meta["packages"]}
print(" ".join(t["name"] for i in meta["workspace_default_members"]
               for t in packages[i]["targets"] if "bin" in t["kind"]))')
if [ "$bins" != "airbridge" ]; then
  echo "cargo run at the root would run [$bins], not airbridge: see default-members in Cargo.toml" >&2
  exit 1
fi

if [ -f fuzz/Cargo.toml ]; then
  step "fuzz targets compile"
  # --locked: a stale fuzz/Cargo.lock fails here (it was rewritten silently before; update it
  # with `cargo update --manifest-path fuzz/Cargo.toml -w` and commit it).
  cargo check --manifest-path fuzz/Cargo.toml --locked
fi
