/* bench/bench.h - what the parts of mstoken-bench share: options, the
 * timing of one row against the ECDSA yardstick, the report lines. */
#ifndef MST_BENCH_H
#define MST_BENCH_H

struct bench_opts {
	int json;
	int quick;
	int memory;
	int no_p11;
};
extern struct bench_opts opt;

typedef void (*op_fn)(void *arg);

struct figure {
	double us;      /* median CPU microseconds per call */
	double yard_us; /* median of the yardstick sampled between its runs */
	double ref_us;  /* median of the reference sampled between its runs */
};

/* ECDSA P-256 sign and verify (EVP), set up by the main program. */
extern op_fn yard_sign_fn, yard_verify_fn;
extern void *yard_arg;

/* set: cpu_us() reads the wall clock (CLOCK_MONOTONIC) instead */
extern int bench_wall_clock;

void die(const char *what);
double cpu_us(void);
double median(double *v, int n);
/* CPU microseconds per call of `batch` calls of fn */
double sample(op_fn fn, void *arg, int batch);
struct figure measure(op_fn fn, void *arg, int runs, int batch, int warm, op_fn yard);
/* the same, a sample of `ref` (batch calls on ref_arg) after each sample */
struct figure measure_ref(op_fn fn, void *arg, op_fn ref, void *ref_arg, int runs, int batch,
			  int warm, op_fn yard);
/* runs, scaled down by --quick */
int R(int n);
/* one line of output: name, median, ratio us / base */
void report(const char *name, double us, double base);
/* a row: fn timed against the sign (verify != 0: verify) yardstick */
void row(const char *name, op_fn fn, void *arg, int runs, int batch, int warm, int verify);
/* a row with its reference (called ref_name in the table): name, median,
 * ratio, ratio to the reference */
void report_ref(const char *name, const struct figure *f, const char *ref_name);
/* a row that could not be measured, with the reason */
void report_missing(const char *name, const char *why);

/* bench/bench_p11.c: the rows through the PKCS#11 module and
 * libmikeysakke on a private SoftHSM2 (prints why when it cannot). */
void bench_p11(void);
/* bench/bench_p11.c: resident memory of the module with 1, 10, 100
 * users. */
void bench_p11_memory(void);

#endif
