#!/usr/bin/env bash
# Installs the Debian 12 packages vktrain needs to build, test and run. Idempotent:
# asks apt only for what is missing, so a second `make run` starts at once.
set -euo pipefail

packages=(
  build-essential cmake
  libvulkan-dev glslang-tools spirv-tools
  vulkan-validationlayers mesa-vulkan-drivers vulkan-tools
  doctest-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
  libeigen3-dev libnlopt-dev
  postgresql libpq-dev
  libprotobuf-dev protobuf-compiler  # TensorBoard event files
  dataset-fashion-mnist
  clang libclang-rt-dev llvm  # make fuzz: libFuzzer's runtime is not in clang's Depends; llvm-symbolizer
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
