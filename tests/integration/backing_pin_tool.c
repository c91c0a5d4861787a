/* tests/integration/backing_pin_tool.c - print the user PIN of a backing
 * SoftHSM2 token for scripts (attacks.sh): MODULE STORE-LABEL PIN.  A test
 * tool: the secret it prints logs in to the backing token. */
#include <config.h>
#include <stdio.h>
#include "backing_pin.h"

int main(int argc, char **argv)
{
	char pin[80];

	if (argc != 4) {
		fprintf(stderr, "usage: %s MODULE STORE-LABEL PIN\n", argv[0]);
		return 2;
	}
	if (backing_user_pin(argv[1], argv[2], argv[3], pin, sizeof pin) != 0)
		return 1;
	puts(pin);
	return 0;
}
