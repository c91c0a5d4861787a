# pkcs11/pkcs11.mk: rules of this part (owned by the part's authors; empty until it lands)
