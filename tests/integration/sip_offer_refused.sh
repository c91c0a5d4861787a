#!/bin/sh
# tests/integration/sip_offer_refused.sh - offers the callee must refuse,
# sent over SIP through both kamailio servers by a SIPp caller that
# registers nothing and authenticates to server A as alice
# (tests/integration/sipp/invite-*.xml; doc/sip.md):
#   1. an INVITE with an I_MESSAGE alice's token made for bob: accepted
#      (183, 200, ACK, BYE);
#   2. the same INVITE again (same I_MESSAGE, new dialog): 488 with
#      Warning: 399 b.example "replayed ...";
#   3. an I_MESSAGE of alice's with one signature bit flipped: 488 with
#      Warning: 399 b.example "bad signature ...".
# bob's UE answers all three and exits 1 (two refused).
set -u
. "$top_srcdir/tests/integration/sip_env.sh"
sipp_setup mst-sipo || exit $?
trap sip_env_teardown EXIT

as alice create --from sip:alice@a.example --to sip:bob@b.example --format base64 > "$T/good.b64" ||
	exit 99
imsg_flip "$T/good.b64" > "$T/flipped.b64" || exit 99

ue_bg bob bob --auto-answer --calls 3 --duration 0
bpid=$(cat "$T/bob.pid")
wait_line "$T/bob.out" "^registered " || echo "FAIL: bob did not register"

caller() { # name, scenario, I_MESSAGE file
	sipp "127.0.0.1:$KAM_A_PORT" -sf "$S/$2" -i 127.0.0.1 -m 1 -timeout 20 -nostdin \
		-au alice -ap "$(cat "$(kam_password alice)")" -key imsg "$(cat "$3")" \
		-trace_msg -message_file "$T/$1.msg" > "$T/$1.out" 2>&1
}
caller first invite-accepted.xml "$T/good.b64"; c1=$?
caller replay invite-refused.xml "$T/good.b64"; c2=$?
caller flipped invite-refused.xml "$T/flipped.b64"; c3=$?
wait $bpid; brc=$?; rm -f "$T/bob.pid"
cat "$T/bob.out" "$T/bob.err"
for n in first replay flipped; do [ -s "$T/$n.msg" ] && grep -E '^(SIP/2.0 [0-9]|Warning:)' "$T/$n.msg" | sed "s/^/$n: /"; done

check "the first INVITE is accepted (183, 200, ACK, BYE)" sh -c "[ $c1 = 0 ] && grep -q '^offer-accepted initiator=sip:alice@a.example' '$T/bob.out'"
check "the same I_MESSAGE again: 488, Warning: 399 b.example \"replayed ...\"" \
	sh -c "[ $c2 = 0 ] && grep -q '^Warning: 399 b.example \"replayed' '$T/replay.msg' && grep -q '^refused status=488 reason=\"replayed' '$T/bob.out'"
check "a flipped signature bit: 488, Warning: 399 b.example \"bad signature ...\"" \
	sh -c "[ $c3 = 0 ] && grep -q '^Warning: 399 b.example \"bad signature' '$T/flipped.msg' && grep -q '^refused status=488 reason=\"bad signature' '$T/bob.out'"
check "bob answered all three and exits 1" sh -c "[ $brc = 1 ] && [ \$(grep -c '^invite-received ' '$T/bob.out') = 3 ]"
tap_finish
