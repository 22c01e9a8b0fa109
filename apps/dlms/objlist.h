/*
 * objlist.h - the Association LN object_list (class 15 attribute 2) as the
 * dlms tool reads it: parsing its entries (dlms-facts §1.2), printing them
 * for `dlms list`, finding the class of a logical name, and the small table
 * of well-known OBIS codes used to guess a class without reading the list.
 *
 *   object_list_element ::= structure { class_id long-unsigned,
 *       version unsigned, logical_name octet-string(6),
 *       access_rights structure {
 *           attribute_access array of structure { attribute_id integer,
 *               access_mode enum, access_selectors null | array of integer },
 *           method_access array of structure { method_id integer,
 *               access_mode enum (boolean in Association LN version 0) } } }
 *
 * Part of the dlms host tool; the unit test includes the .c file.
 */
#ifndef DLMS_CLI_OBJLIST_H
#define DLMS_CLI_OBJLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"

#define OBJLIST_MAX_ATTRS     64
#define OBJLIST_MAX_METHODS   32
#define OBJLIST_MAX_SELECTORS 8

typedef struct objlist_attr {
    int8_t id;
    uint8_t access; /* 0 no_access .. 6 authenticated_read_and_write */
    uint8_t nsel;   /* access selectors listed (0 when null) */
    int8_t sel[OBJLIST_MAX_SELECTORS];
} objlist_attr_t;

typedef struct objlist_method {
    int8_t id;
    uint8_t access; /* 0 no_access, 1 access, 2 authenticated_access */
} objlist_method_t;

typedef struct objlist_entry {
    uint16_t class_id;
    uint8_t version;
    uint8_t obis[6];
    size_t nattr;
    objlist_attr_t attrs[OBJLIST_MAX_ATTRS];
    size_t nmeth;
    objlist_method_t meths[OBJLIST_MAX_METHODS];
} objlist_entry_t;

/* Walks the object_list value p[0..len) (one Data: array of elements),
 * calling cb for each entry; a non-zero cb return stops the walk and is
 * returned. Returns 0, or -1 with a reason in err when the value does not
 * have the layout above. */
int objlist_walk(const uint8_t *p, size_t len, int (*cb)(void *user, const objlist_entry_t *e),
                 void *user, char *err, size_t errlen);

/* Class id of obis in an object list; 0 when not listed. */
uint16_t objlist_find_class(const uint8_t *p, size_t len, const uint8_t obis[6]);

/* Class of a well-known logical name (clock 8, associations 15, security
 * setups 64, invocation counters 1, registers 3 / 4 / 5 by value group D,
 * profiles 7 ...), 0 when the table has no entry. A guess: the caller
 * checks it against the object list when the meter disagrees. */
uint16_t objlist_default_class(const uint8_t obis[6]);

/* Green Book names of access modes ("read_and_write", "authenticated_access"). */
const char *objlist_attr_access_name(uint8_t mode);
const char *objlist_method_access_name(uint8_t mode);

/* One entry, text ("0.0.1.0.0.255  class 8  v0  attributes 1:r 2:rw ...
 * methods 1:x") or one JSON object; iec: OBIS in A-B:C.D.E*F notation. */
void objlist_format(sbuf_t *sb, const objlist_entry_t *e, bool json, bool iec);

#endif /* DLMS_CLI_OBJLIST_H */
