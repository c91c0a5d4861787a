#!/bin/sh
# tests/integration/client_media.sh - SRTP audio between two processes over
# UDP on loopback with mikey-sakke-media: unicast AEAD_AES_128_GCM with
# every 10th packet tampered (refused, the rest received identical),
# multicast AES_CM_128_HMAC_SHA1_80 to two receivers, and broadcast.
set -u
MEDIA="$top_builddir/client/mikey-sakke-media"
T=$(mktemp -d "${TMPDIR:-/tmp}/mst-media-XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
cat > "$T/keys" <<KEYS
cs=0 srtp-master-key=e1f97a0d3e018be0d64fa32c06de4139 srtp-master-salt=0ec675ad498afeebb6960b3a
cs=1 srtp-master-key=4c1aa45a81f73d61c800bbb00fbb1eaa srtp-master-salt=8b2c4f9a6cb08d7d1e24b6a0c1d2
cs=2 srtp-master-key=e1f97a0d3e018be0d64fa32c06de4138 srtp-master-salt=0ec675ad498afeebb6960b3a
KEYS
fail=0
# port base from the PID keeps parallel runs apart
P=$((20000 + $$ % 20000))

# waits (up to 5 s) for a receiver's "listening" line on its stderr file
ready() {
	i=0
	while ! grep -q listening "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 50 ] && return 1
		sleep 0.1
	done
}

check() { # name, command...
	name=$1; shift
	if "$@"; then echo "ok: $name"; else echo "FAIL: $name"; fail=1; fi
}

"$MEDIA" recv --listen 127.0.0.1:$P --keys "$T/keys" --cs 0 --packets 100 --tamper 10 \
	--received "$T/r1" --timeout 5 > "$T/recv1" 2> "$T/ready1" &
rpid=$!
ready "$T/ready1"
check "unicast send" "$MEDIA" send --to 127.0.0.1:$P --keys "$T/keys" --cs 0 --packets 100 \
	--tamper 10 --sent "$T/s1"
wait $rpid; rc=$?
cat "$T/recv1"
check "unicast: 90 authenticated, the 9 tampered ones read were refused" \
	[ "$rc" = 0 -a "$(cat "$T/recv1")" = "received=99 authenticated=90 refused=9 replayed=0" ]
check "unicast: received audio identical to the sent" cmp -s "$T/s1" "$T/r1"

G=239.255.77.$(( $$ % 200 + 1 ))
for i in 1 2; do
	"$MEDIA" recv --listen $G:$((P + 1)) --keys "$T/keys" --cs 1 --suite aes-cm --packets 50 \
		--received "$T/m$i" --timeout 5 > "$T/mrecv$i" 2> "$T/mready$i" &
	eval mpid$i=$!
done
ready "$T/mready1"; ready "$T/mready2"
check "multicast send" "$MEDIA" send --to $G:$((P + 1)) --keys "$T/keys" --cs 1 --suite aes-cm \
	--packets 50 --sent "$T/ms"
wait $mpid1; m1=$?
wait $mpid2; m2=$?
check "multicast: both members authenticated all 50" [ "$m1$m2" = 00 ]
check "multicast: both received the sent audio" sh -c "cmp -s '$T/ms' '$T/m1' && cmp -s '$T/ms' '$T/m2'"

# a receiver with a key one bit off refuses everything
"$MEDIA" recv --listen 127.0.0.1:$((P + 2)) --keys "$T/keys" --cs 2 --packets 5 --timeout 2 \
	> "$T/recv3" 2> "$T/ready3" &
rpid=$!
ready "$T/ready3"
"$MEDIA" send --to 127.0.0.1:$((P + 2)) --keys "$T/keys" --cs 0 --packets 5 > /dev/null
wait $rpid; rc=$?
check "wrong key: nothing authenticated" [ "$rc" = 1 -a "$(cat "$T/recv3")" = "received=5 authenticated=0 refused=5 replayed=0" ]
exit $fail
