/*
 * objects_esmr.c - object table of the ESMR 5 variant (CompactIQ-style
 * three-phase LTE-M meter, seed 000; OBIS codes per DSMR/SMR 5,
 * dlms-facts §2.5).
 *
 * This first cut holds the management objects; the metering application
 * adds registers, profiles, logs and the rest of the SMR 5 object set.
 */
#include "meter/objects_common.h"

static const cosem_object_t esmr_objects[] = {
    METER_MANAGEMENT_OBJECTS,
};

const cosem_object_t *meter_objects_esmr(size_t *count)
{
    *count = COSEM_COUNT(esmr_objects);
    return esmr_objects;
}
