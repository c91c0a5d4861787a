/* tests/fuzz/fuzz_imessage.h - the libFuzzer entry point, shared by the
 * fuzz target and the plain replay driver. */
#ifndef TEST_FUZZ_IMESSAGE_H
#define TEST_FUZZ_IMESSAGE_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
