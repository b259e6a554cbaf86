#!/usr/bin/env bash
# Installs what `make cross-aarch64` and `make test-aarch64` need on a Debian 12 x86-64 machine:
# the arm64 cross compiler, the arm64 builds of vktrain's libraries (Debian multiarch), the arm64
# lavapipe and validation layer, and qemu's user-mode emulator. Idempotent, like
# install-deps.sh (which must have run first: the headers and the host's tools come from there).
set -euo pipefail

packages=(
  crossbuild-essential-arm64 qemu-user-static
  libvulkan-dev:arm64 zlib1g-dev:arm64 libnlopt-dev:arm64 libprotobuf-dev:arm64
  libpq5:arm64  # not libpq-dev:arm64: it cannot sit beside the host's (cmake/toolchains/)
  mesa-vulkan-drivers:arm64 vulkan-validationlayers:arm64
)
# The arm64 drivers' manifests would land in /usr/share/vulkan/icd.d beside the host's, and
# the host's Vulkan loader then reports every one of them as a library it failed to load (the
# test suite fails on such messages). They are diverted to the arm64 library folder, where
# only an arm64 process is pointed (scripts/test-aarch64.sh sets VK_DRIVER_FILES).
icd_dir=/usr/lib/aarch64-linux-gnu/vulkan/icd.d
manifests=(broadcom_icd freedreno_icd lvp_icd radeon_icd)

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-cross-deps: not root and no sudo" >&2; exit 1; }
  sudo="sudo"
fi
$sudo mkdir -p "$icd_dir"
for m in "${manifests[@]}"; do
  from=/usr/share/vulkan/icd.d/$m.aarch64.json
  dpkg-divert --list "$from" | grep -q . ||
    $sudo dpkg-divert --quiet --local --rename --add --divert "$icd_dir/$m.aarch64.json" "$from"
done

dpkg --print-foreign-architectures | grep -qx arm64 || { $sudo dpkg --add-architecture arm64; }
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-cross-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
