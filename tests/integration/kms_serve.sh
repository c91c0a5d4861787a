#!/bin/sh
# tests/integration/kms_serve.sh - "mstoken-kms serve" over HTTPS on
# loopback, checked from outside with independent tools: curl (HTTP/TLS,
# the test CA of kms_tls.sh), xmlsec1 (the XML signature, HMAC-SHA-256
# under the user's InK), openssl + msref through kms_serve_check.py (the
# EncryptedKeys open under the TrK into keys that validate).  Then every
# refusal (401, 403, 404, 405, 413, 400) issues nothing and is logged; no
# log line holds a key, a token or a TrK/InK; TLS is required and the
# certificate checked.  Skipped (77) without curl, openssl, xmlsec1 or
# python3.
. "${top_srcdir:-.}/tests/integration/kms_lib.sh"
. "${top_builddir:-.}/tests/integration/env.sh"

for tool in curl openssl xmlsec1 xmllint python3; do
	command -v $tool >/dev/null 2>&1 || { echo "$tool not found: skipped"; exit 77; }
done
CHECKER="${top_srcdir:-.}/tests/integration/kms_serve_check.py"
. "${top_srcdir:-.}/tests/integration/kms_server_env.sh"
D=$TMP/kms
trap 'kms_server_stop; rm -rf "$TMP"' EXIT

# --- enrolment -------------------------------------------------------------
ok "community" "$KMS" community create --dir "$D" --kms-uri kms.example.org
ok "enrol alice" "$KMS" user enrol --dir "$D" --uri sip:alice@example.org --out "$TMP/alice.enrol"
cp "$TMP/out" "$TMP/enrol.out"
ok "enrol bob" "$KMS" user enrol --dir "$D" --uri sip:bob@example.org --out "$TMP/bob.enrol"
check "enrolment file and kms-users are 0600" \
	[ "$(mode_of "$TMP/alice.enrol") $(mode_of "$D/kms-users")" = "600 600" ]
check "enrolment file: the seven key=value lines" [ "$(cut -d= -f1 "$TMP/alice.enrol" | tr '\n' ' ')" = \
	"kms-uri user-uri access-token trk-id trk ink-id ink " ]
val() { sed -n "s/^$2=//p" "$1"; }
check "enrol prints no access token, TrK or InK" sh -c '! grep -qiE "$1|$2|$3" "$4"' - \
	"$(val "$TMP/alice.enrol" access-token)" "$(val "$TMP/alice.enrol" trk)" "$(val "$TMP/alice.enrol" ink)" "$TMP/enrol.out"
check "kms-uri is the community's KmsUri" [ "$(val "$TMP/alice.enrol" kms-uri)" = kms.example.org ]
check "trk and ink: 64 hex digits each" matches "$(val "$TMP/alice.enrol" trk)$(val "$TMP/alice.enrol" ink)" '^[0-9a-f]{128}$'
TOK=$(val "$TMP/alice.enrol" access-token) BOBTOK=$(val "$TMP/bob.enrol" access-token)
check "kms-users keeps a hash of the access token, not the token" lacks "$D/kms-users" "$TOK"
check "... and alice's TrK (upper case)" grep -q "^trk $(val "$TMP/alice.enrol" trk | tr a-f A-F)\$" "$D/kms-users"
cp "$TMP/alice.enrol" "$TMP/alice.before"
refused "enrolling again needs --force" "already enrolled (use --force" \
	"$KMS" user enrol --dir "$D" --uri sip:alice@example.org --out "$TMP/alice.enrol"
check "... the enrolment file is untouched" cmp -s "$TMP/alice.enrol" "$TMP/alice.before"
refused "enrol needs --out" "--out is required" "$KMS" user enrol --dir "$D" --uri sip:x@example.org
refused "enrol in a folder that does not exist" "--dir" \
	"$KMS" user enrol --dir "$TMP/none" --uri sip:x@example.org --out "$TMP/x.enrol"
mkdir "$TMP/empty"
refused "enrol in a folder without a community" "community.xml" \
	"$KMS" user enrol --dir "$TMP/empty" --uri sip:x@example.org --out "$TMP/x.enrol"
check "... writes no enrolment file and no users file" sh -c '[ ! -e "$1" ] && [ ! -e "$2" ]' - "$TMP/x.enrol" "$TMP/empty/kms-users"

