/* token/sakke_gpow.c - g^e in PF_p for the fixed g of parameter set 1, by
 * a fixed-base comb: the table of g (element 1 + i g of F_p^2) is built
 * once per process, so each exponentiation costs 171 squarings and 171
 * multiplications instead of 1024 squarings and 256 multiplications. */
#include <pthread.h>
#include "token/sakke.h"
#include "token/sakke_pairing.h"
#include "token/secmem.h"

#define G_TEETH 6
#define G_SPACING 171                   /* ceil(1024 / 6): every bit of e */
#define G_ENTRIES (1 << G_TEETH)        /* entry 0 is 1 */

/* entry d = product of g^(2^(171 t)) over the bits t of d (public) */
static fp2 g_table[G_ENTRIES];
static pthread_once_t g_table_once = PTHREAD_ONCE_INIT;

static void g_table_build(void)
{
	fp2 tooth[G_TEETH];
	int t, i, d;

	fp2_set_one(&g_table[0]);
	fp_copy(&tooth[0].a, &fp_one);
	/* g < p: a constant, checked by the tests */
	(void)fp_from_bytes(&tooth[0].b, sakke_param_g);
	for (t = 1; t < G_TEETH; t++) {
		tooth[t] = tooth[t - 1];
		for (i = 0; i < G_SPACING; i++)
			fp2_sqr(&tooth[t], &tooth[t]);
	}
	for (d = 1; d < G_ENTRIES; d++) {
		int top = 31 - __builtin_clz((unsigned)d);

		fp2_mul(&g_table[d], &g_table[d & ~(1 << top)], &tooth[top]);
	}
}

void sakke_g_pow_fp2(fp2 *out, const uint8_t e[FP_BYTES])
{
	fp2 acc, sel;
	int i, t, d;

	pthread_once(&g_table_once, g_table_build);
	fp2_set_one(&acc);
	for (i = G_SPACING - 1; i >= 0; i--) {
		unsigned idx = 0;

		fp2_sqr(&acc, &acc);
		for (t = 0; t < G_TEETH; t++) {
			int bit = i + G_SPACING * t;

			if (bit < 8 * FP_BYTES)         /* public position */
				idx |= (unsigned)(e[FP_BYTES - 1 - bit / 8] >> (bit % 8) & 1) << t;
		}
		/* every entry read; entry 0 (1) when idx == 0 */
		sel = g_table[0];
		for (d = 1; d < G_ENTRIES; d++)
			fp2_cmov(&sel, &g_table[d], ct_index_mask((unsigned)d, idx));
		fp2_mul(&acc, &acc, &sel);
	}
	*out = acc;
	secure_wipe(&acc, sizeof acc);
	secure_wipe(&sel, sizeof sel);
}

void sakke_g_pow_fixed(fp *out, const uint8_t e[FP_BYTES])
{
	fp2 x;

	sakke_g_pow_fp2(&x, e);
	fp2_pf_repr(out, &x);
	secure_wipe(&x, sizeof x);
}
