# tests/integration/kms_serve.mk: "mstoken-kms serve" over HTTPS on
# loopback (curl, openssl, xmlsec1 and msref as the independent checkers).
TESTS += tests/integration/kms_serve.sh
dist_check_SCRIPTS += tests/integration/kms_serve.sh
dist_noinst_SCRIPTS += tests/integration/kms_tls.sh tests/integration/kms_serve_check.py tests/integration/find_keys.py
dist_noinst_DATA += tests/integration/kms_server_env.sh
