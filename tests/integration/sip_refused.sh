#!/bin/sh
# tests/integration/sip_refused.sh - an offer the callee cannot accept is
# refused over SIP with 488 Not Acceptable Here and a Warning naming the
# reason (doc/sip.md): "eve" holds a key set for sip:alice@a.example from
# another KMS (another community), registers as alice and calls bob
# through both servers; bob answers 488 with Warning: 399 b.example
# "unknown signer ..." (the words of "mikey-sakke accept"), sends no 183
# and no media; eve reports the 488 with that reason and exits 1, bob
# exits 1.  Then: a callee not registered (carol): 404, exit 1; a callee
# registered but not answering (bob without --auto-answer rings): the
# caller CANCELs after its --timeout, exit 1; the caller's wrong PIN: exit 2
# naming the token, nothing sent (not even the REGISTER).
set -u
. "$top_srcdir/tests/integration/sip_env.sh"
sip_env_setup mst-sipr eve || exit $?
trap sip_env_teardown EXIT

"$KMS" community create --dir "$T/rogue" --kms-uri rogue.example.org > /dev/null || exit 99
token 3 eve "$T/rogue" sip:alice@a.example || exit 99

ue_bg bob bob --auto-answer --calls 1
bpid=$(cat "$T/bob.pid")
wait_line "$T/bob.out" "^registered " || echo "FAIL: bob did not register"
"$MS" ue --module "$MODULE" --token eve --pin 1234 --uri sip:alice@a.example \
	--proxy "$(kam_proxy a)" --password-file "$(kam_password alice)" --call sip:bob@b.example \
	> "$T/eve.out" 2> "$T/eve.err"
erc=$?
wait $bpid; brc=$?; rm -f "$T/bob.pid"
for u in eve bob; do echo "--- $u"; cat "$T/$u.out" "$T/$u.err"; done
check "eve's call fails: exit 1" [ $erc = 1 ]
check "bob refused it: exit 1" [ $brc = 1 ]
check "bob: refused status=488 reason=\"unknown signer ...\"" \
	grep -q '^refused status=488 reason="unknown signer' "$T/bob.out"
check "eve: call-failed status=488 with the Warning's reason" \
	grep -q '^call-failed status=488 phrase="Not Acceptable Here" reason="unknown signer' "$T/eve.out"
check "no 183, no keys, no media on either side" \
	sh -c "! grep -q -E '^(183-|keys-agreed|media)' '$T/eve.out' '$T/bob.out'"

ue alice --call sip:carol@b.example --timeout 5 > "$T/alice.out" 2>&1
arc=$?
cat "$T/alice.out"
check "a callee not registered: 404, exit 1" sh -c "[ $arc = 1 ] && grep -q '^call-failed status=404' '$T/alice.out'"
ue_bg bob2 bob --calls 1
wait_line "$T/bob2.out" "^registered " || echo "FAIL: bob did not register"
ue alice --call sip:bob@b.example --timeout 3 > "$T/alice2.out" 2>&1
arc=$?
wait "$(cat "$T/bob2.pid")"; rm -f "$T/bob2.pid"
cat "$T/alice2.out" "$T/bob2.out"
check "a callee that only rings: CANCEL after 3 s, 487, exit 1" sh -c "[ $arc = 1 ] && grep -q '^180-received' '$T/alice2.out' && grep -q '^cancel-sent reason=\"no answer within 3 s\"' '$T/alice2.out' && grep -q '^call-failed status=487' '$T/alice2.out' && grep -q '^cancel-received' '$T/bob2.out'"

"$MS" ue --module "$MODULE" --token alice --pin 9999 --uri sip:alice@a.example \
	--proxy "$(kam_proxy a)" --password-file "$(kam_password alice)" --call sip:bob@b.example \
	> "$T/pin.out" 2> "$T/pin.err"
prc=$?
cat "$T/pin.out" "$T/pin.err"
check "wrong PIN: exit 2 naming the token, nothing sent" sh -c "[ $prc = 2 ] && grep -q 'cannot log in to token \"alice\"' '$T/pin.err' && [ ! -s '$T/pin.out' ]"
tap_finish
