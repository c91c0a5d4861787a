#!/bin/sh
# tests/integration/client_media.sh - SRTP audio between two processes over
# UDP on loopback with mikey-sakke-media: unicast AEAD_AES_128_GCM with
# every 10th packet tampered (refused, the rest received identical),
# multicast AES_CM_128_HMAC_SHA1_80 to two members, and a receiver with a
# key one bit off.  Receivers take ephemeral ports (the machine is shared).
set -u
MEDIA="$top_builddir/client/mikey-sakke-media"
T=$(mktemp -d "${TMPDIR:-/tmp}/mst-media-XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
cat > "$T/keys" <<KEYS
cs=0 srtp-master-key=e1f97a0d3e018be0d64fa32c06de4139 srtp-master-salt=0ec675ad498afeebb6960b3a
cs=1 srtp-master-key=4c1aa45a81f73d61c800bbb00fbb1eaa srtp-master-salt=8b2c4f9a6cb08d7d1e24b6a0c1d2
cs=2 srtp-master-key=e1f97a0d3e018be0d64fa32c06de4138 srtp-master-salt=0ec675ad498afeebb6960b3a
KEYS
. "$top_srcdir/tests/integration/tap.sh"

# the port a receiver listens on, from its "listening on port N" line (5 s)
port_of() {
	n=0
	while ! grep -q "listening on port" "$1" 2>/dev/null; do
		n=$((n + 1)); [ $n -gt 50 ] && return 1
		sleep 0.1
	done
	sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$1"
}

"$MEDIA" recv --listen 127.0.0.1:0 --keys "$T/keys" --cs 0 --packets 100 --tamper 10 \
	--received "$T/r1" --timeout 5 > "$T/recv1" 2> "$T/ready1" &
rpid=$!
P=$(port_of "$T/ready1")
check "unicast send" "$MEDIA" send --to 127.0.0.1:$P --keys "$T/keys" --cs 0 --packets 100 \
	--tamper 10 --sent "$T/s1"
wait $rpid; rc=$?
cat "$T/recv1"
check "unicast: 90 authenticated, the 9 tampered ones read were refused" \
	[ "$rc" = 0 -a "$(cat "$T/recv1")" = "received=99 authenticated=90 refused=9 replayed=0" ]
check "unicast: received audio identical to the sent" cmp -s "$T/s1" "$T/r1"

# multicast: a group and port of this run (ephemeral ports cannot be
# shared by two members)
G=239.255.$(( $$ / 250 % 250 + 1 )).$(( $$ % 250 + 1 ))
MP=$(( 30000 + $$ % 30000 ))
for i in 1 2; do
	"$MEDIA" recv --listen $G:$MP --keys "$T/keys" --cs 1 --suite aes-cm --packets 50 \
		--received "$T/m$i" --timeout 5 > "$T/mrecv$i" 2> "$T/mready$i" &
	eval mpid$i=$!
done
port_of "$T/mready1" > /dev/null
port_of "$T/mready2" > /dev/null
check "multicast send" "$MEDIA" send --to $G:$MP --keys "$T/keys" --cs 1 --suite aes-cm \
	--packets 50 --sent "$T/ms"
wait $mpid1; m1=$?
wait $mpid2; m2=$?
cat "$T/mrecv1" "$T/mrecv2"
check "multicast: both members authenticated all 50" [ "$m1$m2" = 00 ]
check "multicast: both received the sent audio" sh -c "cmp -s '$T/ms' '$T/m1' && cmp -s '$T/ms' '$T/m2'"

# a receiver with a key one bit off refuses everything
"$MEDIA" recv --listen 127.0.0.1:0 --keys "$T/keys" --cs 2 --packets 5 --timeout 2 \
	> "$T/recv3" 2> "$T/ready3" &
rpid=$!
P=$(port_of "$T/ready3")
"$MEDIA" send --to 127.0.0.1:$P --keys "$T/keys" --cs 0 --packets 5 > "$T/send3" 2>&1 || cat "$T/send3"
wait $rpid; rc=$?
cat "$T/recv3"
check "wrong key: nothing authenticated" [ "$rc" = 1 -a "$(cat "$T/recv3")" = "received=5 authenticated=0 refused=5 replayed=0" ]
tap_finish
