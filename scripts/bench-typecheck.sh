#!/usr/bin/env bash
# Type-check time of this tree against an older revision, measured in one run on this machine.
#
#   pnpm bench:typecheck [old-rev]     (default old-rev: d108634, the layout before project references)
#
# Each tree is checked twice with its own `pnpm typecheck`:
#   cold: no dist/ and no *.tsbuildinfo (a fresh clone);
#   warm: right after the cold run with nothing changed;
#   edit: after a one-line change inside a core function (what a developer sees while working:
#         the body changes, core's declarations do not).
# Runs alternate old/new so that a busy neighbour on the machine weighs on both alike. Prints wall
# seconds and the ratio old/new. The old tree is a git worktree in a temporary folder, installed
# offline from the store this checkout already filled (no build scripts: type-checking needs none).
set -euo pipefail
cd "$(dirname "$0")/.."
OLD_REV="${1:-d108634}"
PNPM="npx -y pnpm@10.34.8"
NEW_DIR="$PWD"
OLD_DIR="$(mktemp -d)/old"

cleanup() { git worktree remove --force "$OLD_DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT

git worktree add --detach "$OLD_DIR" "$OLD_REV" >/dev/null
(cd "$OLD_DIR" && $PNPM install --frozen-lockfile --offline --ignore-scripts >/dev/null)

# Removes every build output and build-info file, so the next type-check starts cold.
clean() {
  find "$1/packages" "$1/tests" -path '*/node_modules' -prune -o \
    \( -name dist -type d -o -name '*.tsbuildinfo' \) -print0 | xargs -0 rm -rf
  rm -rf "$1"/packages/*/node_modules/.cache/tsc "$1"/tests/node_modules/.cache/tsc
}

# Wall seconds of one `pnpm typecheck` in folder $1 (fails loudly if the check fails).
timed() {
  local start end
  start=$(date +%s.%N)
  (cd "$1" && $PNPM typecheck >/dev/null 2>"$1/.typecheck.err") || { cat "$1/.typecheck.err"; exit 1; }
  end=$(date +%s.%N)
  rm -f "$1/.typecheck.err"
  echo "$end - $start" | bc
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
clean "$OLD_DIR"; old_cold=$(timed "$OLD_DIR")
clean "$NEW_DIR"; new_cold=$(timed "$NEW_DIR")
old_warm=$(timed "$OLD_DIR")
new_warm=$(timed "$NEW_DIR")
# A body-only edit in core, then the check again; the edit is undone afterwards.
EDITED=packages/core/src/design/geometry.ts
edit() { printf '\n// bench-typecheck edit %s\n' "$(date +%s%N)" >>"$1/$EDITED"; }
SAVED="$(mktemp)"; cp "$NEW_DIR/$EDITED" "$SAVED"
edit "$OLD_DIR"; old_edit=$(timed "$OLD_DIR")
edit "$NEW_DIR"; new_edit=$(timed "$NEW_DIR")
cp "$SAVED" "$NEW_DIR/$EDITED"; rm -f "$SAVED"
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
# The checkout is left built, as a `pnpm build` would leave it.
(cd "$NEW_DIR" && $PNPM build >/dev/null)

printf '\n| run | old (%s) s | new s | old/new |\n|---|---|---|---|\n' "$OLD_REV"
printf '| cold | %.1f | %.1f | %.1f× |\n' "$old_cold" "$new_cold" "$(echo "$old_cold / $new_cold" | bc -l)"
printf '| warm | %.1f | %.1f | %.1f× |\n' "$old_warm" "$new_warm" "$(echo "$old_warm / $new_warm" | bc -l)"
printf '| edit | %.1f | %.1f | %.1f× |\n' "$old_edit" "$new_edit" "$(echo "$old_edit / $new_edit" | bc -l)"
