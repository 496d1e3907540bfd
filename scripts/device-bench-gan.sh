#!/usr/bin/env bash
# The GAN benches on a machine with an NVIDIA GPU (issue #16): `pnpm bench:gan`'s training parts
# on the backend selectBackend picks there (tfjs-node-gpu when its addon is built and sees the GPU),
# the profiled step's GFLOP/s against that backend's matmul peak, and data-parallel samples/s with
# 1 and 2 worker processes. It prepares nothing: install as the README's "Training on a GPU" says
# first (the machine needs CUDA 11.2 / cuDNN 8.1 and the libtensorflow download). Prints why and
# exits 3 when there is no GPU, 4 when tfjs-node-gpu's addon is missing; figures also go to
# $OUT/device-bench-gan.txt when OUT is set.
#
#   bash scripts/device-bench-gan.sh [--steps S]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=6
if [[ "${1:-}" == "--steps" ]]; then steps="$2"; fi
log="${OUT:-/tmp}/device-bench-gan.txt"
mkdir -p "$(dirname "$log")"
: >"$log"
say() { echo "$@" | tee -a "$log"; }

if ! command -v nvidia-smi >/dev/null || ! nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >>"$log" 2>&1; then
  say "no NVIDIA GPU visible (nvidia-smi missing or failing): nothing to measure"
  exit 3
fi
say "GPU: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -1)"
say "node $(node --version), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

addon=$(cd packages/core && node -e '
  try {
    const pkg = require.resolve("@tensorflow/tfjs-node-gpu/package.json");
    const fs = require("fs"), path = require("path");
    const lib = path.join(path.dirname(pkg), "lib");
    const found = fs.existsSync(lib) && fs.readdirSync(lib).some((d) => fs.existsSync(path.join(lib, d, "tfjs_binding.node")));
    console.log(found ? "built" : "not built");
  } catch { console.log("not installed"); }')
if [[ "$addon" != "built" ]]; then
  say "@tensorflow/tfjs-node-gpu: $addon; see the README's \"Training on a GPU\""
  exit 4
fi

run() {
  say "\$ $*"
  "$@" 2>&1 | tee -a "$log"
}
run npx tsx --conditions=@plantgan/source packages/core/bench/gan.bench.ts --steps "$steps"
run npx tsx --conditions=@plantgan/source packages/server/bench/gan-parallel.bench.ts --steps "$steps"
say "figures in $log"
