#!/usr/bin/env bash
# Installs, from Debian, the OCI clients the interop tests and benchmarks use as judges and
# peers, the Chromium the browser suite (tests/browser) drives, and qemu user emulation with
# arm64 libraries (`pnpm test:arm64` runs arm64 Node.js). Packages' services are never started (a
# temporary policy-rc.d denies starts).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PKGS=(umoci skopeo oci-image-tool libarchive-tools pigz attr libcap2-bin busybox-static time
      docker-registry apache2-utils openssl runc podman buildah containerd docker.io debootstrap
      chromium zstd qemu-user libc6-arm64-cross libstdc++6-arm64-cross)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "setup: missing Debian packages (${missing[*]}); run as root or install them" >&2
  exit 1
fi
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
trap '[ $created_policy = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
