#!/bin/sh
# tests/integration/client_demo.sh - "make demo": the source document's two
# flows end to end, each step shown.  mstoken-kms makes a community and
# serves it over HTTPS (TS 33.180 Annex D); three users are enrolled and
# each token is provisioned through the server by "mikey-sakke provision",
# and the demo shows that no SSK or RSK is in the clear on the wire (a
# loopback capture), in the client's output and files, or in the token
# store; two kamailio
# signalling servers start (a.example, b.example); alice and bob register
# and alice calls bob over SIP through both servers (network connected,
# the I_MESSAGE in the INVITE, the returned one in the 183, SRTP both
# ways); then alice opens a network independent group session to bob and
# carol; audio travels as SRTP between separate processes over UDP on
# loopback.  Ends with one line: all steps passed, or which failed.
set -u
. "$top_srcdir/tests/integration/sip_env.sh"
client_env_setup mst-demo alice bob carol || exit $?
trap sip_env_teardown EXIT
step() { printf '\n== %s\n' "$*"; }
die() { printf '\ndemo FAILED: %s\n' "$*"; exit 1; }
same_keys() { [ -n "$(grep '^cs=' "$1")" ] && [ "$(grep '^cs=' "$1")" = "$(grep '^cs=' "$2")" ]; }
# step lines of a UE, key values hidden
show() { grep -v '^cs=' "$1" | sed "s/^/   $2: /"; }

step "KMS: a community (TS 33.180 UIDs, 30-day key periods), its HTTPS server, three enrolled devices"
sip_kms > /dev/null || die kms
sip_kms_serve || die "the KMS server did not start"
echo "   mstoken-kms serve at $KMS_URL (TLS, certificate of a test CA made by tests/integration/kms_tls.sh)"
for u in alice bob carol; do
	echo "   sip:$u@$(sip_domain $u).example -> token \"$u\"; enrolment file ue/$u.enrol (0600: access token, TrK, InK)"
done

step "Provisioning through the KMS server: mikey-sakke provision init (SO PIN) and keys (user PIN)"
cap_start "tcp port $KMS_PORT" "$T/kms.pcap"
SSLKEYLOGFILE=$T/tls-keys.log sip_provision_kms alice bob carol || die provisioning
cap_stop
sed 's/^/   client: /' "$T/ue/provision.out"
grep ' 200 user=' "$KMS_LOG" | sed 's/^[^ ]* //; s/^/   KMS log: /'
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

step "No SSK or RSK in the clear: not on the wire, not in the client's output or files, not in the token store"
[ -s "$T/kms.pcap" ] || die "no capture of the KMS port (tshark)"
echo "   loopback capture of the KMS port: $T/kms.pcap ($(tshark -r "$T/kms.pcap" 2>/dev/null | wc -l) packets, TLS)"
# the HTTP inside, opened with the TLS keys libcurl logged (SSLKEYLOGFILE)
tshark -q -r "$T/kms.pcap" -o "tls.keylog_file:$T/tls-keys.log" -d "tcp.port==$KMS_PORT,tls" \
	-d "tls.port==$KMS_PORT,http" --export-objects "http,$T/wire" > /dev/null 2>&1
: > "$T/keys.hex"
n=0
for f in "$T"/wire/*; do
	grep -q '<KmsKeyProv' "$f" 2>/dev/null || continue
	u=$(sed -n 's:.*<KmsResponse[^>]*><UserUri>sip\:\([a-z]*\)@.*:\1:p' "$f")
	"$PYTHON3" "$top_srcdir/tests/integration/kms_serve_check.py" "$f" "$T/ue/$u.enrol" \
		"$T/kms/community.xml" keyprov --keys-out "$T/keys-$u.hex" > "$T/check.out" || {
		cat "$T/check.out"; die "a key set on the wire does not check"; }
	cat "$T/keys-$u.hex" >> "$T/keys.hex"
	n=$((n + 1))
done
[ $n -eq 3 ] || die "expected 3 key sets on the wire, found $n"
echo "   inside TLS (decrypted here with the client's TLS keys): $n SignedKmsResponses, each key an EncryptedKey:"
sed 's/></>\n</g' "$(grep -l '<KmsKeyProv' "$T"/wire/* | head -n1)" |
	sed -n '/<UserSigningKeySSK/,/<\/UserSigningKeySSK>/p' |
	sed 's/\(<xenc:CipherValue>.\{24\}\)[^<]*/\1.../; s/^/      /'
echo "   the demo opens them with the TrK of the enrolment files (as only the token does) to know what to look for:"
echo "   $(($(wc -l < "$T/keys.hex") / 2)) keys (SSK and RSK of alice, bob and carol); searched as octets and as hex:"
"$PYTHON3" "$top_srcdir/tests/integration/find_keys.py" "$T/keys.hex" "$T/kms.pcap" > "$T/find.out" ||
	{ cat "$T/find.out"; die "a key is in the capture"; }
echo "      capture of the KMS port: $(cat "$T/find.out")"
"$PYTHON3" "$top_srcdir/tests/integration/find_keys.py" "$T/keys.hex" "$T/ue" > "$T/find.out" ||
	{ cat "$T/find.out"; die "a key is in the client's output or files"; }
echo "      the client's output and files (ue/: provision.out, enrolment files): $(cat "$T/find.out")"
"$PYTHON3" "$top_srcdir/tests/integration/find_keys.py" "$T/keys.hex" "$T/tokens" > "$T/find.out" ||
	{ cat "$T/find.out"; die "a key is in the token store"; }
