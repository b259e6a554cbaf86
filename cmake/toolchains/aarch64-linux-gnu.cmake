# Cross-compiling vktrain for 64-bit Arm Linux (Raspberry Pi 4/5, Jetson, Mali and Adreno
# boards) on a Debian 12 x86-64 machine: `make cross-aarch64` (README, "Edge devices").
#
# Debian multiarch, not a sysroot: the arm64 libraries (libvulkan-dev:arm64, zlib1g-dev:arm64,
# ...) sit beside the host's under /usr/lib/aarch64-linux-gnu and share /usr/include, so CMake
# finds them through CMAKE_LIBRARY_ARCHITECTURE. Programs run at build time (glslangValidator,
# spirv-val, protoc) are the host's. scripts/install-cross-deps.sh installs all of it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Tests and test discovery (doctest lists the cases by running the binary) go through the
# user-mode emulator; on an Arm machine this file is not used at all.
find_program(VKTRAIN_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64 REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${VKTRAIN_QEMU_AARCH64})

# libpq-dev cannot be installed for two architectures at once (it is not Multi-Arch: same), so
# the cross build takes the headers of the host's libpq-dev (C declarations, the same on every
# LP64 Linux) and links the arm64 run-time library libpq5:arm64 by its soname.
set(PostgreSQL_LIBRARY /usr/lib/aarch64-linux-gnu/libpq.so.5 CACHE FILEPATH "arm64 libpq")
