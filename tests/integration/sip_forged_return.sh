#!/bin/sh
# tests/integration/sip_forged_return.sh - the caller refuses a 183 whose
# returned I_MESSAGE is not the right one, and hangs up (doc/sip.md).  A
# SIPp callee registered as bob (tests/integration/sipp/) answers alice's
# INVITE, through both kamailio servers, with a 183 carrying
#   1. a genuine I_MESSAGE signed by bob's token for alice, but of another
#      session (another CSB ID and SSV), and
#   2. the same with one bit of its signature flipped;
# alice must refuse it (return-refused naming the reason: the CSB ID, or a
# bad signature), CANCEL, never ACK nor start media, and exit 1.
set -u
. "$top_srcdir/tests/integration/sip_env.sh"
sipp_setup mst-sipf || exit $?
trap sip_env_teardown EXIT

as bob create --from sip:bob@b.example --to sip:alice@a.example --format base64 > "$T/other.b64" ||
	exit 99
imsg_flip "$T/other.b64" > "$T/flipped.b64" || exit 99

# one contact port for both runs: the second REGISTER refreshes the same
# contact (another one would make bob's server fork to the gone first)
port=$(kam_free_port)
for variant in other:"returned I_MESSAGE has CSB ID" flipped:"bad signature"; do
	v=${variant%%:*} reason=${variant#*:}
	sipp -sf "$S/forged-183.xml" -i 127.0.0.1 -p "$port" -m 1 -timeout 30 -nostdin \
		-key imsg "$(cat "$T/$v.b64")" -trace_err -error_file "$T/sipp-$v.err" \
		> "$T/sipp-$v.out" 2>&1 &
	spid=$!
	sipp "127.0.0.1:$KAM_B_PORT" -sf "$S/register.xml" -i 127.0.0.1 -m 1 -timeout 10 -nostdin \
		-au bob -ap "$(cat "$(kam_password bob)")" -key user bob -key domain b.example \
		-key contact_port "$port" > "$T/reg-$v.out" 2>&1 ||
		{ cat "$T/reg-$v.out"; failed "sipp could not register bob"; }
	ue alice --call sip:bob@b.example --timeout 10 > "$T/alice-$v.out" 2>&1
	arc=$?
	wait $spid; src=$?
	echo "--- alice ($v)"; cat "$T/alice-$v.out"
	check "$v: alice refuses the returned I_MESSAGE ($reason)" \
		grep -q "^return-refused reason=\"$reason" "$T/alice-$v.out"
	check "$v: alice CANCELs, gets 487, exits 1" sh -c "[ $arc = 1 ] && grep -q '^cancel-sent' '$T/alice-$v.out' && grep -q '^call-failed status=487' '$T/alice-$v.out'"
	check "$v: no ACK, no keys agreed, no media" \
		sh -c "! grep -q -E '^(ack-sent|keys-agreed|media)' '$T/alice-$v.out'"
	check "$v: the SIPp callee saw the CANCEL and the ACK of the 487" [ $src = 0 ]
	[ $src = 0 ] || cat "$T/sipp-$v.out" "$T/sipp-$v.err" 2> /dev/null | tail -n 20
done
tap_finish
