#!/bin/bash
# tests/integration/test_swtpm_env.sh - the swtpm helper other integration
# tests source: two instances on distinct free ports, each answering on its
# TCTI, DA parameters set, and nothing left running or on disk after
# swtpm_stop_all.
set -eu
. "$(dirname "$0")/swtpm-env.sh"
swtpm_require

fail() { echo "FAIL: $*" >&2; exit 1; }

swtpm_start
t1=$SWTPM_TCTI s1=$SWTPM_STATE p1=$SWTPM_PORT
swtpm_start
t2=$SWTPM_TCTI s2=$SWTPM_STATE p2=$SWTPM_PORT
[ "$p1" != "$p2" ] || fail "both instances on port $p1"
[ "$t1" = "swtpm:host=127.0.0.1,port=$p1" ] || fail "unexpected TCTI $t1"
[ -d "$s1" ] && [ -d "$s2" ] || fail "state folders missing"
pids=$_swtpm_pids

if command -v tpm2_getrandom >/dev/null; then
	r1=$(tpm2_getrandom -T "$t1" 8 --hex) || fail "no answer on $t1"
	r2=$(tpm2_getrandom -T "$t2" 8 --hex) || fail "no answer on $t2"
	[ ${#r1} -eq 16 ] && [ ${#r2} -eq 16 ] || fail "short random answers"
	swtpm_set_da 6 120 "$t1" || fail "swtpm_set_da"
	tpm2_getcap -T "$t1" properties-variable | grep -q 'TPM2_PT_MAX_AUTH_FAIL: 0x6' ||
		fail "max tries not set"
else
	echo "tpm2-tools missing: TCTI answers not checked" >&2
fi

conf=$s2/mstoken.conf
swtpm_slot_conf "$conf" /var/lib/mstoken alice bob || fail "swtpm_slot_conf"
[ "$(grep -c '^backend = tpm$' "$conf")" -eq 2 ] || fail "two tpm slots expected"
grep -qx "tpm.tcti = $t2" "$conf" || fail "slot TCTI is not the last swtpm"
grep -qx "tpm.store = /var/lib/mstoken/bob" "$conf" || fail "store of bob"

swtpm_stop_all
for p in $pids; do
	! kill -0 "$p" 2>/dev/null || fail "swtpm $p still running"
done
[ ! -e "$s1" ] && [ ! -e "$s2" ] || fail "state folders left behind"
! _swtpm_port_busy "$p1" || fail "port $p1 still open"
echo "swtpm-env.sh: ok"
