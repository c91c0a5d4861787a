#!/bin/sh
# tests/integration/sip_tls.sh - sip_call.sh with SIP over TLS between each
# UE and its kamailio server (issue 8 item 4; see sip_call.sh).
SIP_TRANSPORT=tls
export SIP_TRANSPORT
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/integration/sip_call.sh"