# --- TLS material; refusals of serve itself --------------------------------
ok "test CA and server certificate" sh "${top_srcdir:-.}/tests/integration/kms_tls.sh" "$TMP/tls"
ok "a second, unrelated CA" sh "${top_srcdir:-.}/tests/integration/kms_tls.sh" "$TMP/other"
refused "serve needs --cert and --key" "--cert and --key are required" \
	"$KMS" serve --dir "$D" --listen 127.0.0.1:0
"$KMS" serve --dir "$D" --listen 127.0.0.1:0 --cert "$TMP/tls/server.pem" --key "$TMP/tls/ca.pem" \
	>"$TMP/out" 2>"$TMP/err"
check "serve: a key that is no PEM key: exit 2, the reason last (after libmicrohttpd's)" \
	sh -c '[ $1 -eq 2 ] && tail -n1 "$2" | grep -q "^mstoken-kms: cannot serve on 127.0.0.1:0"' - $? "$TMP/err"
refused "serve: no community" "community.xml" \
	"$KMS" serve --dir "$TMP/none" --listen 127.0.0.1:0 --cert "$TMP/tls/server.pem" --key "$TMP/tls/server.key"
refused "serve: bad --listen" "--listen: expected ADDR:PORT" \
	"$KMS" serve --dir "$D" --listen 127.0.0.1 --cert "$TMP/tls/server.pem" --key "$TMP/tls/server.key"

# --- the server ----------------------------------------------------------------
if kms_server_start "$D" "$TMP/srv"; then
	pass "server listening on port $KMS_PORT (a free one, port 0 asked)"
else
	failed "server did not start"; tap_finish
fi
PORT=$KMS_PORT LOG=$KMS_LOG
URL=https://localhost:$PORT/keymanagement/identity/v1

# request FILE USER OP: a KmsRequest body
request() {
	printf '<KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0" Version="1.1.0"><UserUri>%s</UserUri><KmsUri>kms.example.org</KmsUri><Time>%s</Time><ClientReqUrl>%s/%s</ClientReqUrl></KmsRequest>' \
		"$2" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$URL" "$3" > "$1"
}
# post OUT PATH [curl options...]: prints the HTTP status
post() {
	out=$1 path=$2; shift 2
	curl -sS --cacert "$KMS_CACERT" -o "$out" -w '%{http_code}' "$@" "$URL/$path" 2>"$TMP/curl.err"
}
request "$TMP/alice.req" sip:alice@example.org keyprov
ink_of() { val "$1" ink | xxd -r -p > "$TMP/ink.bin"; }
verifies() { # RESPONSE ENROL: xmlsec1 checks the HMAC under the enrolment's InK
	ink_of "$2"
	xmlsec1 --verify --hmackey "$TMP/ink.bin" --id-attr:Id KmsResponse "$1" >"$TMP/xmlsec.out" 2>&1
}
fails() { ! "$@"; }
checker() { python3 "$CHECKER" "$@" > "$TMP/check.out" 2>&1; }
# The KMS schema (tests/vectors/kms-interface.xsd) with stubs for the three
# namespaces it imports without a location (XML-DSig, XML-Enc, KRR): their
# elements are "anything", every KMS element is checked by the real schema.
mkdir "$TMP/xsd"
stub() { printf '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="%s">%s</xsd:schema>\n' "$2" "$3" > "$TMP/xsd/$1.xsd"; }
stub ds http://www.w3.org/2000/09/xmldsig# '<xsd:element name="Signature" type="xsd:anyType"/>'
stub xenc http://www.w3.org/2001/04/xmlenc# '<xsd:element name="EncryptedKey" type="xsd:anyType"/>'
stub krr urn:3gpp:ns:mcsecKMSKRR:1.0 '<xsd:complexType name="KmsRedirectResponseType"><xsd:sequence><xsd:any processContents="skip" minOccurs="0" maxOccurs="unbounded"/></xsd:sequence></xsd:complexType>'
sed -e 's|<xsd:import namespace="http://www.w3.org/2000/09/xmldsig#" />|<xsd:import namespace="http://www.w3.org/2000/09/xmldsig#" schemaLocation="ds.xsd"/>|' \
    -e 's|<xsd:import namespace="http://www.w3.org/2001/04/xmlenc#" />|<xsd:import namespace="http://www.w3.org/2001/04/xmlenc#" schemaLocation="xenc.xsd"/>|' \
    -e 's|<xsd:import namespace="urn:3gpp:ns:mcsecKMSKRR:1.0" />|<xsd:import namespace="urn:3gpp:ns:mcsecKMSKRR:1.0" schemaLocation="krr.xsd"/>|' \
    "${top_srcdir:-.}/tests/vectors/kms-interface.xsd" > "$TMP/xsd/kms.xsd"
