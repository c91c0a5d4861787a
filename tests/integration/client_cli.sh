#!/bin/sh
# tests/integration/client_cli.sh - the mikey-sakke command between
# separate processes, tokens provisioned the README way (mstoken-kms,
# pkcs11-tool --write-object) on a private SoftHSM2: both identifier
# formats, both PRFs and suites, the same SRTP keys on both sides, the
# returned I_MESSAGE, a group announced over UDP multicast, SRTP media from
# the printed keys, and every refusal with exit status 1 and its reason.
set -u
. "$top_srcdir/tests/integration/client_env.sh"
client_env_setup mst-cli alice bob carol dave erin || exit $?
trap 'rm -rf "$T"' EXIT
. "$top_srcdir/tests/integration/tap.sh"

"$KMS" community create --dir "$T/c2" --kms-uri kms.example.org > /dev/null || exit 99
"$KMS" community create --dir "$T/c1" --kms-uri kms1.example.org --user-id-format 1 > /dev/null || exit 99
"$KMS" community create --dir "$T/cx" --kms-uri kms.elsewhere.example > /dev/null || exit 99
token 0 alice "$T/c2" sip:alice@example.org || exit 99
token 1 bob "$T/c2" sip:bob@example.org || exit 99
token 2 carol "$T/c2" sip:carol@example.org || exit 99
token 3 dave "$T/cx" sip:dave@elsewhere.example || exit 99
token 4 erin "$T/c1" tel:+447700900123 || exit 99

# --- one to one, format 2, every PRF and suite -----------------------------
for prf in 0 1; do
	for srtp in aes-cm aes-gcm; do
		as alice create --from sip:alice@example.org --to sip:bob@example.org --prf $prf \
			--srtp $srtp --show-keys --out "$T/offer" > "$T/akeys"; rc=$?
		as bob accept --in "$T/offer" --show-keys > "$T/bout"; rc2=$?
		check "format 2, prf $prf, $srtp: created and accepted" [ "$rc$rc2" = 00 ]
		check "... initiator and CSB ID printed" grep -q '^initiator=sip:alice@example.org csb-id=[0-9a-f]\{8\}$' "$T/bout"
		check "... two crypto sessions, same keys both sides" \
			sh -c "[ \$(grep -c '^cs=' '$T/akeys') = 2 ] && [ \"\$(grep '^cs=' '$T/akeys')\" = \"\$(grep '^cs=' '$T/bout')\" ]"
	done
