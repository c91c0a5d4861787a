/* client/tone.c - the generated test sound (see tone.h). */
#include <math.h>
#include "client/tone.h"

void tone_frame(uint8_t out[TONE_FRAME], long n)
{
	int i;

	for (i = 0; i < TONE_FRAME; i++)
		out[i] = (uint8_t)(128 + 100 * sin(2 * M_PI * 440.0 * (double)(n * TONE_FRAME + i) / 8000.0));
}