valid() { xmllint --noout --nonet --schema "$TMP/xsd/kms.xsd" "$@" > "$TMP/xmllint.out" 2>&1; }
check "the schema check is real: the vendor keyprov sample (no xsi:type) fails it" \
	sh -c '! xmllint --noout --nonet --schema "$1" "$2" 2>/dev/null' - "$TMP/xsd/kms.xsd" "${top_srcdir:-.}/tests/vectors/kms-keyprov-response.xml"

for op in init keyprov certcache; do
	check "$op: 200" [ "$(post "$TMP/$op.xml" $op -H "Authorization: Bearer $TOK" --data-binary @"$TMP/alice.req")" = 200 ]
	check "$op: the signature verifies with alice's InK (xmlsec1)" verifies "$TMP/$op.xml" "$TMP/alice.enrol"
	check "$op: ... and not with bob's" fails verifies "$TMP/$op.xml" "$TMP/bob.enrol"
	check "$op: valid under the KMS schema (xmllint)" valid "$TMP/$op.xml"
	check "$op: ds:KeyName is alice's InK ID" grep -q "<ds:KeyName>$(val "$TMP/alice.enrol" ink-id)</ds:KeyName>" "$TMP/$op.xml"
done
check "init: KmsInit with the community's KmsCertificate" checker "$TMP/init.xml" "$TMP/alice.enrol" "$D/community.xml" init
check "certcache: KmsCertCache with it" checker "$TMP/certcache.xml" "$TMP/alice.enrol" "$D/community.xml" certcache
check "keyprov: one key set, keys open under the TrK and validate (openssl, msref)" \
	checker "$TMP/keyprov.xml" "$TMP/alice.enrol" "$D/community.xml" keyprov --keysets 1 --keys-out "$TMP/keys1.hex"
echo "# $(cat "$TMP/check.out")"
check "keyprov?next=1: 200" [ "$(post "$TMP/next.xml" 'keyprov?next=1' -H "Authorization: Bearer $TOK" --data-binary @"$TMP/alice.req")" = 200 ]
check "... verifies" verifies "$TMP/next.xml" "$TMP/alice.enrol"
check "... valid under the schema" valid "$TMP/next.xml"
check "... current and next period, both valid" \
	checker "$TMP/next.xml" "$TMP/alice.enrol" "$D/community.xml" keyprov --keysets 2 --keys-out "$TMP/keys2.hex"
echo "# $(cat "$TMP/check.out")"
check "the response holds no key in the clear" sh -c 'for k in $(cat "$1" "$2"); do grep -q "$k" "$3" "$4" && exit 1; done; exit 0' \
	- "$TMP/keys1.hex" "$TMP/keys2.hex" "$TMP/keyprov.xml" "$TMP/next.xml"
ed_resp() { sed 's/<KeyPeriodNo>\([0-9]*\)</<KeyPeriodNo>1\1</' "$1"; }
ed_resp "$TMP/keyprov.xml" > "$TMP/tampered.xml"
check "a changed response no longer verifies (xmlsec1)" fails verifies "$TMP/tampered.xml" "$TMP/alice.enrol"

