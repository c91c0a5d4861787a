#!/bin/sh
# tests/integration/sip_call.sh - a MIKEY-SAKKE call over real SIP through
# two kamailio servers (doc/sip.md): alice (a.example) calls bob
# (b.example), alice -> A -> B -> bob.  Checks both registered, bob's
# INVITE went through both servers (3 Via headers), the 183 carried the
# SDP answer with the returned I_MESSAGE reliably (100rel/PRACK), alice
# checked it before the ACK, both sides hold the same SRTP keys, 2 s of
# audio went each way as SRTP (>= 20 packets authenticated, none refused,
# received identical to the sent), the BYE, exit 0 on both sides.  With
# tshark, the loopback capture must show the INVITE with a=key-mgmt:mikey
# arriving at bob with 3 Vias (its I_MESSAGE parsed and verified by the
# independent tests/ref/msref.py with bob's key set, giving bob's keys)
# and the 183 with the returned I_MESSAGE.
#
# SIP_TRANSPORT=tls (sip_tls.sh): the same call with SIP over TLS between
# each UE and its server (kamailio's tls module, a test CA and
# certificates made by kam_start); the servers still talk UDP to each
# other, so the capture checks the INVITE on that leg (2 Vias, its
# I_MESSAGE verified by msref.py), and that the UE legs carry TLS records
# and no SIP in the clear.
set -u
. "$top_srcdir/tests/integration/sip_env.sh"
sip_env_setup mst-sip || exit $?
trap sip_env_teardown EXIT
has() { grep -q -E "$2" "$T/$1.out"; }
num() { sed -n "s/^media .*$2=\([0-9]*\).*/\1/p" "$T/$1.out"; }

cap_start

ue_bg bob bob --auto-answer --calls 1 --duration 2 --show-keys --sent "$T/bob.sent" \
	--received "$T/bob.rcv"
bpid=$(cat "$T/bob.pid")
wait_line "$T/bob.out" "^registered " || echo "FAIL: bob did not register"
ue alice --call sip:bob@b.example --duration 2 --show-keys --sent "$T/alice.sent" \
	--received "$T/alice.rcv" > "$T/alice.out" 2> "$T/alice.err"
arc=$?
wait $bpid; brc=$?; rm -f "$T/bob.pid"
for u in alice bob; do echo "--- $u"; cat "$T/$u.out" "$T/$u.err"; done
cap_stop

check "alice exits 0" [ $arc = 0 ]
check "bob exits 0" [ $brc = 0 ]
check "both registered with digest authentication ($SIP_TRANSPORT)" sh -c "grep -q '^registered aor=sip:alice@a.example .*transport=$SIP_TRANSPORT' '$T/alice.out' && grep -q '^registered aor=sip:bob@b.example .*transport=$SIP_TRANSPORT' '$T/bob.out'"
check "the INVITE sent with an I_MESSAGE from the pool" has alice "^invite-sent to=sip:bob@b.example imessage=pooled"
check "bob got it through both servers (3 Via, $SIP_TRANSPORT) and checked it" sh -c "grep -q '^invite-received from=sip:alice@a.example via=3 .*transport=$SIP_TRANSPORT' '$T/bob.out' && grep -q '^offer-accepted initiator=sip:alice@a.example' '$T/bob.out'"
check "183 with the returned I_MESSAGE, reliably, PRACKed" sh -c "grep -q '^183-received answer=sdp returned-imessage=yes reliable=yes' '$T/alice.out' && grep -q '^prack-received' '$T/bob.out'"
check "alice checked the returned I_MESSAGE before the 200/ACK" sh -c "sed -n '/^return-checked signer=sip:bob@b.example/,\$p' '$T/alice.out' | grep -q '^ack-sent'"
check "both hold the same SRTP keys" [ -n "$(grep '^cs=' "$T/alice.out")" -a "$(grep '^cs=' "$T/alice.out")" = "$(grep '^cs=' "$T/bob.out")" ]
for u in alice bob; do
	check "$u: >= 20 SRTP packets authenticated, none refused" \
		[ "$(num $u authenticated)" -ge 20 -a "$(num $u refused)" = 0 -a "$(num $u replayed)" = 0 ]
