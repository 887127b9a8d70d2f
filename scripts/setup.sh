#!/usr/bin/env bash
# One-time, idempotent set-up of a fresh machine: the Debian tools the kernel
# and reference tests use, the npm dependencies, the compiled CLI, and bpffs.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v bpftool >/dev/null 2>&1 || need_apt+=(bpftool)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
command -v clang-19 >/dev/null 2>&1 || need_apt+=(clang-19)
command -v llvm-objdump-19 >/dev/null 2>&1 || need_apt+=(llvm-19)
[ -f /usr/include/bpf/bpf_helpers.h ] || need_apt+=(libbpf-dev)
command -v ping >/dev/null 2>&1 || need_apt+=(iputils-ping)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: not root; kernel tests will be SKIPPED (missing: ${need_apt[*]})"
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build

if [ "$(id -u)" = 0 ] && ! mount | grep -q ' /sys/fs/bpf type bpf'; then
  mount -t bpf bpf /sys/fs/bpf || echo "setup: could not mount bpffs; kernel tests will be SKIPPED"
fi