# --- refusals: status, KmsError, nothing issued, logged ----------------------
issued_before=$(grep -c ' keyprov 200 ' "$LOG")
refusal() { # DESC STATUS PATH [curl options...]
	desc=$1 want=$2 path=$3; shift 3
	got=$(post "$TMP/refused.xml" "$path" "$@")
	if [ "$got" != "$want" ]; then
		failed "$desc: HTTP $got, expected $want"
	elif grep -qE 'KmsKeySet|EncryptedKey|KmsCertificate' "$TMP/refused.xml"; then
		failed "$desc: the refusal carries keys or a certificate"
	elif [ "$want" -ne 413 ] && [ "$want" -ne 405 ] && [ "$want" -ne 404 ] && ! grep -q "<ErrorCode>$want</ErrorCode>" "$TMP/refused.xml"; then
		failed "$desc: no KmsError $want in the body"
	elif ! valid "$TMP/refused.xml"; then
		failed "$desc: the KmsError body is not valid under the schema: $(cat "$TMP/xmllint.out")"
	else
		pass "$desc: $want $(sed -n 's:.*<ErrorMsg>\(.*\)</ErrorMsg>.*:\1:p' "$TMP/refused.xml")"
	fi
}
refusal "no access token" 401 keyprov --data-binary @"$TMP/alice.req"
refusal "wrong access token" 401 keyprov -H "Authorization: Bearer ${TOK}0" --data-binary @"$TMP/alice.req"
refusal "Basic instead of Bearer" 401 keyprov -H "Authorization: Basic $TOK" --data-binary @"$TMP/alice.req"
request "$TMP/bob.req" sip:bob@example.org keyprov
refusal "alice's token asking for bob's keys" 403 keyprov -H "Authorization: Bearer $TOK" --data-binary @"$TMP/bob.req"
refusal "GET" 405 keyprov -H "Authorization: Bearer $TOK"
check "... says Allow: POST" sh -c 'curl -sS --cacert "$1" -D - -o /dev/null "$2" | grep -qi "^allow: POST"' - "$KMS_CACERT" "$URL/keyprov"
refusal "unknown path" 404 keyprov2 -H "Authorization: Bearer $TOK" --data-binary @"$TMP/alice.req"
refusal "path outside the interface" 404 ../../../etc -H "Authorization: Bearer $TOK" --data-binary @"$TMP/alice.req"
head -c 20000 /dev/zero | tr '\0' ' ' > "$TMP/big"
refusal "a body over 16 KiB" 413 keyprov -H "Authorization: Bearer $TOK" --data-binary @"$TMP/big"
refusal "... also sent chunked" 413 keyprov -H "Authorization: Bearer $TOK" -H "Transfer-Encoding: chunked" --data-binary @"$TMP/big"
refusal "a body that is no XML" 400 keyprov -H "Authorization: Bearer $TOK" --data-binary 'keys please'
printf '<KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><UserUri>sip:alice@example.org</UserUri></KmsRequest>' > "$TMP/short.req"
refusal "a KmsRequest without KmsUri" 400 keyprov -H "Authorization: Bearer $TOK" --data-binary @"$TMP/short.req"
sed 's/kms.example.org/other.example.org/' "$TMP/alice.req" > "$TMP/other.req"
refusal "a KmsRequest for another KMS" 400 keyprov -H "Authorization: Bearer $TOK" --data-binary @"$TMP/other.req"
printf '<?xml version="1.0"?><!DOCTYPE KmsRequest [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><UserUri>&c;</UserUri></KmsRequest>' > "$TMP/dtd.req"
refusal "a KmsRequest with a DTD (entities)" 400 keyprov -H "Authorization: Bearer $TOK" --data-binary @"$TMP/dtd.req"
sed 's|<UserUri>sip:alice@example.org</UserUri>|<UserUri>sip:x@example.org\&#10;2026-01-01T00:00:00Z 127.0.0.1 keyprov 200 user=forged</UserUri>|' "$TMP/alice.req" > "$TMP/inject.req"
refusal "a UserUri with a line break (log injection)" 400 keyprov -H "Authorization: Bearer $TOK" --data-binary @"$TMP/inject.req"
check "... the log got no forged line" sh -c '! grep -q "user=forged" "$1"' - "$LOG"
refusal "next=2" 400 'keyprov?next=2' -H "Authorization: Bearer $TOK" --data-binary @"$TMP/alice.req"
check "nothing was issued on a refusal" [ "$(grep -c ' keyprov 200 ' "$LOG")" -eq "$issued_before" ]
check "each refusal is logged" [ "$(grep -c ' refused: ' "$LOG")" -ge 13 ]
check "log: 401 lines name no user" grep -q ' keyprov 401 user=- refused: unknown access token' "$LOG"
check "log: the 403 names the token's user" grep -q ' keyprov 403 user=sip:alice@example.org refused: ' "$LOG"
check "log: each issue names user, UserID and period" \
	grep -qE ' keyprov 200 user=sip:alice@example.org issued: UserID [0-9a-f]{64} period [0-9]+ \(' "$LOG"

