#!/bin/sh
# tests/unit/fp_x86_64_gen.sh - token/fp_x86_64.c is the output of
# token/fp_x86_64_gen.py, and it is straight-line code with fixed
# addresses: no jump, call or conditional instruction, every memory operand
# a constant offset from a pointer argument.  (Valgrind hides ADX from the
# program, so sakke_ct.sh cannot run this product; this is its
# constant-time check.)  Skips (77) without python3.
set -u
src="${top_srcdir:-.}"
gen="$src/token/fp_x86_64.c"
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 77; }
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
python3 "$src/token/fp_x86_64_gen.py" >"$tmp" || { echo "FAIL: the generator failed"; exit 1; }
if ! cmp -s "$tmp" "$gen"; then
	echo "FAIL: token/fp_x86_64.c is not the output of token/fp_x86_64_gen.py"; exit 1
fi
# the assembly lines: "\tmnemonic\toperands\n"
asm=$(sed -n 's/^\t"\\t\([a-z][a-z0-9]*\)\(.*\)\\n"$/\1\2/p' "$gen" | sed 's/\\t/ /g')
n=$(printf '%s\n' "$asm" | grep -c '^mulxq')
[ "$n" -eq 64 ] || { echo "FAIL: $n mulx instructions, 64 expected"; exit 1; }
bad=$(printf '%s\n' "$asm" | sed 's/ .*//' | grep -v -x -E 'pushq|popq|movq|xorl|mulxq|adcxq|adoxq|adcq|ret')
[ -z "$bad" ] || { echo "FAIL: instructions outside the straight-line set:"; echo "$bad"; exit 1; }
mem=$(printf '%s\n' "$asm" | grep -o '[-0-9a-z_]*([^)]*)' | grep -v -x -E '[0-9]+\(%(rsi|rcx|rdi)\)')
[ -z "$mem" ] || { echo "FAIL: memory operands not at a constant offset:"; echo "$mem"; exit 1; }
echo "fp_x86_64.c: generated, $n mulx, straight-line, constant addresses"
