#!/usr/bin/env bash
# Installs contrack's build and test dependencies from Debian's packages when missing. The browser
# tests (tests/browser/) use chromium, chromium-driver and python3-selenium; openssl makes their
# test certificates. libical-dev writes the deadlines calendar; python3-icalendar reads it back in
# the calendar tests.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  librocksdb-dev libprotobuf-dev protobuf-compiler
  libspdlog-dev libfmt-dev libboost-dev libboost-system-dev libssl-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libgoogle-perftools-dev libical-dev python3-icalendar
  clang-format curl python3 python3-jsonschema
  clang-16 libclang-rt-16-dev
  openssl chromium chromium-driver python3-selenium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "installing: ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