# --- enrolment takes effect without a restart; --force revokes ---------------
ok "enrol carol while serving" "$KMS" user enrol --dir "$D" --uri sip:carol@example.org --out "$TMP/carol.enrol"
request "$TMP/carol.req" sip:carol@example.org init
check "carol: init 200 at once" [ "$(post "$TMP/carol.xml" init -H "Authorization: Bearer $(val "$TMP/carol.enrol" access-token)" --data-binary @"$TMP/carol.req")" = 200 ]
ok "re-enrol bob (--force)" "$KMS" user enrol --dir "$D" --uri sip:bob@example.org --out "$TMP/bob.enrol" --force
refusal "bob's old access token" 401 init -H "Authorization: Bearer $BOBTOK" --data-binary @"$TMP/bob.req"
request "$TMP/bob.req" sip:bob@example.org keyprov
check "bob's new one: 200" [ "$(post "$TMP/bob.xml" keyprov -H "Authorization: Bearer $(val "$TMP/bob.enrol" access-token)" --data-binary @"$TMP/bob.req")" = 200 ]
check "... under his new TrK" checker "$TMP/bob.xml" "$TMP/bob.enrol" "$D/community.xml" keyprov --keysets 1 --keys-out "$TMP/keys3.hex"

# --- rotation: new TrK/InK delivered in init, wrapped under the old TrK ------
refused "rotate needs an enrolled user" "is not enrolled" "$KMS" user rotate --dir "$D" --uri sip:nobody@example.org
ok "rotate alice's TrK and InK" "$KMS" user rotate --dir "$D" --uri sip:alice@example.org
check "... prints no key" sh -c '! grep -qiE "[0-9a-f]{64}" "$1"' - "$TMP/out"
pending=$(sed -n 's/^new-trk //p' "$D/kms-users" | tr A-F a-f)
check "... kept pending in kms-users" matches "$pending" '^[0-9a-f]{64}$'
request "$TMP/alice.req" sip:alice@example.org keyprov
# fetch_check OUT OP ENROL CHECKER-ARGS...: 200, and kms_serve_check accepts it
fetch_check() {
	out=$1 op=$2 enrol=$3; shift 3
	[ "$(post "$out" $op -H "Authorization: Bearer $TOK" --data-binary @"$TMP/alice.req")" = 200 ] &&
		checker "$out" "$enrol" "$D/community.xml" $op "$@"
}
check "keyprov before the init: still under the old TrK" fetch_check "$TMP/kp0.xml" keyprov "$TMP/alice.enrol" --keysets 1
check "init: 200" [ "$(post "$TMP/rot.xml" init -H "Authorization: Bearer $TOK" --data-binary @"$TMP/alice.req")" = 200 ]
check "... signed with the old InK" verifies "$TMP/rot.xml" "$TMP/alice.enrol"
check "... valid under the schema (KmsInitTkIkType)" valid "$TMP/rot.xml"
check "... NewTransportKey and NewIntegrityKey open under the old TrK" \
	checker "$TMP/rot.xml" "$TMP/alice.enrol" "$D/community.xml" init --new-keys 2 --new-keys-out "$TMP/new.txt"
echo "# $(cat "$TMP/check.out")"
check "... the new TrK is the one drawn by rotate" [ "$(val "$TMP/new.txt" new-trk)" = "$pending" ]
check "kms-users: the new keys are now the current ones, nothing pending" \
	sh -c '! grep -q "^new-" "$1" && grep -qi "^trk $2\$" "$1"' - "$D/kms-users" "$pending"
{ grep -vE '^(trk|ink|trk-id|ink-id)=' "$TMP/alice.enrol"
  sed 's/^new-//' "$TMP/new.txt"; } > "$TMP/alice2.enrol"
check "keyprov after the init: 200" [ "$(post "$TMP/kp1.xml" keyprov -H "Authorization: Bearer $TOK" --data-binary @"$TMP/alice.req")" = 200 ]
check "... signed with the new InK" verifies "$TMP/kp1.xml" "$TMP/alice2.enrol"
check "... not with the old" fails verifies "$TMP/kp1.xml" "$TMP/alice.enrol"
check "... keys under the new TrK, valid" \
	checker "$TMP/kp1.xml" "$TMP/alice2.enrol" "$D/community.xml" keyprov --keysets 1 --keys-out "$TMP/keys4.hex"
