#!/bin/sh
# tests/integration/client_demo.sh - "make demo": the source document's two
# flows end to end, each step shown.  mstoken-kms issues a community and
# three users; each is provisioned into its own token; alice calls bob
# (network connected, with a returned I_MESSAGE), then opens a network
# independent group session to bob and carol; generated audio travels as
# SRTP between separate processes over UDP on loopback.
set -u
. "$top_srcdir/tests/integration/client_env.sh"
client_env_setup mst-demo alice bob carol || exit $?
trap 'rm -rf "$T"' EXIT
step() { printf '\n== %s\n' "$*"; }
die() { echo "demo FAILED: $*"; exit 1; }
same_keys() { [ "$(grep '^cs=' "$1")" = "$(grep '^cs=' "$2")" ]; }

step "KMS: a community (TS 33.180 UIDs, 30-day key periods) and three users"
"$KMS" community create --dir "$T/kms" --kms-uri kms.example.org || die kms
for u in alice bob carol; do
	echo "   sip:$u@example.org -> token \"$u\""
done

step "Provisioning: each key set imported into its own token with pkcs11-tool"
i=0
for u in alice bob carol; do
	token $i $u "$T/kms" sip:$u@example.org || die "provisioning $u"
	i=$((i + 1))
done
"$PKCS11_TOOL" --module "$MODULE" --token-label alice --login --pin 1234 --list-objects 2>/dev/null |
	grep -A4 '^Private Key' | sed 's/^/   /'
echo "   (the identity keys are sensitive and never extractable: they stay in the token)"
for kind in 01 02; do
	id=$("$PKCS11_TOOL" --module "$MODULE" --token-label alice --login --pin 1234 --list-objects 2>/dev/null |
		sed -n "s/^ *ID: *\\([0-9a-f]*$kind\\)\$/\\1/p" | head -n1)
	[ -n "$id" ] || die "alice's key $kind not listed"
	printf '   ' && python3 "$top_srcdir/tests/integration/read_secret.py" "$MODULE" alice 1234 "$id" ||
		die "a secret key value was handed out"
done
"$PKCS11_TOOL" --module "$MODULE" --token-label alice --login --pin 1234 \
	--read-object --type data --application-label "3GPP KmsKeySet" -o "$T/kept.xml" >/dev/null 2>&1 ||
	die "cannot read the kept key set"
grep -E 'UserSigningKeySSK|UserDecryptKey' "$T/kept.xml" | sed 's/^ */   kept KmsKeySet data object: /'
if grep -q -E '<(UserSigningKeySSK|UserDecryptKey)[^>]*>[0-9A-Fa-f]' "$T/kept.xml"; then
	die "the kept key set holds a secret"
fi

step "Flow 1, network connected: alice's offer to bob (SSV made, encapsulated and signed in alice's token)"
as alice create --from sip:alice@example.org --to sip:bob@example.org --show-keys --out "$T/offer.sdp" \
	> "$T/alice.keys" || die create
sed 's/^\(a=key-mgmt:mikey .\{48\}\).*/\1.../; s/^/   /' "$T/offer.sdp"
step "bob checks alice's signature, decapsulates in his token, answers with a returned I_MESSAGE"
as bob accept --in "$T/offer.sdp" --return-imessage "$T/ret.b64" --answer "$T/answer.sdp" --port 50000 \
	--show-keys > "$T/bob.keys" || die accept
sed 's/^/   /' "$T/bob.keys" | head -n1
step "alice checks the answer: the returned I_MESSAGE is signed by bob"
as alice accept --in "$T/answer.sdp" | sed 's/^/   /' || die "answer"
same_keys "$T/alice.keys" "$T/bob.keys" || die "keys differ"
echo "   SRTP master keys and salts (derived in each token, only these leave it) agree:"
sed 's/\(srtp-master-key=\)[0-9a-f]*/\1<16 octets>/; s/\(srtp-master-salt=\)[0-9a-f]*/\1<12 octets>/; s/^/   /' "$T/alice.keys"

media() { # name, keys of the sender, cs, address, receivers (keys in $T/<name>.keys)...
	name=$1 skeys=$2 cs=$3 addr=$4; shift 4
	for r in "$@"; do
		"$MEDIA" recv --listen "$addr" --keys "$T/$r.keys" --cs $cs --packets 250 --timeout 10 \
			--received "$T/$name-$r.raw" > "$T/$name-$r.out" 2> "$T/$name-$r.err" &
		echo $! > "$T/$name-$r.pid"
	done
	for r in "$@"; do wait_listening "$T/$name-$r.err" || die "receiver $r"; done
	port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$T/$name-$1.err")
	"$MEDIA" send --to "${addr%:*}:$port" --keys "$skeys" --cs $cs --packets 250 \
		--sent "$T/$name.raw" | sed 's/^/   sender: /'
	for r in "$@"; do
		wait $(cat "$T/$name-$r.pid") || die "$name: $r did not authenticate every packet"
		sed "s/^/   $r: /" "$T/$name-$r.out"
		cmp -s "$T/$name.raw" "$T/$name-$r.raw" || die "$name: audio at $r differs"
		echo "   $r: received audio identical to the sent ($(wc -c < "$T/$name-$r.raw") octets, 5 s at 8 kHz)"
	done
}
step "Media both ways: alice -> bob on CS 0, bob -> alice on CS 1 (AEAD_AES_128_GCM, UDP)"
media a2b "$T/alice.keys" 0 127.0.0.1:0 bob
media b2a "$T/bob.keys" 1 127.0.0.1:0 alice

step "Flow 2, network independent: alice announces a group session to bob and carol on UDP multicast"
G=239.255.$(( $$ / 250 % 250 + 1 )).$(( $$ % 250 + 1 )) AP=$(( 30000 + $$ % 30000 ))
for u in bob carol; do
	as $u accept --listen $G:$AP --as sip:$u@example.org --timeout 10 --show-keys > "$T/$u.keys" \
		2> "$T/$u.listen" &
	echo $! > "$T/$u.lpid"
done
wait_listening "$T/bob.listen" "$T/carol.listen" || die listen
as alice create --from sip:alice@example.org --to sip:bob@example.org --to sip:carol@example.org \
	--announce $G:$AP --address $G --port $((AP + 1)) --show-keys --out "$T/group.sdp" > "$T/alice.keys" ||
	die "group create"
echo "   session-initialisation datagram sent to $G:$AP ($(grep -c '^a=key-mgmt' "$T/group.sdp") I_MESSAGEs, no reply expected)"
for u in bob carol; do
	wait $(cat "$T/$u.lpid") || die "$u did not accept"
	echo "   $u: $(head -n1 "$T/$u.keys")"
	same_keys "$T/alice.keys" "$T/$u.keys" || die "group key at $u differs"
done
echo "   one crypto session, the same group key for all three"
step "Group media: alice multicasts to bob and carol"
media grp "$T/alice.keys" 0 $G:$((AP + 1)) bob carol

printf '\ndemo: all steps passed\n'
