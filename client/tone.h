/* client/tone.h - the generated audio of the media tools: 20 ms frames of
 * a 440 Hz tone, 8 kHz, one octet per sample (mikey-sakke-media and the
 * SIP user agent send the same sound). */
#ifndef MS_TONE_H
#define MS_TONE_H

#include <stdint.h>

#define TONE_FRAME 160   /* samples (= octets) per 20 ms frame */

/* Frame number n of the tone into out (TONE_FRAME octets). */
void tone_frame(uint8_t out[TONE_FRAME], long n);

#endif