check "the next init carries no new keys" fetch_check "$TMP/rot2.xml" init "$TMP/alice2.enrol" --new-keys 0

# --- concurrency: one thread, but no client can hold it ---------------------
# a client that completes TLS and then sends nothing (held open 5 s)
sleep 5 | openssl s_client -quiet -connect "127.0.0.1:$PORT" -CAfile "$KMS_CACERT" > /dev/null 2>&1 &
idle=$!
sleep 0.5
check "a request is answered while another client sits idle" \
	[ "$(post "$TMP/busy.xml" init -H "Authorization: Bearer $TOK" --data-binary @"$TMP/alice.req" --max-time 3)" = 200 ]
i=0 pids=
while [ $i -lt 12 ]; do
	post "$TMP/par$i.xml" keyprov -H "Authorization: Bearer $TOK" --data-binary @"$TMP/alice.req" > "$TMP/par$i.code" &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p"; done
check "12 key requests at once: all 200, each signed" sh -c '
	for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
		[ "$(cat "$1/par$i.code")" = 200 ] && grep -q "<ds:SignatureValue>" "$1/par$i.xml" || exit 1
	done' - "$TMP"
kill $idle 2>/dev/null; wait $idle 2>/dev/null

# --- a damaged users file: 500, nothing issued, the reason only in the log ---
cp "$D/kms-users" "$TMP/users.good"
sed -i 's/^trk \(.*\)./trk \1/' "$D/kms-users"
check "damaged kms-users: 500" [ "$(post "$TMP/broken.xml" keyprov -H "Authorization: Bearer $TOK" --data-binary @"$TMP/alice.req")" = 500 ]
check "... the client learns no detail" grep -q '<ErrorMsg>internal error of the KMS</ErrorMsg>' "$TMP/broken.xml"
check "... the log names the file and field" grep -q ' keyprov 500 user=- refused: .*kms-users: user sip:alice@example.org: trk: expected 64 hex digits' "$LOG"
refused "enrol refuses it too" "trk: expected 64 hex digits" \
	"$KMS" user enrol --dir "$D" --uri sip:dave@example.org --out "$TMP/dave.enrol"
check "... and writes nothing" sh -c '[ ! -e "$1" ] && ! grep -q dave "$2"' - "$TMP/dave.enrol" "$D/kms-users"
cp "$TMP/users.good" "$D/kms-users"

# --- no secret in the log ------------------------------------------------------
secrets_in_log() {
	for e in "$TMP/alice.enrol" "$TMP/bob.enrol" "$TMP/carol.enrol" "$TMP/alice.before" "$TMP/alice2.enrol"; do
		for k in access-token trk ink; do
			v=$(val "$e" $k)
			grep -qi "$v" "$LOG" && return 0
		done
	done
	for k in $(cat "$TMP/keys1.hex" "$TMP/keys2.hex" "$TMP/keys3.hex" "$TMP/keys4.hex"); do
		grep -q "$k" "$LOG" && return 0
	done
	return 1
}
if secrets_in_log; then failed "a secret is in the log"; else pass "no secret value in the log ($(wc -l < "$LOG") lines)"; fi

# --- TLS -----------------------------------------------------------------------
check "plain HTTP to the TLS port gets no answer" \
	sh -c '! curl -sS --max-time 5 -o /dev/null "http://127.0.0.1:$1/keymanagement/identity/v1/init" 2>/dev/null' - "$PORT"
check "a client trusting another CA refuses the server" \
	sh -c 'curl -sS --max-time 5 --cacert "$1" -o /dev/null -X POST "$2" 2>/dev/null; [ $? -eq 60 ]' - "$TMP/other/ca.pem" "$URL/init"
check "TLS 1.1 is refused" \
	sh -c '! curl -sS --max-time 5 --cacert "$1" --tlsv1.1 --tls-max 1.1 -o /dev/null -X POST "$2" 2>/dev/null' - "$KMS_CACERT" "$URL/init"

# --- stop ----------------------------------------------------------------------
kms_server_stop
check "SIGTERM stops the server cleanly (exit 0)" [ "$KMS_STATUS" -eq 0 ]
check "... and it says so" grep -q 'stopping (signal 15)' "$LOG"
tap_finish
