/* tests/fuzz/fuzz_seeds.h - values the fuzz targets and their seed
 * generator (fuzz_seeds.c) agree on. */
#ifndef MST_FUZZ_SEEDS_H
#define MST_FUZZ_SEEDS_H

/* the name and kind under which fuzz_tpmfile reads record files */
#define FUZZ_RECORD_NAME "obj-1.a"
#define FUZZ_RECORD_KIND 1u

#endif
