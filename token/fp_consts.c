/* token/fp_consts.c - Montgomery constants for p of SAKKE parameter set 1.
 *
 * Derived once with Python's arbitrary-precision integers from p as printed
 * in RFC 6509 Appendix A, with R = 2^1024:
 *   fp_one = R mod p,  fp_r2 = R^2 mod p,  fp_n0 = -p^-1 mod 2^64
 *   (pow(p, -1, 2**64)).
 * The unit test fp_constants_match_bn recomputes all four from
 * sakke_param_p with OpenSSL BN and compares, so a typo here cannot pass.
 */
#include "token/fp.h"

const fp fp_modulus = { {
	0x666d807afea85febULL, 0x80c5df10ac7ace87ULL, 0xfce3e82389857db0ULL, 0x9f94d6af56971f1fULL,
	0xa7cf3c521c3c09aaULL, 0xb6aff4a831852a82ULL, 0x512ac5cd65681ce1ULL, 0xe26c6487326b4cd4ULL,
	0x356d27f4a666a6d0ULL, 0xe791b39ff7c88a19ULL, 0x228730d531a59cb0ULL, 0xf40aab27e2fc0f1bULL,
	0xbe9ae358b3e01a2eULL, 0x416c0ce19cb48261ULL, 0x65c61198dad0657aULL, 0x997abb1f0a563fdaULL,
} };

const fp fp_one = { {
	0x99927f850157a015ULL, 0x7f3a20ef53853178ULL, 0x031c17dc767a824fULL, 0x606b2950a968e0e0ULL,
	0x5830c3ade3c3f655ULL, 0x49500b57ce7ad57dULL, 0xaed53a329a97e31eULL, 0x1d939b78cd94b32bULL,
	0xca92d80b5999592fULL, 0x186e4c60083775e6ULL, 0xdd78cf2ace5a634fULL, 0x0bf554d81d03f0e4ULL,
	0x41651ca74c1fe5d1ULL, 0xbe93f31e634b7d9eULL, 0x9a39ee67252f9a85ULL, 0x668544e0f5a9c025ULL,
} };

const fp fp_r2 = { {
	0xe199c8ceed17b0a1ULL, 0x7ffd8b4be3620f7fULL, 0xca865d5f4f76e245ULL, 0x623ff8dc27ecf5cbULL,
	0x229900e1d19bb697ULL, 0xed6aef26ea40c71fULL, 0xa3aed42cc906365cULL, 0x17d461b69eab6451ULL,
	0x2009367d7d666da9ULL, 0x8bcad1dcb63c1d56ULL, 0x5a126231c31a92dcULL, 0x5fb41b0eb8d94c5bULL,
	0xc113d394843f623cULL, 0x5d8d8e74f159f1ebULL, 0xae4ba7edb5d48c14ULL, 0x191640b9698af16aULL,
} };

const uint64_t fp_n0 = 0x290420077c8f2f3dULL;