done
salt=$(sed -n 's/^cs=0 .*srtp-master-salt=\([0-9a-f]*\)$/\1/p' "$T/akeys")
check "aes-gcm salt is 12 octets" [ ${#salt} = 24 ]

# --- format 1 (RFC 6509 month identifiers), base64 form ---------------------
as erin create --from tel:+447700900123 --to tel:+447700900123 --format base64 --show-keys \
	--out "$T/self.b64" > "$T/ekeys"
check "format 1: base64 I_MESSAGE to self accepted with the same keys" \
	sh -c "'$MS' accept --module '$MODULE' --token erin --pin 1234 --in '$T/self.b64' --show-keys > '$T/eout' && [ \"\$(grep '^cs=' '$T/ekeys')\" = \"\$(grep '^cs=' '$T/eout')\" ]"

# --- an independent implementation (tests/ref/msref.py, Python, from the RFC
# texts only): ours accepted by it and its accepted by ours, same keys -------
REF="$top_srcdir/tests/ref/msref.py"
if [ -n "$PYTHON3" ] && [ -f "$REF" ]; then
	for case in "c2 alice sip:alice@example.org bob sip:bob@example.org" \
		    "c1 erin tel:+447700900123 erin tel:+447700900123"; do
		set -- $case
		for prf in 0 1; do
			as $2 create --from $3 --to $5 --prf $prf --show-keys --out "$T/x.sdp" > "$T/x.keys"
			"$PYTHON3" "$REF" imessage-accept --cert "$T/$1/community.xml" --keyset "$T/$4.xml" \
				--in "$T/x.sdp" > "$T/x.ref" 2>&1
			check "$1 prf $prf: msref accepts ours with the same keys" sh -c \
				"grep -q '^initiator=$3 ' '$T/x.ref' && [ \"\$(grep '^cs=' '$T/x.keys')\" = \"\$(grep '^cs=' '$T/x.ref')\" ]"
			"$PYTHON3" "$REF" imessage-create --cert "$T/$1/community.xml" --keyset "$T/$2.xml" \
				--to-cert "$T/$1/community.xml" --to $5 --prf $prf --show-keys > "$T/y.ref" 2>&1
			grep -v '^cs=' "$T/y.ref" > "$T/y.b64"
			as $4 accept --in "$T/y.b64" --show-keys > "$T/y.out" 2>&1
			check "$1 prf $prf: we accept msref's with the same keys" sh -c \
				"grep -q '^initiator=$3 ' '$T/y.out' && [ \"\$(grep '^cs=' '$T/y.ref')\" = \"\$(grep '^cs=' '$T/y.out')\" ]"
		done
	done
else
	echo "msref cross-check skipped: python3 or tests/ref/msref.py missing"
fi

# --- returned I_MESSAGE: bob's answer carries the SSV back ----------------
as alice create --from sip:alice@example.org --to sip:bob@example.org --format base64 --out "$T/m.b64" > /dev/null
check "accept writes a returned I_MESSAGE" sh -c "'$MS' accept --module '$MODULE' --token bob --pin 1234 --in '$T/m.b64' --return-imessage '$T/ret.b64' > /dev/null"
check "... which alice's token accepts as from bob" sh -c \
	"'$MS' accept --module '$MODULE' --token alice --pin 1234 --in '$T/ret.b64' | grep -q '^initiator=sip:bob@example.org '"

# --- network connected: offer -> SDP answer with the returned I_MESSAGE ----
as alice create --from sip:alice@example.org --to sip:bob@example.org --show-keys --out "$T/o2" > "$T/o2keys"
check "bob answers the offer (183-like SDP answer)" sh -c "'$MS' accept --module '$MODULE' --token bob \
	--pin 1234 --in '$T/o2' --return-imessage '$T/r2.b64' --answer '$T/a2' --port 50000 > /dev/null"
check "... the answer accepts one payload type on bob's port" grep -q '^m=audio 50000 RTP/SAVP 0' "$T/a2"
check "... and carries bob's returned I_MESSAGE" grep -q "^a=key-mgmt:mikey $(cat "$T/r2.b64")" "$T/a2"
check "alice accepts the answer: signed by bob" sh -c \
	"'$MS' accept --module '$MODULE' --token alice --pin 1234 --in '$T/a2' | grep -q '^initiator=sip:bob@example.org '"

# --- refusals: exit 1 and the reason ---------------------------------------
refused() { # name, reason, token, input file
	as "$3" accept --in "$4" > /dev/null 2> "$T/err"; rc=$?
	check "$1: exit 1, \"$2\"" sh -c "[ $rc = 1 ] && [ \$(wc -l < '$T/err') = 1 ] && grep -q '$2' '$T/err'"
}
refused "replay" "replayed" bob "$T/m.b64"
as alice create --from sip:alice@example.org --to sip:bob@example.org --format base64 --out "$T/n.b64" > /dev/null
b64() { base64 -d < "$1" > "$2"; }
b64 "$T/n.b64" "$T/n.bin"
# a bit flipped in the SAKKE data (signed): bad signature
python3 -c "import sys;b=bytearray(open(sys.argv[1],'rb').read());b[len(b)-200]^=1;open(sys.argv[2],'wb').write(b)" "$T/n.bin" "$T/flip.bin"
base64 -w0 "$T/flip.bin" > "$T/flip.b64"
refused "flipped bit" "bad signature" bob "$T/flip.b64"
# the T payload an hour earlier (outside the window, refused before the signature)
python3 -c "
import sys;b=bytearray(open(sys.argv[1],'rb').read())
i=b.index(bytes([0x0b,0x00]),10)+2
s=int.from_bytes(b[i:i+4],'big')-3600;b[i:i+4]=s.to_bytes(4,'big');open(sys.argv[2],'wb').write(b)" "$T/n.bin" "$T/old.bin"
base64 -w0 "$T/old.bin" > "$T/old.b64"
refused "an hour old" "outside the window" bob "$T/old.b64"
as dave create --from sip:dave@elsewhere.example --to sip:bob@example.org --format base64 --out "$T/d.b64" > /dev/null 2>&1
refused "another community's signer" "unknown signer" bob "$T/d.b64"
refused "a message for bob at carol" "cannot decapsulate" carol "$T/n.b64"
head -c 300 "$T/n.bin" | base64 -w0 > "$T/cut.b64"
refused "truncated" "malformed at offset" bob "$T/cut.b64"
check "the refusals kept the good message unseen: it is still accepted" sh -c \
	"'$MS' accept --module '$MODULE' --token bob --pin 1234 --in '$T/n.b64' > /dev/null"

# --- usage and configuration: exit 2 ---------------------------------------
"$MS" accept --token bob --pin 1234 > /dev/null 2>&1; rc=$?
check "no --in: exit 2" [ $rc = 2 ]
"$MS" accept --module "$MODULE" --token nobody --pin 1234 --in "$T/n.b64" > /dev/null 2>&1; rc=$?
check "unknown token: exit 2" [ $rc = 2 ]
"$MS" accept --module "$MODULE" --token bob --pin 9999 --in "$T/n.b64" > /dev/null 2>&1; rc=$?
check "wrong PIN: exit 2" [ $rc = 2 ]

# --- the PIN kept out of argv (/proc/PID/cmdline): --pin-fd, MSTOKEN_PIN -----
for how in fd env; do
	as alice create --from sip:alice@example.org --to sip:bob@example.org --format base64 \
		--out "$T/pin-$how.b64" > /dev/null
done
printf '1234\n' > "$T/pinfile"
"$MS" accept --module "$MODULE" --token bob --pin-fd 3 --in "$T/pin-fd.b64" 3< "$T/pinfile" > /dev/null; rc=$?
check "--pin-fd 3: PIN read from a descriptor, message accepted" [ $rc = 0 ]
MSTOKEN_PIN=1234 "$MS" accept --module "$MODULE" --token bob --in "$T/pin-env.b64" > /dev/null; rc=$?
check "MSTOKEN_PIN: message accepted" [ $rc = 0 ]
echo 9999 | "$MS" accept --module "$MODULE" --token bob --pin-fd 0 --in "$T/n.b64" > /dev/null 2>&1; rc=$?
check "--pin-fd with a wrong PIN: exit 2" [ $rc = 2 ]
"$MS" accept --module "$MODULE" --token bob --pin-fd 7 --in "$T/n.b64" > /dev/null 2>"$T/pinerr"; rc=$?
check "--pin-fd on a closed descriptor: exit 2, said why" sh -c "[ $rc = 2 ] && grep -q 'pin-fd' '$T/pinerr'"
"$MS" accept --module "$MODULE" --token bob --pin 1234 --pin-fd 0 --in "$T/n.b64" < "$T/pinfile" > /dev/null 2>&1; rc=$?
check "--pin and --pin-fd together: exit 2" [ $rc = 2 ]
env -u MSTOKEN_PIN "$MS" accept --module "$MODULE" --token bob --in "$T/n.b64" > /dev/null 2>"$T/pinerr"; rc=$?
check "no PIN at all: exit 2, names the three sources" sh -c "[ $rc = 2 ] && grep -q 'MSTOKEN_PIN' '$T/pinerr'"

# --- network independent group: announced on multicast, media to all --------
G=239.255.$(( $$ / 250 % 250 + 1 )).$(( $$ % 250 + 1 ))
AP=$(( 30000 + $$ % 30000 ))
for who in bob carol; do
	as $who accept --listen $G:$AP --as sip:$who@example.org --timeout 10 --show-keys \
		> "$T/g-$who" 2> "$T/g-$who.err" &
	eval gpid_$who=$!
done
wait_listening "$T/g-bob.err" "$T/g-carol.err"
as alice create --from sip:alice@example.org --to sip:bob@example.org --to sip:carol@example.org \
	--announce $G:$AP --address $G --port $((AP + 1)) --show-keys --out "$T/goffer" > "$T/gkeys"
wait $gpid_bob; rb=$?
wait $gpid_carol; rc=$?
check "group: both members accepted the announced offer" [ "$rb$rc" = 00 ]
check "group: one crypto session, the same keys for all" sh -c \
	"[ \$(grep -c '^cs=' '$T/gkeys') = 1 ] && [ \"\$(grep '^cs=' '$T/g-bob')\" = \"\$(grep '^cs=' '$T/gkeys')\" ] && [ \"\$(grep '^cs=' '$T/g-carol')\" = \"\$(grep '^cs=' '$T/gkeys')\" ]"
check "group offer holds one I_MESSAGE per member" [ "$(grep -c '^a=key-mgmt:mikey ' "$T/goffer")" = 2 ]

# --- group size: more members than an SDP offer carries (16) ---------------
members() { seq 0 $(($1 - 1)) | sed 's/.*/--to sip:m&@example.org/'; }
to20=$(members 20); to17=$(members 17); to4097=$(members 4097)
# shellcheck disable=SC2086 # one word per --to
as alice create --from sip:alice@example.org --to sip:bob@example.org $to20 --format base64 \
	--out "$T/g21.b64" > /dev/null
check "group of 21 (base64): one I_MESSAGE per member" [ "$(wc -l < "$T/g21.b64")" = 21 ]
head -n 1 "$T/g21.b64" > "$T/g21-bob.b64"
check "... bob, the first member, accepts his" sh -c \
	"'$MS' accept --module '$MODULE' --token bob --pin 1234 --in '$T/g21-bob.b64' | grep -q '^initiator=sip:alice@example.org '"
# shellcheck disable=SC2086
as alice create --from sip:alice@example.org $to17 > /dev/null 2> "$T/err"; rc=$?
check "17 members in an SDP offer: usage error (exit 2) naming --format base64" sh -c \
	"[ $rc = 2 ] && grep -q 'at most 16 keys: --format base64' '$T/err'"
# shellcheck disable=SC2086
as alice create --from sip:alice@example.org $to4097 --format base64 > /dev/null 2> "$T/err"; rc=$?
check "4097 members: usage error (at most 4096)" sh -c "[ $rc = 2 ] && grep -q 'at most 4096' '$T/err'"

# media under the group key: alice to bob and carol over multicast
for who in bob carol; do
	"$MEDIA" recv --listen $G:$((AP + 1)) --keys "$T/g-$who" --cs 0 --packets 100 --timeout 5 \
		--received "$T/audio-$who" > "$T/media-$who" 2> "$T/media-$who.err" &
	eval mpid_$who=$!
done
wait_listening "$T/media-bob.err" "$T/media-carol.err"
"$MEDIA" send --to $G:$((AP + 1)) --keys "$T/gkeys" --cs 0 --packets 100 --sent "$T/audio-sent" > /dev/null
wait $mpid_bob; mb=$?
wait $mpid_carol; mc=$?
check "group media: all 100 packets authenticated by both" [ "$mb$mc" = 00 ]
check "group media: received audio identical to the sent" sh -c \
	"cmp -s '$T/audio-sent' '$T/audio-bob' && cmp -s '$T/audio-sent' '$T/audio-carol'"

# --- network independent, one to one: announced by UDP broadcast, no reply --
BP=$(( AP + 7 ))
as bob accept --listen 127.255.255.255:$BP --as sip:bob@example.org --timeout 10 --show-keys \
	> "$T/b1-bob" 2> "$T/b1-bob.err" &
b1pid=$!
wait_listening "$T/b1-bob.err"
as alice create --from sip:alice@example.org --to sip:bob@example.org \
	--announce 127.255.255.255:$BP --show-keys --out "$T/b1offer" > "$T/b1keys"
wait $b1pid; rb1=$?
check "broadcast 1:1: bob accepted the announced offer" [ "$rb1" = 0 ]
check "broadcast 1:1: initiator named, two crypto sessions, same keys" sh -c \
	"grep -q '^initiator=sip:alice@example.org ' '$T/b1-bob' && [ \$(grep -c '^cs=' '$T/b1keys') = 2 ] && [ \"\$(grep '^cs=' '$T/b1-bob')\" = \"\$(grep '^cs=' '$T/b1keys')\" ]"
tap_finish
