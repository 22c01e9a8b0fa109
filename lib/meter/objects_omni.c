/*
 * objects_omni.c - object table of the OMNIPOWER-style variant (three-phase
 * DIN-rail meter with breaker and prepayment, seed 004).
 *
 * This first cut holds the management objects; the metering application
 * adds four-quadrant registers, maximum demand, loggers, the breaker and
 * prepayment objects.
 */
#include "meter/objects_common.h"

static const cosem_object_t omni_objects[] = {
    METER_MANAGEMENT_OBJECTS,
};

const cosem_object_t *meter_objects_omni(size_t *count) {
    *count = COSEM_COUNT(omni_objects);
    return omni_objects;
}
