#!/bin/sh
# tests/integration/kms.sh - mstoken-kms from the command line: communities
# in both identifier formats, key sets, file modes, and every refusal as
# exit status 2 with one line on stderr and nothing half-written.
. "${top_srcdir:-.}/tests/integration/kms_lib.sh"

C1=$TMP/c1 C2=$TMP/c2

# --- communities -----------------------------------------------------------
ok "community, format 2 by default" "$KMS" community create --dir "$C2" --kms-uri kms.example.org
check "community.xml 0644, kms-secrets 0600, new folder 0700" \
	[ "$(mode_of "$C2/community.xml")$(mode_of "$C2/kms-secrets")$(mode_of "$C2")" = 644600700 ]
check "community.xml holds format 2, 30-day periods, offset 0" \
	[ "$(element "$C2/community.xml" UserIdFormat)/$(element "$C2/community.xml" UserKeyPeriod)/$(element "$C2/community.xml" UserKeyOffset)" = 2/2592000/0 ]
check "PubEncKey (Z_T) is an upper-case uncompressed point" \
	matches "$(element "$C2/community.xml" PubEncKey)" '^04[0-9A-F]{512}$'
check "PubAuthKey (KPAK) is an upper-case uncompressed point" \
	matches "$(element "$C2/community.xml" PubAuthKey)" '^04[0-9A-F]{128}$'
check "kms-secrets starts with its version line" [ "$(head -n1 "$C2/kms-secrets")" = "mstoken-kms-secrets 1" ]
check "nothing else in the folder" only_files "$C2" community.xml kms-secrets

ok "community, format 1, daily periods from 01:00, wrapped" "$KMS" community create --dir "$C1" \
	--kms-uri https://kms1.example.org --user-id-format 1 --key-period 86400 --key-offset 3600 --wrapped
check "wrapped certificate is a KmsResponse/KmsInit" grep -q '<KmsInit Version="1.0.0" xsi:type="KmsInitTkIkType">' "$C1/community.xml"

cp "$C2/community.xml" "$TMP/c2-before.xml"
refused "an existing community is kept" "already exists (use --force" \
	"$KMS" community create --dir "$C2" --kms-uri kms.example.org
check "... unchanged" cmp -s "$C2/community.xml" "$TMP/c2-before.xml"
ok "--force replaces it" "$KMS" community create --dir "$C2" --kms-uri kms.example.org --force
check "... with new keys" differ "$C2/community.xml" "$TMP/c2-before.xml"
check "... and nothing else left" only_files "$C2" community.xml kms-secrets

# the second rename of community create fails: neither file may change
mkdir "$TMP/half" && cp "$C2/community.xml" "$TMP/half/" && mkdir "$TMP/half/kms-secrets"
refused "community create failing at a rename" "Is a directory" \
	"$KMS" community create --dir "$TMP/half" --kms-uri kms.example.org --force
check "... old community.xml kept, no temporary file left" \
	sh -c 'cmp -s "$1" "$2" && [ "$(ls -A "$3" | tr "\n" " ")" = "community.xml kms-secrets " ]' \
	- "$C2/community.xml" "$TMP/half/community.xml" "$TMP/half"

# --- key sets --------------------------------------------------------------
ok "key set, format 2, current period" "$KMS" user issue --dir "$C2" --uri sip:alice@example.org --out "$TMP/alice.xml"
check "key set file is 0600" [ "$(mode_of "$TMP/alice.xml")" = 600 ]
check "UserID is a 32-octet UID" matches "$(element "$TMP/alice.xml" UserID)" '^[0-9A-F]{64}$'
check "the SSK is 32 octets, upper case" matches "$(element "$TMP/alice.xml" UserSigningKeySSK)" '^[0-9A-F]{64}$'
check "the secret keys are not printed" lacks "$TMP/out" "$(element "$TMP/alice.xml" UserSigningKeySSK)"

