# tests/integration/kms_server_env.sh - a running "mstoken-kms serve" for a
# test or the demo (sourced), on loopback on a free port, with a throw-away
# test CA (tests/integration/kms_tls.sh).
#
#   . "$top_srcdir/tests/integration/kms_server_env.sh"
#   kms_server_start D TMPDIR || exit 99  # community folder D exists; serves it
#        sets KMS_URL (https://localhost:PORT), KMS_PORT, KMS_CACERT, KMS_LOG,
#        KMS_PID; the TLS files and the log live in TMPDIR
#   kms_server_stop                       # SIGTERM, waits; safe to repeat (EXIT trap)
#   kms_enrol D URI ENROL                 # mstoken-kms user enrol, quiet
#
# Needs KMS (the mstoken-kms binary) and top_srcdir; openssl.

kms_server_start() {
	_kd=$1 _kt=$2
	KMS_PID=
	sh "$top_srcdir/tests/integration/kms_tls.sh" "$_kt/tls" || return 1
	KMS_CACERT=$_kt/tls/ca.pem KMS_LOG=$_kt/kms-serve.log
	"$KMS" serve --dir "$_kd" --listen 127.0.0.1:0 --cert "$_kt/tls/server.pem" \
		--key "$_kt/tls/server.key" 2>"$KMS_LOG" &
	KMS_PID=$!
	_kn=0
	until grep -q 'listening on' "$KMS_LOG" 2>/dev/null; do
		_kn=$((_kn + 1))
		if [ $_kn -gt 100 ] || ! kill -0 "$KMS_PID" 2>/dev/null; then
			cat "$KMS_LOG" >&2
			kms_server_stop
			return 1
		fi
		sleep 0.1
	done
	KMS_PORT=$(sed -n 's/.*listening on https:\/\/127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$KMS_LOG")
	KMS_URL=https://localhost:$KMS_PORT
	export KMS_URL KMS_PORT KMS_CACERT KMS_LOG KMS_PID
}

kms_server_stop() {
	[ -n "${KMS_PID:-}" ] || return 0
	kill -TERM "$KMS_PID" 2>/dev/null
	wait "$KMS_PID" 2>/dev/null
	KMS_STATUS=$?
	KMS_PID=
	return 0
}

kms_enrol() {
	"$KMS" user enrol --dir "$1" --uri "$2" --out "$3" > /dev/null
}
