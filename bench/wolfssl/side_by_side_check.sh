#!/bin/sh
# bench/wolfssl/side_by_side_check.sh: make check (configure
# --with-wolfssl=PREFIX only): mstoken and wolfSSL agree on the RFC 6507 /
# RFC 6508 keys and on fresh identifiers (bench/wolfssl/side_by_side.c).
exec "${top_builddir:-.}/bench/wolfssl/side_by_side" --check