ok "format 2, period 0" "$KMS" user issue --dir "$C2" --uri sip:alice@example.org --period-no 0 --out "$TMP/p0.xml" --wrapped
check "period 0 is 1900-01-01 + 30 days" \
	[ "$(element "$TMP/p0.xml" ValidFrom) $(element "$TMP/p0.xml" ValidTo) $(element "$TMP/p0.xml" KeyPeriodNo)" = "1900-01-01T00:00:00Z 1900-01-31T00:00:00Z 0" ]
check "wrapped key set is a KmsResponse/KmsKeyProv" grep -q '<KmsKeyProv Version="1.0.0" xsi:type="KmsKeyProvTkIkType">' "$TMP/p0.xml"
ok "same period by --at" "$KMS" user issue --dir "$C2" --uri sip:alice@example.org --at 1900-01-30T23:59:59Z --out "$TMP/p0b.xml"
check "... same UID (format 2 does not depend on the time inside the period)" \
	[ "$(element "$TMP/p0.xml" UserID)" = "$(element "$TMP/p0b.xml" UserID)" ]

ok "format 1, --at" "$KMS" user issue --dir "$C1" --uri tel:+447700900123 --at 2026-11-27T12:00:00Z --out "$TMP/bob.xml"
check "UserID is hex of 2026-11 NUL URI NUL" \
	[ "$(element "$TMP/bob.xml" UserID)" = "$(hex_of '2026-11\0tel:+447700900123\0' | tr a-f A-F)" ]
check "KeyPeriodNo and validity are the day from 01:00" \
	[ "$(element "$TMP/bob.xml" KeyPeriodNo) $(element "$TMP/bob.xml" ValidFrom) $(element "$TMP/bob.xml" ValidTo)" = \
	  "46351 2026-11-27T01:00:00Z 2026-11-28T01:00:00Z" ]
ok "format 1, Unix time of the same instant" "$KMS" user issue --dir "$C1" --uri tel:+447700900123 --at @1795780800 --out "$TMP/bob2.xml"
check "... same identifier and period" \
	[ "$(element "$TMP/bob.xml" UserID) $(element "$TMP/bob.xml" KeyPeriodNo)" = "$(element "$TMP/bob2.xml" UserID) $(element "$TMP/bob2.xml" KeyPeriodNo)" ]
ok "format 1, a period across a month end (December side)" "$KMS" user issue --dir "$C1" --uri tel:+447700900123 --at 2026-12-01T00:30:00Z --out "$TMP/dec.xml"
check "... identifier of December, validity cut at the month start" \
	[ "$(element "$TMP/dec.xml" UserID) $(element "$TMP/dec.xml" ValidFrom) $(element "$TMP/dec.xml" ValidTo)" = \
	  "$(hex_of '2026-12\0tel:+447700900123\0' | tr a-f A-F) 2026-12-01T00:00:00Z 2026-12-01T01:00:00Z" ]

# --- refusals: exit 2, one line, nothing written ---------------------------
refused "no command" "expected 'community create', 'user issue'" "$KMS"
refused "unknown command" "unknown command" "$KMS" user delete --dir "$C2"
refused "unknown option" "unknown option '--colour'" "$KMS" community create --dir "$TMP/x" --kms-uri k --colour
refused "option without its value" "needs a value" "$KMS" user issue --dir
refused "unknown identifier format" "--user-id-format: expected 1 (RFC 6509) or 2" \
	"$KMS" community create --dir "$TMP/f3" --kms-uri k --user-id-format 3
check "... no folder made" [ ! -e "$TMP/f3" ]
refused "zero key period" "--key-period: must be positive" "$KMS" community create --dir "$TMP/f3" --kms-uri k --key-period 0
refused "non-numeric offset" "--key-offset: expected a whole number" "$KMS" community create --dir "$TMP/f3" --kms-uri k --key-offset 1e3
refused "missing --kms-uri" "--kms-uri is required" "$KMS" community create --dir "$TMP/f3"
touch "$TMP/plainfile"
refused "--dir is a file" "not a folder" "$KMS" community create --dir "$TMP/plainfile" --kms-uri k

