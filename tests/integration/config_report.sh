#!/bin/sh
# tests/integration/config_report.sh - a broken mstoken.conf is reported
# once through syslog and on stderr with MSTOKEN_DEBUG=1 (issue 11 item 10);
# see test_config_report.c.
fail() { echo "FAIL: $*"; exit 1; }
prog=$top_builddir/tests/integration/test_config_report
module=${MSTOKEN_MODULE:-$top_builddir/pkcs11/.libs/mstoken-pkcs11.so}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mst-report-XXXXXX") || fail mktemp
trap 'rm -rf "$tmp"' EXIT
printf '[slot]\nlabel = x\nbackend = pkcs11\nbogus = 1\n' >"$tmp/bad.conf"
want="mstoken: $tmp/bad.conf:4: unknown key 'bogus'"

MSTOKEN_CONF=$tmp/bad.conf "$prog" "$module" >"$tmp/out" 2>"$tmp/err" || fail "run: $(cat "$tmp/out" "$tmp/err")"
cat "$tmp/out"
grep -qx 'syslog: 1' "$tmp/out" || fail "not logged exactly once"
grep -q "(LOG_USER|LOG_ERR): $want" "$tmp/out" || fail "syslog line is not \"$want\" at LOG_USER|LOG_ERR"
[ ! -s "$tmp/err" ] || fail "stderr without MSTOKEN_DEBUG: $(cat "$tmp/err")"

MSTOKEN_DEBUG=1 MSTOKEN_CONF=$tmp/bad.conf "$prog" "$module" >"$tmp/out" 2>"$tmp/err" || fail "run with MSTOKEN_DEBUG"
grep -qx 'syslog: 1' "$tmp/out" || fail "MSTOKEN_DEBUG: not logged exactly once"
[ "$(grep -cx "$want" "$tmp/err")" = 3 ] || fail "stderr with MSTOKEN_DEBUG=1: $(cat "$tmp/err")"

# a tpm.store folder others can write into: the slot cannot open, same report
mkdir "$tmp/ww" && chmod 777 "$tmp/ww"
printf '[slot]\nlabel = x\nbackend = tpm\ntpm.store = %s/ww\ntpm.tcti = swtpm:host=127.0.0.1,port=1\n' "$tmp" >"$tmp/bad.conf"
MSTOKEN_CONF=$tmp/bad.conf "$prog" "$module" >"$tmp/out" 2>&1 || fail "run (store folder): $(cat "$tmp/out")"
grep -qx 'syslog: 1' "$tmp/out" || fail "store folder: not logged once"
grep -q "(LOG_USER|LOG_ERR): mstoken: $tmp/bad.conf:1: slot \"x\": tpm backend cannot open" "$tmp/out" || fail "store folder: $(cat "$tmp/out")"
echo "PASS: broken mstoken.conf reported once through syslog (and stderr with MSTOKEN_DEBUG=1)"
