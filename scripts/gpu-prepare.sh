#!/usr/bin/env bash
# Gets a lent GPU machine's check ready, as ../shared/gpu/prepare.sh does (run it from the repo
# root after the build), then adds what that script does not know of: vktrain_bench, the
# binary `vktrain bench` runs. check.sh runs ./vktrain bench in .gpu/ and puts a copy of
# vktrain at the path the tests were built with; the bench binary has to sit beside both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prepare="$root/../shared/gpu/prepare.sh"
[ -f "$prepare" ] || { echo "gpu-prepare: $prepare is missing (the shared GPU check scripts)" >&2; exit 1; }
[ -x "$root/build/vktrain_bench" ] || {
  echo "gpu-prepare: $root/build/vktrain_bench is missing: cmake --build build --target vktrain_bench" >&2
  exit 1
}
cd "$root"
bash "$prepare"
cp build/vktrain_bench .gpu/
# check.sh copies vktrain to the tests' build path ("cp vktrain "$bin""); the bench CLI tests
# need vktrain_bench there too.
grep -q 'cp vktrain "$bin"' .gpu/check.sh || { echo "gpu-prepare: .gpu/check.sh no longer copies vktrain as expected" >&2; exit 1; }
sed -i 's|cp vktrain "$bin"|cp vktrain "$bin" \&\& cp vktrain_bench "$(dirname "$bin")"/|' .gpu/check.sh
echo "gpu-prepare: .gpu/ holds vktrain_bench too"