refused "missing --uri" "--uri is required" "$KMS" user issue --dir "$C2" --out "$TMP/u.xml"
refused "missing --out" "--out is required" "$KMS" user issue --dir "$C2" --uri sip:a@b
refused "--at and --period-no" "not both" "$KMS" user issue --dir "$C2" --uri sip:a@b --at @0 --period-no 1 --out "$TMP/u.xml"
refused "malformed --at" "--at: '2026-02-30T00:00:00Z' is not" "$KMS" user issue --dir "$C2" --uri sip:a@b --at 2026-02-30T00:00:00Z --out "$TMP/u.xml"
C3=$TMP/c3
ok "daily community" "$KMS" community create --dir "$C3" --kms-uri k3 --key-period 86400
ok "the last whole period before the year 10000" "$KMS" user issue --dir "$C3" --uri sip:a@b --period-no 2958462 --out "$TMP/last.xml"
check "... ends 9999-12-31" [ "$(element "$TMP/last.xml" ValidTo)" = 9999-12-31T00:00:00Z ]
refused "the period after it" "key period 2958463 would end after the year 9999" \
	"$KMS" user issue --dir "$C3" --uri sip:a@b --period-no 2958463 --out "$TMP/u.xml"
refused "period beyond year 9999" "would end after the year 9999" "$KMS" user issue --dir "$C2" --uri sip:a@b --period-no 18446744073709551615 --out "$TMP/u.xml"
refused "time before the first period" "before the community's first key period" \
	"$KMS" user issue --dir "$C1" --uri sip:a@b --at 1900-01-01T00:00:00Z --out "$TMP/u.xml"
refused "community folder missing" "cannot read $TMP/none/community.xml: No such file" \
	"$KMS" user issue --dir "$TMP/none" --uri sip:a@b --out "$TMP/u.xml"
refused "community folder is a file" "Not a directory" "$KMS" user issue --dir "$TMP/plainfile" --uri sip:a@b --out "$TMP/u.xml"
mkdir -p "$TMP/dirxml/community.xml"
refused "community.xml is a folder" "not a regular file" "$KMS" user issue --dir "$TMP/dirxml" --uri sip:a@b --out "$TMP/u.xml"
mkfifo "$TMP/fifo"
mkdir "$TMP/fifodir" && ln -s "$TMP/fifo" "$TMP/fifodir/community.xml"
refused "community.xml is a FIFO (no hang)" "not a regular file" "$KMS" user issue --dir "$TMP/fifodir" --uri sip:a@b --out "$TMP/u.xml"
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$TMP/locked" && cp "$C2"/* "$TMP/locked" && chmod 000 "$TMP/locked"
	refused "unreadable folder" "Permission denied" "$KMS" user issue --dir "$TMP/locked" --uri sip:a@b --out "$TMP/u.xml"
	chmod 700 "$TMP/locked"
fi

mkdir "$TMP/bad" "$TMP/outdir"
cp "$C2/kms-secrets" "$TMP/bad/"
head -c 400 "$C2/community.xml" >"$TMP/bad/community.xml"
echo old >"$TMP/outdir/u.xml"
refused "truncated community.xml" "community.xml: not well-formed XML" \
	"$KMS" user issue --dir "$TMP/bad" --uri sip:a@b --out "$TMP/outdir/u.xml"
check "... the old output is untouched" [ "$(cat "$TMP/outdir/u.xml")" = old ]
check "... and no temporary file remains" only_files "$TMP/outdir" u.xml
sed 's/<UserIdFormat>2</<UserIdFormat>3</' "$C2/community.xml" >"$TMP/bad/community.xml"
refused "community of format 3" "KmsCertificate/UserIdFormat: '3' is not supported" \
	"$KMS" user issue --dir "$TMP/bad" --uri sip:a@b --out "$TMP/outdir/u.xml"
