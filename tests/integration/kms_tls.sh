#!/bin/sh
# tests/integration/kms_tls.sh - a throw-away test CA and a server
# certificate for "mstoken-kms serve", made with openssl (P-256, 2 days):
#
#   sh tests/integration/kms_tls.sh OUTDIR [NAME...]
#
# writes OUTDIR/ca.pem (the CA certificate, for curl --cacert and
# "mikey-sakke provision --cacert"), OUTDIR/server.pem and
# OUTDIR/server.key (0600, for serve --cert/--key).  The server certificate
# names localhost, 127.0.0.1, ::1 and each NAME.  The CA's key is deleted:
# nothing else can be signed with it.  For tests and the demo only.
set -eu
out=${1:?usage: kms_tls.sh OUTDIR [NAME...]}
shift
OPENSSL=${OPENSSL:-openssl}
mkdir -p "$out"
umask 077
san="DNS:localhost,IP:127.0.0.1,IP:::1"
for n in "$@"; do
	case $n in
	*[!0-9.:]*) san="$san,DNS:$n" ;;
	*) san="$san,IP:$n" ;;
	esac
done
cakey=$(mktemp "$out/.ca-key.XXXXXX")
trap 'rm -f "$cakey" "$out/server.csr"' EXIT
"$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$cakey" \
	-out "$out/ca.pem" -days 2 -subj "/CN=mstoken test KMS CA" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	2>/dev/null
"$OPENSSL" req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$out/server.key" \
	-out "$out/server.csr" -subj "/CN=localhost" 2>/dev/null
"$OPENSSL" x509 -req -in "$out/server.csr" -CA "$out/ca.pem" -CAkey "$cakey" -CAcreateserial \
	-CAserial "$out/.ca.srl" -out "$out/server.pem" -days 2 \
	-extfile /dev/stdin 2>/dev/null <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$san
EXT
rm -f "$out/.ca.srl"
chmod 0644 "$out/ca.pem" "$out/server.pem"
chmod 0600 "$out/server.key"
