#!/bin/sh
# tests/integration/token-kill.sh - test_token_kill (SIGKILL during import,
# PIN change and delete on the SoftHSM2 backend, 200 runs) on a private
# SoftHSM2 with one slot "alice".  MST_KILLS=N runs fewer or more.
set -u
. "$top_srcdir/tests/integration/token-env.sh"
token_setup || exit $?
trap token_teardown EXIT
export SOFTHSM2_MODULE
MSTOKEN_MODULE="$MODULE" "$top_builddir/tests/integration/test_token_kill"
