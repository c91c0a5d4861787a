/* kms/xmlwipe.h - make libxml2 wipe every block it frees or moves.
 *
 * mstoken-kms passes SSK, RSK and the KMS secrets through libxml2 (the
 * writer's buffers, the parser's input copy); with these allocators no
 * freed libxml2 block keeps their hex.  Call before any other libxml2 use.
 */
#ifndef MST_KMS_XMLWIPE_H
#define MST_KMS_XMLWIPE_H

/* 0 on success. */
int kms_xml_wipe_allocators(void);

#endif