done
check "alice -> bob audio received identical to the sent" sh -c "[ -s '$T/alice.sent' ] && cmp -s '$T/alice.sent' '$T/bob.rcv'"
check "bob -> alice audio received identical to the sent" sh -c "[ -s '$T/bob.sent' ] && cmp -s '$T/bob.sent' '$T/alice.rcv'"
check "BYE" sh -c "grep -q '^bye-answered status=200' '$T/alice.out' && grep -q '^bye-received' '$T/bob.out'"

if [ ! -s "$T/sip.pcap" ]; then
	echo "(no loopback capture: tshark not installed or not allowed)"
else
	# the INVITE in the clear: as it reached bob (UDP), or on the UDP leg
	# from server A to server B (TLS)
	if [ "$SIP_TRANSPORT" = tls ]; then
		inv="sip.Method == \"INVITE\" && udp.srcport == $KAM_A_PORT" vias=2 where="from server A to B"
	else
		inv="sip.Method == \"INVITE\" && udp.srcport == $KAM_B_PORT" vias=3 where="reaching bob"
	fi
	cap_fields "$T/sip.pcap" "$inv" sip.Via sdp.media_attr > "$T/invite.txt"
	check "capture: the INVITE $where has $vias Vias and a=key-mgmt:mikey" \
		sh -c "[ \$(grep -c '^SIP/2.0/' '$T/invite.txt') = $vias ] && grep -q '^key-mgmt:mikey ' '$T/invite.txt'"
	cap_msref "$T/sip.pcap" "$inv" bob > "$T/msref.out" 2>&1; cat "$T/msref.out"
	check "capture: msref.py parses and verifies that I_MESSAGE, same keys as bob's" \
		sh -c "grep -q '^initiator=sip:alice@a.example' '$T/msref.out' && [ \"\$(grep '^cs=' '$T/msref.out')\" = \"\$(grep '^cs=' '$T/bob.out')\" ]"
fi
if [ -s "$T/sip.pcap" ] && [ "$SIP_TRANSPORT" = tls ]; then
	tls="tcp.port == $KAM_A_TLS_PORT || tcp.port == $KAM_B_TLS_PORT"
	check "capture: the UE legs carry TLS handshakes and records" sh -c \
		"[ \$(tshark -r '$T/sip.pcap' -Y '($tls) && tls.handshake.type == 1' 2>/dev/null | wc -l) -ge 2 ] && [ \$(tshark -r '$T/sip.pcap' -Y '($tls) && tls.app_data' 2>/dev/null | wc -l) -ge 6 ]"
	check "capture: no SIP in the clear on the UE legs" \
		sh -c "[ -z \"\$(tshark -r '$T/sip.pcap' -Y '($tls) && sip' 2>/dev/null)\" ]"
elif [ -s "$T/sip.pcap" ]; then
	cap_fields "$T/sip.pcap" "sip.Status-Code == 183 && udp.srcport == $KAM_A_PORT" sip.Require \
		sdp.media_attr > "$T/183.txt"
	check "capture: the 183 reaching alice (Require: 100rel) carries the returned I_MESSAGE" \
		sh -c "grep -q '^100rel' '$T/183.txt' && grep -q '^key-mgmt:mikey ' '$T/183.txt'"
fi
if [ "$SIP_TRANSPORT" = tls ]; then
	# a UE that does not trust the server's CA does not talk to it
	mkdir "$T/other" && cp "$(kam_tls_dir alice)/agent.pem" "$T/other/" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=other CA" \
		-keyout "$T/other/key.pem" -out "$T/other/cafile.pem" 2> /dev/null
	ue alice --tls "$T/other" --timeout 3 --pool 0 --call sip:bob@b.example > "$T/other.out" 2>&1
	orc=$?
	cat "$T/other.out"
	check "a server certificate from another CA: no registration, no INVITE, exit 2" \
		sh -c "[ $orc = 2 ] && grep -q '^register-failed' '$T/other.out' && ! grep -q '^invite-sent' '$T/other.out'"
fi
tap_finish
