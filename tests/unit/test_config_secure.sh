#!/bin/sh
# tests/unit/test_config_secure.sh - in a setgid process (AT_SECURE) the
# module ignores MSTOKEN_CONF, XDG_CONFIG_HOME and HOME (issue 11 item 6):
# otherwise the user who runs a privileged program would choose the
# PKCS#11 library it loads.  A copy of tests/unit/test_config is made setgid
# to another group in a temporary folder and run with --probe, which loads
# the configuration as C_Initialize does.  Needs root (to chgrp the copy);
# skipped otherwise, or when the folder is mounted nosuid.
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to make a setgid copy"; exit 77; }
grp=$(getent group nogroup >/dev/null && echo nogroup || echo 65534)
bin=$top_builddir/tests/unit/test_config
# a libtool wrapper script would lose its LD_LIBRARY_PATH under AT_SECURE
head -c 4 "$bin" | grep -q ELF || { echo "SKIP: $bin is not a plain program"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mst-secure-XXXXXX") || fail mktemp
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cp "$bin" "$tmp/probe"
chgrp "$grp" "$tmp/probe" && chmod 2755 "$tmp/probe" || fail "chgrp/chmod"
mkdir -p "$tmp/xdg/mstoken" "$tmp/home/.config/mstoken"
for who in env xdg home; do
	printf '[slot]\nlabel = from-%s\nbackend = pkcs11\n' "$who" >"$tmp/$who.conf"
done
cp "$tmp/xdg.conf" "$tmp/xdg/mstoken/mstoken.conf"
cp "$tmp/home.conf" "$tmp/home/.config/mstoken/mstoken.conf"

# control: the same program without setgid takes each variable in turn
probe() { env "$@" "$bin" --probe; }
out=$(probe MSTOKEN_CONF="$tmp/env.conf") || fail "probe"
case $out in *"secure=0 rc=0 label=from-env "*) ;; *) fail "control MSTOKEN_CONF: $out";; esac
out=$(probe -u MSTOKEN_CONF XDG_CONFIG_HOME="$tmp/xdg")
case $out in *"label=from-xdg "*) ;; *) fail "control XDG_CONFIG_HOME: $out";; esac
out=$(probe -u MSTOKEN_CONF -u XDG_CONFIG_HOME HOME="$tmp/home")
case $out in *"label=from-home "*) ;; *) fail "control HOME: $out";; esac

out=$(env MSTOKEN_CONF="$tmp/env.conf" XDG_CONFIG_HOME="$tmp/xdg" HOME="$tmp/home" \
	MSTOKEN_DEBUG=1 "$tmp/probe" --probe 2>"$tmp/stderr") || fail "setgid probe"
case $out in
*"secure=1 "*) ;;
*"secure=0 "*) echo "SKIP: setgid not honoured here (nosuid mount?): $out"; exit 77;;
*) fail "setgid probe: $out";;
esac
case $out in *from-env*|*from-xdg*|*from-home*) fail "setgid process took the user's file: $out";; esac
out2=$(env -u MSTOKEN_CONF XDG_CONFIG_HOME="$tmp/xdg" "$tmp/probe" --probe)
case $out2 in *from-*) fail "setgid process took XDG_CONFIG_HOME: $out2";; esac
out2=$(env -u MSTOKEN_CONF -u XDG_CONFIG_HOME HOME="$tmp/home" "$tmp/probe" --probe)
case $out2 in *from-*) fail "setgid process took HOME: $out2";; esac
echo "PASS: setgid: user's configuration ignored ($out)"
