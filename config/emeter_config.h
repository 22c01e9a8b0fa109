/*
 * emeter_config.h - compile-time options of the portable core (lib/).
 *
 * Every buffer size and bound in lib/ comes from here, in the spirit of
 * lwIP's lwipopts.h: a port or a product overrides a value by defining it
 * before this header is seen (for example with -DEM_HDLC_MAX_INFO_LEN=256 or
 * an EM_CONFIG_USER_FILE that is included first). Nothing in lib/ allocates
 * from the heap, so these numbers are the whole RAM budget of a meter context.
 */
#ifndef EMETER_CONFIG_H
#define EMETER_CONFIG_H

#ifdef EM_CONFIG_USER_FILE
#include EM_CONFIG_USER_FILE
#endif

/* ---- A-XDR (lib/dlms/axdr) ------------------------------------------- */

/* Deepest nesting of arrays/structures the decoder follows before it
 * refuses the input. COSEM objects nest 4-5 levels (object_list entries);
 * 16 leaves room and bounds the recursion on hostile input. */
#ifndef EM_AXDR_MAX_DEPTH
#define EM_AXDR_MAX_DEPTH 16
#endif

/* ---- TCP/UDP wrapper (lib/dlms/wrapper) -------------------------------- */

/* Largest APDU accepted in one wrapper frame. A frame announcing more is
 * refused before any of its payload is buffered. */
#ifndef EM_WRAPPER_MAX_APDU
#define EM_WRAPPER_MAX_APDU 2048
#endif

/* ---- HDLC (lib/dlms/hdlc) ---------------------------------------------- */

/* Largest information field this side accepts and offers in SNRM/UA.
 * 128 is the IEC 62056-46 default; the 11-bit frame length bounds it to
 * 2030 bytes. */
#ifndef EM_HDLC_MAX_INFO_LEN
#define EM_HDLC_MAX_INFO_LEN 512
#endif

/* Largest window this side offers (1..7). */
#ifndef EM_HDLC_MAX_WINDOW
#define EM_HDLC_MAX_WINDOW 7
#endif

/* Largest APDU reassembled from segmented I-frames, and largest APDU the
 * sender segments. */
#ifndef EM_HDLC_MAX_APDU
#define EM_HDLC_MAX_APDU 2048
#endif

/* Inactivity timeout (ms) after which a connected HDLC link drops back to
 * NDM, as IEC HDLC setup (class 23) attribute 8 describes (in seconds). */
#ifndef EM_HDLC_INACTIVITY_MS
#define EM_HDLC_INACTIVITY_MS 120000u
#endif

/* Inter-octet timeout (ms): a partial frame older than this is discarded
 * (class 23 attribute 7). */
#ifndef EM_HDLC_INTER_OCTET_MS
#define EM_HDLC_INTER_OCTET_MS 25u
#endif

/* ---- IEC 62056-21 (lib/dlms/iec62056_21) --------------------------------- */

/* Longest request/command line the optical-port parser buffers. */
#ifndef EM_IEC21_MAX_LINE
#define EM_IEC21_MAX_LINE 256
#endif

/* Longest identification string after the manufacturer id and baud char. */
#ifndef EM_IEC21_MAX_IDENT
#define EM_IEC21_MAX_IDENT 16
#endif

#endif /* EMETER_CONFIG_H */
