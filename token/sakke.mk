# token/sakke.mk: SAKKE (RFC 6508, parameter set 1) in the crypto core:
# 1024-bit field, F_p^2, curve, pairing, and the KMS / user operations.
token_libmstcore_la_SOURCES += \
	token/fp.c token/fp.h token/fp_consts.c \
	token/fp2.c token/fp2.h \
	token/sakke_ec.c token/sakke_ec.h \
	token/sakke_pairing.c token/sakke_pairing.h \
	token/sakke_lines.c token/sakke_lines.h \
	token/sakke_params.c token/sakke_comb_table.c token/sakke_comb_table6.c token/sakke_comb.c \
	token/sakke_zcache.c token/sakke_idcache.c token/sakke_modq.c token/sakke_gpow.c \
	token/sakke_hash.c token/sakke_scalar.c \
	token/sakke_api.c token/sakke_kms.c token/sakke.c \
	token/sakke.h token/sakke_internal.h