echo "      the tokens' backing store (SoftHSM2 files, sealed): $(cat "$T/find.out")"
head -n1 "$T/keys-bob.hex" > "$T/control.hex" # bob's RSK (RFC 6508: the same in every issue)
! "$PYTHON3" "$top_srcdir/tests/integration/find_keys.py" "$T/control.hex" "$T/kms/bob.xml" > /dev/null ||
	die "the search control failed"
echo "      (control: the same search finds bob's RSK in the KMS's own copy, kms/bob.xml, issued for msref)"

step "Signalling servers: two kamailio instances on loopback (sip/kamailio.cfg)"
[ -n "$(kam_bin)" ] || die "kamailio is not installed (apt-get install kamailio)"
kam_start "$T/kam" || die "kamailio did not start"
echo "   a.example at $(kam_proxy a) serves alice; b.example at $(kam_proxy b) serves bob and carol"
echo "   registrar with digest authentication (db_text user file), record-route, forwarding by domain"
cap_start

step "Flow 1, network connected: alice and bob register (REGISTER, 401, REGISTER with digest, 200)"
ue_bg bob bob --auto-answer --calls 1 --duration 5 --show-keys --sent "$T/b2a.raw" \
	--received "$T/a2b-bob.raw"
bpid=$(cat "$T/bob.pid")
wait_line "$T/bob.out" "^registered " || { cat "$T/bob.err"; die "bob did not register"; }
show "$T/bob.out" bob

step "alice calls sip:bob@b.example through both servers: INVITE -> 183 (PRACK) -> 200 -> ACK -> SRTP -> BYE"
ue alice --call sip:bob@b.example --duration 5 --show-keys --sent "$T/a2b.raw" \
	--received "$T/b2a-alice.raw" > "$T/alice.out" 2> "$T/alice.err"
arc=$?
wait $bpid; brc=$?; rm -f "$T/bob.pid"
echo "   (alice: the SSV made, SAKKE-encapsulated to bob and ECCSI-signed in her token, before the call)"
show "$T/alice.out" alice
echo "   (bob: alice's signature checked, the SSV decapsulated in his token, a returned I_MESSAGE signed by him)"
show "$T/bob.out" bob
[ $arc = 0 ] || { cat "$T/alice.err"; die "alice's call failed (exit $arc)"; }
[ $brc = 0 ] || { cat "$T/bob.err"; die "bob's side failed (exit $brc)"; }
grep -q '^invite-received .*via=3 ' "$T/bob.out" || die "the INVITE did not pass both servers"
grep -q '^return-checked signer=sip:bob@b.example' "$T/alice.out" || die "the returned I_MESSAGE was not checked"
same_keys "$T/alice.out" "$T/bob.out" || die "keys differ"
echo "   SRTP master keys and salts (derived in each token, only these leave it) agree:"
grep '^cs=' "$T/alice.out" | sed 's/\(srtp-master-key=\)[0-9a-f]*/\1<16 octets>/; s/\(srtp-master-salt=\)[0-9a-f]*/\1<12 octets>/; s/^/   /'
for d in a2b:alice:bob b2a:bob:alice; do
	n=${d%%:*} from=${d#*:}; from=${from%%:*} to=${d##*:}
	cmp -s "$T/$n.raw" "$T/$n-$to.raw" && [ -s "$T/$n.raw" ] || die "audio $from -> $to differs"
	echo "   $from -> $to: received audio identical to the sent ($(wc -c < "$T/$n.raw") octets, 5 s at 8 kHz)"
done
if [ -n "$cap" ]; then
	cap_stop
	inv="sip.Method == \"INVITE\" && udp.srcport == $KAM_B_PORT"
	label='s/^SIP\/2.0\/UDP/Via: &/; s/^<sip:/Record-Route: &/; s/^100rel$/Require: 100rel/; s/^[0-9][0-9]*$/RSeq: &/; s/^\(key-mgmt:mikey .\{40\}\).*/a=\1.../; s/^/      /'
	echo "   loopback capture ($T/sip.pcap, read by tshark): the INVITE as it reached bob"
	cap_fields "$T/sip.pcap" "$inv" sip.Request-Line sip.Via sip.Record-Route sdp.media_attr |
		grep -v '^rtpmap' | sed "$label"
	echo "   its I_MESSAGE checked by the independent tests/ref/msref.py with bob's key set:"
	cap_msref "$T/sip.pcap" "$inv" bob > "$T/msref.out" 2>&1 || { cat "$T/msref.out"; die "msref.py refused the captured I_MESSAGE"; }
	sed -n 's/^initiator=/      initiator=/p' "$T/msref.out"
	[ "$(grep '^cs=' "$T/msref.out")" = "$(grep '^cs=' "$T/bob.out")" ] || die "msref.py derived other keys"
	echo "      (and derived the same SRTP keys as bob's token)"
	echo "   the 183 as it reached alice:"
	cap_fields "$T/sip.pcap" "sip.Status-Code == 183 && udp.srcport == $KAM_A_PORT" sip.Status-Line \
		sip.Require sip.RSeq sdp.media_attr | grep -v '^rtpmap' | sed "$label"
fi

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
step "Flow 2, network independent: alice announces a group session to bob and carol on UDP multicast"
G=239.255.$(( $$ / 250 % 250 + 1 )).$(( $$ % 250 + 1 )) AP=$(( 30000 + $$ % 30000 ))
for u in bob carol; do
	as $u accept --listen $G:$AP --as sip:$u@b.example --timeout 10 --show-keys > "$T/$u.keys" \
		2> "$T/$u.listen" &
	echo $! > "$T/$u.lpid"
done
wait_listening "$T/bob.listen" "$T/carol.listen" || die listen
as alice create --from sip:alice@a.example --to sip:bob@b.example --to sip:carol@b.example \
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
