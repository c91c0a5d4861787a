#!/bin/sh
# tests/install_prefix.sh BUILDDIR PREFIX - `make install` of a tree
# configured with --prefix=PREFIX (and no --with-p11-kit-*) lands under
# PREFIX only (issue 11 item 10): p11-kit's system module folders are used
# only when PREFIX is p11-kit's own prefix.  Run by .ci/hardening on its
# sanitizer build (no extra compilation); any built tree works:
#   ./configure --prefix=$tmp && make && sh tests/install_prefix.sh . $tmp
set -eu
b=$1 prefix=$2
fail() { echo "FAIL: install under --prefix: $*"; exit 1; }
sys_mod=$(pkg-config --variable=p11_module_path p11-kit-1)
sys_cfg=$(pkg-config --variable=p11_module_configs p11-kit-1)
before=$(ls -l --time-style=+%s.%N "$sys_mod" "$sys_cfg" 2>/dev/null | md5sum)
make -C "$b" -s install >/dev/null
after=$(ls -l --time-style=+%s.%N "$sys_mod" "$sys_cfg" 2>/dev/null | md5sum)
[ "$before" = "$after" ] || fail "p11-kit's system folders ($sys_mod, $sys_cfg) changed"
mod=$(find "$prefix" -name mstoken-pkcs11.so)
cfg=$(find "$prefix" -name mstoken.module)
[ -n "$mod" ] && [ -n "$cfg" ] || fail "module or mstoken.module not under $prefix"
grep -qx "module: $mod" "$cfg" || fail "$cfg does not name $mod: $(grep module: "$cfg")"
for f in bin/mikey-sakke bin/mstoken-kms include/mstoken/pkcs11-mstoken.h; do
	[ -e "$prefix/$f" ] || fail "$prefix/$f missing"
done
n=$(find "$prefix" -type f | wc -l)
make -C "$b" -s uninstall >/dev/null
left=$(find "$prefix" -type f | wc -l)
[ "$left" -eq 0 ] || fail "uninstall left $left files"
echo "install --prefix: $n files under $prefix only ($mod), none in $sys_mod or $sys_cfg; uninstall clean"
