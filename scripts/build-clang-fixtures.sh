#!/usr/bin/env bash
# Rebuild the clang reference objects in test/fixtures/clang and their
# reference text outputs (llvm-objdump-19, llvm-readelf-19, bpftool btf dump).
#
# Usage: scripts/build-clang-fixtures.sh [OUTDIR]
#   OUTDIR defaults to test/fixtures/clang (the committed copies). Sources are
#   always read from test/fixtures/clang, compiled from inside that directory
#   with relative paths and -fdebug-compilation-dir=. so that no absolute path
#   reaches the debug info: re-running gives byte-identical outputs.
#
# For each X.c it writes:
#   X.o                  clang-19 -O2 -g -target bpf -mcpu=v4 -c
#   X.objdump.txt        llvm-objdump-19 -d X.o            (default output, raw bytes)
#   X.objdump-noraw.txt  llvm-objdump-19 -d --no-show-raw-insn X.o
#   X.objdump-v4.txt     llvm-objdump-19 -d --mcpu=v4 X.o  (decodes 32-bit atomics;
#                        see README.md: without --mcpu=v4 they print as <unknown>)
#   X.readelf.txt        llvm-readelf-19 -S -s -r X.o
#   X.btf.txt            bpftool btf dump file X.o         (only if bpftool exists)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$here/test/fixtures/clang"
out="${1:-$src}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

CLANG="${CLANG:-clang-19}"
OBJDUMP="${OBJDUMP:-llvm-objdump-19}"
READELF="${READELF:-llvm-readelf-19}"
BPFTOOL="${BPFTOOL:-$(command -v bpftool || true)}"

cd "$src"
export LC_ALL=C
for c in *.c; do
	x="${c%.c}"
	"$CLANG" -O2 -g -target bpf -mcpu=v4 -I/usr/include/x86_64-linux-gnu \
		-fdebug-compilation-dir=. -c "$c" -o "$out/$x.o"
	# Run the tools from the output dir with a relative name so the file
	# name line ("X.o:	file format elf64-bpf") has no directory.
	(
		cd "$out"
		"$OBJDUMP" -d "$x.o" >"$x.objdump.txt"
		"$OBJDUMP" -d --no-show-raw-insn "$x.o" >"$x.objdump-noraw.txt"
		"$OBJDUMP" -d --mcpu=v4 "$x.o" >"$x.objdump-v4.txt"
		"$READELF" -S -s -r "$x.o" >"$x.readelf.txt"
		if [ -n "$BPFTOOL" ]; then
			"$BPFTOOL" btf dump file "$x.o" >"$x.btf.txt"
		fi
	)
	echo "built $x.o"
done