cp "$C2/community.xml" "$TMP/bad/community.xml"
cp "$C1/kms-secrets" "$TMP/bad/kms-secrets"
refused "secrets of another community" "does not belong to this community" \
	"$KMS" user issue --dir "$TMP/bad" --uri sip:a@b --out "$TMP/outdir/u.xml"
echo "garbage" >"$TMP/bad/kms-secrets"
refused "not a secrets file" "not a mstoken-kms secrets file" \
	"$KMS" user issue --dir "$TMP/bad" --uri sip:a@b --out "$TMP/outdir/u.xml"
grep -v '^z ' "$C2/kms-secrets" >"$TMP/bad/kms-secrets"
refused "secrets without z" "kms-secrets: z missing" \
	"$KMS" user issue --dir "$TMP/bad" --uri sip:a@b --out "$TMP/outdir/u.xml"
{ cat "$C2/kms-secrets"; grep '^kpak ' "$C2/kms-secrets"; } >"$TMP/bad/kms-secrets"
refused "secrets with kpak twice" "kms-secrets: kpak appears twice" \
	"$KMS" user issue --dir "$TMP/bad" --uri sip:a@b --out "$TMP/outdir/u.xml"
sed 's/^ksak /ksak2 /' "$C2/kms-secrets" >"$TMP/bad/kms-secrets"
refused "secrets with an unknown field" "kms-secrets: unknown field 'ksak2'" \
	"$KMS" user issue --dir "$TMP/bad" --uri sip:a@b --out "$TMP/outdir/u.xml"
sed 's/^ksak .*/ksak 00/' "$C2/kms-secrets" >"$TMP/bad/kms-secrets"
refused "short KSAK" "ksak: expected 64 hex digits" \
	"$KMS" user issue --dir "$TMP/bad" --uri sip:a@b --out "$TMP/outdir/u.xml"
check "... no secret in the message" no_long_hex "$TMP/err"
sed 's/^ksak \(.\)[^0]/ksak \10/; t; s/^ksak \(.\)./ksak \11/' "$C2/kms-secrets" >"$TMP/bad/kms-secrets"
check "... a KSAK altered in one digit" differ "$C2/kms-secrets" "$TMP/bad/kms-secrets"
refused "KSAK that does not give KPAK" "kms-secrets: ksak does not give kpak" \
	"$KMS" user issue --dir "$TMP/bad" --uri sip:a@b --out "$TMP/outdir/u.xml"
check "... no secret in the message" no_long_hex "$TMP/err"
sed 's/^z \(.\)[^0]/z \10/; t; s/^z \(.\)./z \11/' "$C2/kms-secrets" >"$TMP/bad/kms-secrets"
refused "z that does not give Z_T" "kms-secrets: z does not give z-pub" \
	"$KMS" user issue --dir "$TMP/bad" --uri sip:a@b --out "$TMP/outdir/u.xml"
check "... no secret in the message" no_long_hex "$TMP/err"
refused "output folder missing" "cannot write in $TMP/nowhere" \
	"$KMS" user issue --dir "$C2" --uri sip:a@b --out "$TMP/nowhere/u.xml"
mkdir "$TMP/outdir/taken"
refused "output is a folder (fails at the rename)" "Is a directory" \
	"$KMS" user issue --dir "$C2" --uri sip:a@b --out "$TMP/outdir/taken"
check "... no temporary file left after the failed rename" only_files "$TMP/outdir" u.xml taken
check "outputs of failures never appeared" [ ! -e "$TMP/u.xml" ]

# --- help ------------------------------------------------------------------
ok "--help" "$KMS" --help
for flag in --dir --kms-uri --user-id-format --key-period --key-offset --wrapped --force \
	    --uri --period-no --at --out --listen --cert --key; do
	check "--help documents $flag" grep -q -- "$flag " "$TMP/out"
	check "the man page documents $flag" \
		grep -q -- "^\\.B.* $(printf '%s' "$flag" | sed 's/-/\\\\-/g')\\b" "${top_srcdir:-.}/kms/mstoken-kms.1"
done

tap_finish
