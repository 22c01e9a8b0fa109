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
 * 16 leaves room and bounds the recursion on hostile input. axdr_skip()
 * keeps one uint32_t per level on the stack (64 bytes at 16); the same bound
 * applies to the nesting of a compact-array contents-description, which is
 * checked recursively (at most EM_AXDR_MAX_DEPTH + 1 small frames). */
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

/* Client: how long (ms) to wait for the server's next frame after a poll
 * before polling again. A full 512-byte frame takes about 0.55 s at
 * 9600 Bd, so 2 s leaves room for the server's processing time too. */
#ifndef EM_HDLC_RESPONSE_MS
#define EM_HDLC_RESPONSE_MS 2000u
#endif

/* Client: polls repeated without an answer (and polls answered without the
 * expected response) before the link or the request is given up. */
#ifndef EM_HDLC_MAX_RETRIES
#define EM_HDLC_MAX_RETRIES 3u
#endif

/* ---- IEC 62056-21 (lib/dlms/iec62056_21) --------------------------------- */

/* Longest message the optical-port receiver buffers (request, ACK,
 * programming command) and longest readout data line; the meter context
 * holds one receive buffer of this size and a transmit buffer 8 bytes
 * larger. A data set is at most 16 + 128 + 16 + 3 = 163 characters. */
#ifndef EM_IEC21_MAX_LINE
#define EM_IEC21_MAX_LINE 256
#endif

/* Longest identification string after the manufacturer id and baud char. */
#ifndef EM_IEC21_MAX_IDENT
#define EM_IEC21_MAX_IDENT 16
#endif

/* Inter-character time-out (ms): a partly received message older than this
 * is dropped. IEC 62056-21 limits the gap between two characters of a
 * message to ta < 1500 ms. */
#ifndef EM_IEC21_CHAR_TIMEOUT_MS
#define EM_IEC21_CHAR_TIMEOUT_MS 1500u
#endif

/* Mode C: how long (ms) the meter waits for the acknowledgement/option
 * select message once its identification message has left the wire (the
 * transmission time at 300 Bd is added by the code). The HHU must answer
 * within the maximum reaction time tr = 1500 ms. */
#ifndef EM_IEC21_ACK_TIMEOUT_MS
#define EM_IEC21_ACK_TIMEOUT_MS 1500u
#endif

/* Pause (ms) between a baud-rate change and the first character sent at
 * the new rate. HHUs commonly switch about 300 ms after their ACK; 500 ms
 * leaves margin and stays below the 1500 ms maximum reaction time. */
#ifndef EM_IEC21_BAUD_SWITCH_MS
#define EM_IEC21_BAUD_SWITCH_MS 500u
#endif

/* Programming-mode inactivity time-out tt (ms) after which the meter drops
 * back to 300 Bd and waits for a sign-on; IEC 62056-21 allows 60..120 s. */
#ifndef EM_IEC21_PROG_TIMEOUT_MS
#define EM_IEC21_PROG_TIMEOUT_MS 120000u
#endif

/* Programming mode: consecutive damaged messages (bad BCC, bad syntax)
 * answered with NAK, and answers repeated on the HHU's NAK, before the next
 * one ends the session with a break (B0): a noisy link cannot hold the
 * meter forever. */
#ifndef EM_IEC21_MAX_REPEATS
#define EM_IEC21_MAX_REPEATS 3u
#endif

/* Wrong P1 passwords accepted in one session before the meter sends a
 * break (B0) and returns to 300 Bd: slows down guessing over the port. */
#ifndef EM_IEC21_MAX_PASSWORD_TRIES
#define EM_IEC21_MAX_PASSWORD_TRIES 3u
#endif

/* Upper bound on the data lines of one readout. The readout is streamed
 * line by line from a callback; the bound stops a callback that never
 * says "end" from keeping the port busy forever. */
#ifndef EM_IEC21_MAX_READOUT_LINES
#define EM_IEC21_MAX_READOUT_LINES 4096u
#endif

/* ---- Security suite 0 (lib/dlms/security) ------------------------------ */

/* Longest HLS-5 challenge accepted from a peer or generated here. The Green
 * Book allows 8..64 bytes; the bound also sizes the stack buffer that holds
 * SC || AK || challenge for the GMAC. */
#ifndef EM_SEC_MAX_CHALLENGE
#define EM_SEC_MAX_CHALLENGE 64
#endif

/* Length of the challenges this side generates (StoC as a server, CtoS as a
 * client), 16..EM_SEC_MAX_CHALLENGE. 32 bytes give 256 bits from the CSPRNG,
 * well above the 128-bit minimum, and still fit a short AARE. */
#ifndef EM_SEC_CHALLENGE_LEN
#define EM_SEC_CHALLENGE_LEN 32
#endif

/* ---- ACSE and xDLMS (lib/dlms/acse, lib/dlms/xdlms) --------------------- */

/* Longest LLS password accepted in an AARQ (calling-authentication-value)
 * and stored in the decoded AARQ. The Association LN secret of the seed
 * meters is 8 to 16 characters; 32 leaves room for long passphrases and
 * still keeps the decoded AARQ small. */
#ifndef EM_ACSE_MAX_PASSWORD
#define EM_ACSE_MAX_PASSWORD 32
#endif

/* Smallest client-max-receive-pdu-size the server accepts; a smaller
 * proposal is refused with InitiateError pdu-size-too-short. The Green Book
 * reserves 1..11 (0 means "no limit"); 64 is what GXC's server requires and
 * leaves a usable block under HLS-5 ciphering: 17 bytes of SC, IC and tag,
 * about 4 of envelope and 11 of get-response-with-datablock header. Values
 * below 12 are raised to 12. */
#ifndef EM_XDLMS_MIN_PDU_SIZE
#define EM_XDLMS_MIN_PDU_SIZE 64
#endif

/* ---- xDLMS service APDUs (lib/dlms/apdu) -------------------------------- */

/* Most entries in one with-list GET/SET/ACTION request or response. Each
 * entry costs about 24 bytes in a decoded request (descriptor, access
 * selection slice, value slice) on a 32-bit target. Head-ends read a
 * handful of registers per with-list request; 16 covers the energy and
 * instantaneous registers of one phase set. A longer list is refused with
 * DLMS_APDU_ERR_LIST_TOO_LONG, which the server answers so the client falls
 * back to shorter lists. At most 255 (the count is kept in a uint8_t). */
#ifndef EM_DLMS_MAX_LIST
#define EM_DLMS_MAX_LIST 16
#endif

/* ---- DLMS server (lib/dlms/server) ---------------------------------------- */

/* Bytes an object may keep between the blocks of one long GET (see
 * dlms_get_call_t.block_cookie): enough for a profile to remember the first
 * entry and the count it snapshotted at block 1 (2 x uint32) with room. */
#ifndef EM_DLMS_GET_COOKIE
#define EM_DLMS_GET_COOKIE 16
#endif

/* Associations one server offers (public, management, pre-established and
 * one spare for a companion profile). */
#ifndef EM_DLMS_MAX_ASSOCIATIONS
#define EM_DLMS_MAX_ASSOCIATIONS 4
#endif

/* Largest server-max-receive-pdu-size the server announces (an association
 * configured higher is clamped to it) and the size of its two APDU scratch
 * buffers: the deciphered request and the plain response before ciphering.
 * 1024 is GXC's server default; a 1440-row profile still goes out in blocks
 * of any negotiated size, so a smaller meter may lower it (64..65535). */
#ifndef EM_DLMS_SERVER_MAX_PDU
#define EM_DLMS_SERVER_MAX_PDU 1024
#endif

/* Reassembly buffer of SET-with-datablock and ACTION-with-pblock requests,
 * also holding the return data of an ACTION while it is sent in pblocks.
 * A value sent in blocks is only used once whole, so this bounds the
 * largest attribute a client can write (a calendar, a capture object list,
 * an image block); 2048 is two full PDUs. Overflow ends the transfer with
 * long-set-aborted / long-action-aborted. */
#ifndef EM_DLMS_RX_BUFFER
#define EM_DLMS_RX_BUFFER 2048
#endif

/* Selective-access parameters of a long GET, copied out of the request
 * because the request buffer is reused before the next block is asked for.
 * A range_descriptor with two date-times is about 40 bytes plus 18 per
 * selected column; the OMNIPOWER-style analysis logger's 24 columns need
 * about 460. A longer selection still works for replies that fit one PDU;
 * a long one is answered other-reason. */
#ifndef EM_DLMS_SELECTION_BUFFER
#define EM_DLMS_SELECTION_BUFFER 512
#endif

/* Largest request APDU reassembled from general-block-transfer blocks
 * (ciphered size). Clients send GBT requests only when a request does not
 * fit their PDU, which for a meter means long SET values: one PDU's worth
 * is the common case. */
#ifndef EM_DLMS_GBT_BUFFER
#define EM_DLMS_GBT_BUFFER 1024
#endif

/* Window the server announces in its GBT blocks: how many blocks a client
 * may stream to it before waiting for an acknowledgement (1..63). The
 * server itself sends one block per acknowledgement. */
#ifndef EM_DLMS_GBT_WINDOW
#define EM_DLMS_GBT_WINDOW 4
#endif

/* Invocation counters reserved per call of reserve_ic: the transmit
 * counter is persisted this far ahead before use, so a crash skips at most
 * this many of the 2^32 counters, and storage sees one write per 1024
 * ciphered APDUs. */
#ifndef EM_DLMS_IC_RESERVE_STEP
#define EM_DLMS_IC_RESERVE_STEP 1024u
#endif

/* Default inactivity timeout (ms) of an association: with no APDU for this
 * long it is released, so a head-end that vanished without RLRQ does not
 * hold the management association. 120 s matches the HDLC default. */
#ifndef EM_DLMS_INACTIVITY_MS
#define EM_DLMS_INACTIVITY_MS 120000u
#endif

/* ---- DLMS client (lib/dlms/client) ---------------------------------------- */

/* Largest APDU the client receives or sends, and the client-max-receive-
 * pdu-size it proposes by default. The client context holds two buffers of
 * this size (the request before ciphering, the response after deciphering).
 * 2048 matches EM_WRAPPER_MAX_APDU and EM_HDLC_MAX_APDU, the largest APDU
 * either transport carries, so a head-end reads a profile in as few blocks
 * as the server allows; a microcontroller client (a data concentrator) can
 * lower it to a few hundred bytes and still read everything in blocks.
 * 64..65535. */
#ifndef EM_DLMS_CLIENT_MAX_PDU
#define EM_DLMS_CLIENT_MAX_PDU 2048
#endif

/* ---- Metrology (lib/meter/metrology) ------------------------------------ */

/* Default sample rate (Hz) of the dsp source. 8 kHz is 160 samples per
 * 50 Hz cycle: it resolves the 40th harmonic (2 kHz) that IEC 61000-4-7
 * and EN 50160 evaluate, and it is the DSP rate of the ADE9000 and of TI's
 * 8 kHz designs (metrology-facts §3). Each meter may set its own rate. */
#ifndef EM_METROLOGY_FS_HZ
#define EM_METROLOGY_FS_HZ 8000u
#endif

/* Points per 10-cycle window after resampling, for the IEC 61000-4-7 DFT
 * (5 Hz bins at 50 Hz). A power of two for the radix-2 FFT, with more
 * than 10 * EM_METROLOGY_HARMONICS + 5 bins below N/2 (405 for order 40),
 * so 1024. Costs 3 * 8 * N bytes of dsp workspace. */
#ifndef EM_METROLOGY_FFT_N
#define EM_METROLOGY_FFT_N 1024
#endif

/* Highest harmonic order evaluated for THD and the harmonic groups of the
 * measures record: 40 in IEC 61000-4-7 and EN 50160. */
#ifndef EM_METROLOGY_HARMONICS
#define EM_METROLOGY_HARMONICS 40
#endif

/* Harmonic entries per phase the phasor source accepts: enough for the
 * 3rd..11th odd orders of the harmonic test cases (metrology-facts §5). */
#ifndef EM_METROLOGY_PHASOR_HARMONICS
#define EM_METROLOGY_PHASOR_HARMONICS 8
#endif

/* Rated values of the seed meters: 3 x 230/400 V, 50 Hz, Ib 5 A, Imax
 * 100 A, 2000 imp/kWh and 2000 imp/kvarh. These are only defaults of
 * metrology_cfg_default(); a meter variant sets its own at run time. */
#ifndef EM_METER_UN_V
#define EM_METER_UN_V 230.0f
#endif
#ifndef EM_METER_FN_HZ
#define EM_METER_FN_HZ 50.0f
#endif
#ifndef EM_METER_IB_A
#define EM_METER_IB_A 5.0f
#endif
#ifndef EM_METER_IMAX_A
#define EM_METER_IMAX_A 100.0f
#endif
#ifndef EM_METER_IMP_PER_KWH
#define EM_METER_IMP_PER_KWH 2000u
#endif
#ifndef EM_METER_IMP_PER_KVARH
#define EM_METER_IMP_PER_KVARH 2000u
#endif

/* No-load guard in per mille of Ib: no registration below 0.2 % Ib (the
 * CompactIQ guard band), half the 0.4 % Ib starting current of IEC
 * 62053-21 class 1, so the meter starts at Ist and creeps at no load. */
#ifndef EM_METER_NOLOAD_PERMILLE_IB
#define EM_METER_NOLOAD_PERMILLE_IB 2u
#endif

/* Longest CSV line the sample-file reader buffers ("t,v1,i1,...,i3" with
 * full float precision is about 120 characters). */
#ifndef EM_METROLOGY_CSV_MAX_LINE
#define EM_METROLOGY_CSV_MAX_LINE 256
#endif

/* ---- Power quality (lib/meter/pq) ---------------------------------------- */

/* PQ events buffered between two pq_event_pop() drains. A second holds at
 * most a few (a polyphase dip ends, three phases return), so 32 leaves
 * room for a caller that drains once a second. Overflow is counted. */
#ifndef EM_PQ_EVENT_QUEUE
#define EM_PQ_EVENT_QUEUE 32
#endif

/* Highest harmonic order with an EN 50160 limit (2..25). */
#ifndef EM_PQ_EN50160_HARMONICS
#define EM_PQ_EN50160_HARMONICS 25
#endif

/* ---- COSEM objects (lib/cosem) ------------------------------------------ */

/* Security contexts (Security setup objects, class 64) one object layer
 * knows: one per security suite instance. DSMR/SMR meters have one
 * (0.0.43.0.0.255, shared by the management and pre-established clients);
 * 2 leaves room for a separate context of a companion profile. */
#ifndef EM_COSEM_MAX_SECURITY
#define EM_COSEM_MAX_SECURITY 2
#endif

/* Largest number_of_periods of a Demand register (class 5) with sliding
 * demand: each sub-period keeps one int64 integral in the register's state
 * (8 bytes each). 15 covers the usual 15 x 1 min sliding window of a
 * 15-minute demand. */
#ifndef EM_COSEM_DEMAND_MAX_PERIODS
#define EM_COSEM_DEMAND_MAX_PERIODS 15
#endif

/* ---- Profile generic (lib/cosem/profile_generic.c) ---------------------- */

/* Capture objects (columns) one Profile generic can hold. The OMNIPOWER
 * analysis logger has 24 configurable channels, the widest profile of
 * both variants (ESMR load profiles have 4-6). Each column costs 14 bytes
 * of state per profile (definition + width). */
#ifndef EM_COSEM_PROFILE_MAX_COLUMNS
#define EM_COSEM_PROFILE_MAX_COLUMNS 40
#endif

/* Largest stored row in bytes (2-byte length + the captured values as
 * A-XDR, profile_rows.h). 24 long64 channels (9 bytes each) plus a
 * date-time (14) plus the length take 232; 256 leaves room for a status
 * byte or two. A capture keeps one row on the stack (twice with a
 * data_index column). */
#ifndef EM_COSEM_PROFILE_MAX_ROW
#define EM_COSEM_PROFILE_MAX_ROW 320
#endif

/* ---- Calendar, scripts, schedules, monitors (lib/cosem, class 9/11/20-22) -- */

/* Activity calendar (class 20) capacities, for the active and the passive
 * calendar each: the tariff programmes, 4 seasons, 4 week profiles
 * and 4 day profiles of 8 switching actions. Two calendars take about
 * 1.4 KB of state. Day actions are tracked in a 32-bit mask (<= 32). */
#ifndef EM_COSEM_CAL_SEASONS
#define EM_COSEM_CAL_SEASONS 4
#endif
#ifndef EM_COSEM_CAL_WEEKS
#define EM_COSEM_CAL_WEEKS 4
#endif
#ifndef EM_COSEM_CAL_DAYS
#define EM_COSEM_CAL_DAYS 4
#endif
#ifndef EM_COSEM_CAL_DAY_ACTIONS
#define EM_COSEM_CAL_DAY_ACTIONS 8
#endif

/* Longest calendar, season and week profile name (octet-strings). OSGP
 * writes short names ("1", a calendar name of a few characters), Gurux
 * examples about a dozen; 16 bytes each. */
#ifndef EM_COSEM_CAL_NAME_MAX
#define EM_COSEM_CAL_NAME_MAX 16
#endif

/* Special days table (class 11) entries: 30 per the issue, a few years of
 * public holidays (yearly repeating dates take one entry each). */
#ifndef EM_COSEM_SPECIAL_DAYS
#define EM_COSEM_SPECIAL_DAYS 30
#endif

/* Scripts per Script table (class 9): one per tariff in the tariffication
 * table (omni: 4 tariffs for A+ and R+), one per push setup in the push
 * table (DSMR: 4); 8 covers both with room. */
#ifndef EM_COSEM_SCRIPTS
#define EM_COSEM_SCRIPTS 8
#endif

/* Actions per script: a tariff script writes the tariff indicator and may
 * activate registers; most meter scripts have 1-2. */
#ifndef EM_COSEM_SCRIPT_ACTIONS
#define EM_COSEM_SCRIPT_ACTIONS 4
#endif

/* Bytes of one script action's parameter (its complete A-XDR Data): a
 * date-time octet-string takes 14, a long64 9. */
#ifndef EM_COSEM_SCRIPT_PARAM_MAX
#define EM_COSEM_SCRIPT_PARAM_MAX 16
#endif

/* execution_time entries of a Single action schedule (class 22): end of
 * billing needs 1 (day 1, 00:00), a push schedule a few times a day. */
#ifndef EM_COSEM_SAS_TIMES
#define EM_COSEM_SAS_TIMES 8
#endif

/* Thresholds (and action pairs) of a Register monitor (class 21): the DSMR
 * alarm monitor uses 1, a voltage band with hysteresis 2. At most 32
 * (crossing states are a 32-bit mask). */
#ifndef EM_COSEM_MONITOR_THRESHOLDS
#define EM_COSEM_MONITOR_THRESHOLDS 4
#endif

/* ---- Store (lib/store) ---------------------------------------------------- */

/* Record slots one record store holds (energy registers, counters, keys,
 * configuration blocks...). Each slot costs 16 bytes of RAM (where its
 * newest copy is) in store_records_t. */
#ifndef EM_STORE_MAX_RECORDS
#define EM_STORE_MAX_RECORDS 32
#endif

/* Largest flash program unit (bytes, a power of two) the store supports:
 * 8 covers STM32L4/G4 double words, 16 the STM32U5 quad word and 32 the
 * STM32H7 flash word. The obsolete marker and the sector header are padded
 * to the unit, so a larger unit costs a few bytes per sector. */
#ifndef EM_STORE_MAX_PROGRAM_UNIT
#define EM_STORE_MAX_PROGRAM_UNIT 32
#endif

/* Bytes the store hands to one flash_program call, staged in a stack
 * buffer of this size while writing. A record copy or ring entry up to this
 * size (16-byte header included) is programmed in a single call; longer
 * ones in several consecutive calls, which is equally safe since the CRC
 * covers the whole copy. A multiple of EM_STORE_MAX_PROGRAM_UNIT. */
#ifndef EM_STORE_PROGRAM_CHUNK
#define EM_STORE_PROGRAM_CHUNK 256
#endif

/* Sectors one ring may span. The ring keeps a 16-bit count of valid entries
 * per sector (2 bytes each) so that read(index) finds an entry without
 * scanning. 64 covers a 960-row profile of 64-byte rows (19 sectors of
 * 4 KiB) and 2190 16-byte events even on 1 KiB sectors (55 sectors);
 * store_ring_sectors_needed() computes the count. */
#ifndef EM_STORE_RING_MAX_SECTORS
#define EM_STORE_RING_MAX_SECTORS 320
#endif

/* ---- Metering application (lib/meter: registers, profiles, logs) ---------- */

/* Tariff registers per direction (1.0.1.8.t / 1.0.2.8.t): the most any
 * variant uses (omni: 4 for A+ and R+; esmr uses 2). Each costs 16 bytes. */
#ifndef EM_METER_TARIFFS
#define EM_METER_TARIFFS 4
#endif

/* Rows of the E 15-minute load profile 1.0.99.1.0.255: 960 = 10 days of
 * quarters, the SMR 5 depth (dlms-facts §2.5). 28 bytes each in RAM. */
#ifndef EM_METER_LP_ENTRIES
#define EM_METER_LP_ENTRIES 960
#endif

/* Rows of the E daily values 1.0.99.2.0.255: 40 days (SMR 5). */
#ifndef EM_METER_DAILY_ENTRIES
#define EM_METER_DAILY_ENTRIES 40
#endif

/* Rows of the E monthly billing values 1.0.98.1.0.255: 13 months (SMR 5),
 * a year plus the same month of the year before. */
#ifndef EM_METER_MONTHLY_ENTRIES
#define EM_METER_MONTHLY_ENTRIES 13
#endif

/* Entries of the standard (100), fraud detection (30) and power quality
 * (100) event logs, the SMR 5 profile_entries (dlms-facts §2.5). */
#ifndef EM_METER_STD_LOG_ENTRIES
#define EM_METER_STD_LOG_ENTRIES 100
#endif
#ifndef EM_METER_FRAUD_LOG_ENTRIES
#define EM_METER_FRAUD_LOG_ENTRIES 30
#endif
#ifndef EM_METER_PQ_LOG_ENTRIES
#define EM_METER_PQ_LOG_ENTRIES 100
#endif

/* Entries of the power failure event log 1.0.99.97.0.255 (SMR 5: 10). */
#ifndef EM_METER_POWER_LOG_ENTRIES
#define EM_METER_POWER_LOG_ENTRIES 10
#endif

/* Entries of the communication session log 0.0.99.98.4.255 (the OSGP SMR 5
 * profile: 2190, six years of a daily read). */
#ifndef EM_METER_COMM_LOG_ENTRIES
#define EM_METER_COMM_LOG_ENTRIES 2190
#endif

/* Entries of the omni disconnect/connect history log 0.0.99.98.2.255. */
#ifndef EM_METER_BREAKER_LOG_ENTRIES
#define EM_METER_BREAKER_LOG_ENTRIES 100
#endif

/* Power quality profiles 1 (15 min, 1.0.99.1.1.255) and 2 (10 min,
 * 1.0.99.1.2.255): 960 and 1440 entries, ten days each (SMR 5). */
#ifndef EM_METER_PQ1_ENTRIES
#define EM_METER_PQ1_ENTRIES 960
#endif
#ifndef EM_METER_PQ2_ENTRIES
#define EM_METER_PQ2_ENTRIES 1440
#endif

/* omni four-quadrant load profile 1.0.99.1.0.255: 17280 entries, which is
 * the data sheet's depth for A+/A-/R+/R- (180 days at 15 min, 360 at 30,
 * 720 at 60); every channel set keeps this depth here (seed 004 gives
 * less for 6 and 8 channels). 60 bytes a row in flash: about 1 MB. */
#ifndef EM_METER_OMNI_LP_ENTRIES
#define EM_METER_OMNI_LP_ENTRIES 17280
#endif

/* omni debiting period logger 1.0.98.1.0.255: 36 periods (three years of
 * monthly debiting); debit logger 2 1.0.98.2.0.255: 400 (over a year of
 * daily values); analysis logger: 1440 rows (60 days hourly). */
#ifndef EM_METER_DEBIT_ENTRIES
#define EM_METER_DEBIT_ENTRIES 36
#endif
#ifndef EM_METER_DEBIT2_ENTRIES
#define EM_METER_DEBIT2_ENTRIES 400
#endif
#ifndef EM_METER_ANALYSIS_ENTRIES
#define EM_METER_ANALYSIS_ENTRIES 1440
#endif

/* Depth of the RAM ring of a deep profile (the load profiles and PQ
 * profiles, comm log) before or without flash (profiles.h): a day of
 * quarters. */
#ifndef EM_METER_RAM_DEEP_ENTRIES
#define EM_METER_RAM_DEEP_ENTRIES 96
#endif

/* RAM for the rows of every profile of a meter before/without flash
 * (meter_t.ram_rows). The esmr table needs about 57 KB, omni about 36 KB
 * with the sizes above; meter_init refuses a table that does not fit. */
#ifndef EM_METER_RAM_ROWS_BYTES
#define EM_METER_RAM_ROWS_BYTES 61440
#endif

/* Demand period (s) of the block demands 1.0.1.4.0 / 1.0.3.4.0 / 1.0.9.4.0
 * and so of the maximum demands (15 minutes, DSMR and seed 004). */
#ifndef EM_METER_DEMAND_PERIOD_S
#define EM_METER_DEMAND_PERIOD_S 900
#endif

/* Long power failure threshold 0.0.96.7.20.255 (s), DSMR default 180. */
#ifndef EM_METER_LONG_POWER_FAILURE_S
#define EM_METER_LONG_POWER_FAILURE_S 180
#endif

/* How long the RTC keeps time without mains (supercap backup, seed 000:
 * 5 days). A longer outage leaves the clock invalid (event 6, alarm bit
 * 0, AMR status clock invalid) until a head-end sets it. */
#ifndef EM_METER_RTC_BACKUP_S
#define EM_METER_RTC_BACKUP_S (5 * 86400)
#endif

/* ---- Meter persistence (lib/meter/persist) ------------------------------- */

/* Sectors of the meter's record journal (energy registers, status, power
 * quality settings, profile configurations; docs/metering.md). The records
 * need about 2.4 KB of one sector at most; 4 sectors spread the wear of
 * the 1 s host commits (docs/store.md, "Wear levelling"). At least 2. */
#ifndef EM_METER_PERSIST_RECORD_SECTORS
#define EM_METER_PERSIST_RECORD_SECTORS 4
#endif

/* Sectors of the tariff journal (active and passive activity calendar,
 * special days; ~1.7 KB at the EM_COSEM_CAL_* sizes, too much to share a
 * sector with the records above). Written only when a head-end programs
 * the calendar or it is activated: 2 sectors, the minimum of a journal. */
#ifndef EM_METER_PERSIST_CAL_SECTORS
#define EM_METER_PERSIST_CAL_SECTORS 2
#endif

/* Seconds between two periodic commits of the registers
 * (meter_persist_tick; the field commit_period_s overrides it at run
 * time). 1 on the host: every value a client reads is already durable, and
 * the flash is a file. A microcontroller on real NOR flash commits every
 * few minutes and on the power-fail interrupt (docs/store.md, lifetime). */
#ifndef EM_METER_PERSIST_COMMIT_PERIOD_S
#define EM_METER_PERSIST_COMMIT_PERIOD_S 1
#endif

/* upgrade (w1): bytes of the firmware image region of the meter's flash
 * (lib/meter/upgrade.h; whole sectors, between the profile rings and the
 * settings journal): the largest image Image transfer 0.0.44.0.0.255
 * accepts. EM_COSEM_IMAGE_MAX_SIZE, 512 KiB, is the non-legal application
 * bank of seed 000's Cortex-M4: a meter downloads the whole bank. On the
 * host it makes the flash image ~1 MB (esmr) / ~2 MB (omni), which costs
 * nothing worth a smaller default. At most EM_COSEM_IMAGE_MAX_SIZE. */
#ifndef EM_METER_PERSIST_IMAGE_BYTES
#define EM_METER_PERSIST_IMAGE_BYTES EM_COSEM_IMAGE_MAX_SIZE
#endif

/* ---- P1 consumer port (lib/meter/p1) ------------------------------------ */

/* Longest equipment identifier in bytes (0-0:96.1.1, 0-n:96.1.0): DSMR
 * 5.0.2 allows 96 hex characters, i.e. 48 bytes. */
#ifndef EM_P1_EQUIPMENT_ID_MAX
#define EM_P1_EQUIPMENT_ID_MAX 48u
#endif

/* Longest text message in bytes (0-0:96.13.0, written as hex): DSMR
 * 5.0.2 allows 1024 characters. Each byte costs two in the telegram, so
 * this dominates P1_TELEGRAM_MAX (p1.h). */
#ifndef EM_P1_TEXT_MAX
#define EM_P1_TEXT_MAX 1024u
#endif

/* M-Bus channels shown on P1 (0-1 .. 0-4): DSMR allows up to four
 * devices (gas, water, heat) on the meter's M-Bus. */
#ifndef EM_P1_MAX_MBUS
#define EM_P1_MAX_MBUS 4u
#endif

/* ---- Load simulator (lib/meter/loadsim) ---------------------------------- */

/* Default household consumption (kWh per year) of loadsim_cfg_default():
 * 3500 kWh is the usual reference household (about 400 W on average). */
#ifndef EM_LOADSIM_ANNUAL_KWH
#define EM_LOADSIM_ANNUAL_KWH 3500.0
#endif

/* Default amplitude (%) of the slow supply voltage drift: +-2.5 % keeps
 * drift plus load drop well inside the EN 50160 +-10 % band. */
#ifndef EM_LOADSIM_DRIFT_PCT
#define EM_LOADSIM_DRIFT_PCT 2.5
#endif

/* Default source resistance per phase in milliohm for the load-dependent
 * voltage drop (and rise when exporting): 150 mOhm is a typical LV loop at
 * a house connection, 15 V at 100 A. */
#ifndef EM_LOADSIM_GRID_MOHM
#define EM_LOADSIM_GRID_MOHM 150u
#endif

/* Current harmonic entries the simulator writes per phase (3rd, 5th, 7th,
 * the orders household electronics produce). At most
 * EM_METROLOGY_PHASOR_HARMONICS. */
#ifndef EM_LOADSIM_HARMONICS
#define EM_LOADSIM_HARMONICS 3
#endif

/* ---- Disconnect control, limiter, prepayment classes (70, 71, 111-113) ---- */
/* (options of lib/cosem/disconnect_control.c, limiter.c, account.c, credit.c, charge.c) */

/* Entries of a Limiter's emergency_profile_group_id_list (class 71,
 * attribute 9): the groups of emergency profiles this meter obeys. A
 * head-end assigns a meter to a few load-shedding groups (region, feeder,
 * customer class); 8 leaves room for that and costs 16 bytes. */
#ifndef EM_COSEM_LIMITER_GROUP_IDS
#define EM_COSEM_LIMITER_GROUP_IDS 8
#endif

/* Prepayment (lib/cosem/account.c, credit.c, charge.c, token_gateway.c,
 * prepayment.c). */

/* Credits of one Account (credit_reference_list, token_gateway_
 * configuration): token, emergency, reserved, time and consumption based
 * credit with room to spare; current_credit_in_use is an unsigned index. */
#ifndef EM_PREPAY_CREDITS
#define EM_PREPAY_CREDITS 8
#endif

/* Charges of one Account (charge_reference_list): energy, standing charge,
 * one or two debts, with room to spare. */
#ifndef EM_PREPAY_CHARGES
#define EM_PREPAY_CHARGES 8
#endif

/* credit_charge_configuration entries: every credit paired with a few
 * charges. */
#ifndef EM_PREPAY_CREDIT_CHARGE_CFG
#define EM_PREPAY_CREDIT_CHARGE_CFG 16
#endif

/* charge_table elements of a unit charge: one per tariff band (the
 * activity calendar offers a handful). */
#ifndef EM_PREPAY_CHARGE_TABLE
#define EM_PREPAY_CHARGE_TABLE 8
#endif

/* Bytes of a charge_table index (tariff indicator values are 1-2 bytes). */
#ifndef EM_PREPAY_INDEX_MAX
#define EM_PREPAY_INDEX_MAX 8
#endif

/* Bytes of the currency name (ISO 4217 codes are 3; room for a symbol). */
#ifndef EM_PREPAY_CURRENCY_NAME_MAX
#define EM_PREPAY_CURRENCY_NAME_MAX 8
#endif

/* Bytes of the last token kept in Token gateway attribute 2 (emeter tokens
 * are 24; longer inputs are refused as a format failure). */
#ifndef EM_PREPAY_TOKEN_MAX
#define EM_PREPAY_TOKEN_MAX 32
#endif

/* Accepted token ids remembered against replay: more than a household buys
 * between two vending-system id jumps; 64 bytes of RAM. */
#ifndef EM_PREPAY_TOKEN_HISTORY
#define EM_PREPAY_TOKEN_HISTORY 16
#endif

/* ---- Image transfer and push setup classes (18, 40) ---------------------- */
/* (options of lib/cosem/image_transfer.c, push_setup.c) */

/* Largest firmware image the Image transfer class accepts (bytes). 512 KiB
 * is the non-legal application bank of a Cortex-M4 meter (seed 000: the
 * non-legal part is upgraded while the legal part keeps metering); an
 * object's def may set a smaller limit (its storage). */
#ifndef EM_COSEM_IMAGE_MAX_SIZE
#define EM_COSEM_IMAGE_MAX_SIZE (512u * 1024u)
#endif

/* Blocks the transferred-blocks bitmap can track (bits; the state struct
 * holds EM_COSEM_IMAGE_MAX_BLOCKS / 8 bytes). 2048 covers the largest image
 * at 256-byte blocks (512-byte blocks, the default with a 1024-byte PDU,
 * need 1024): 256 bytes of state per meter. */
#ifndef EM_COSEM_IMAGE_MAX_BLOCKS
#define EM_COSEM_IMAGE_MAX_BLOCKS 2048u
#endif

/* Longest image_identifier of image_transfer_initiate (bytes). DSMR
 * identifiers are short names like "KFM-01_5.0.1" (seed 000 3.3.13). */
#ifndef EM_COSEM_IMAGE_ID_MAX
#define EM_COSEM_IMAGE_ID_MAX 32u
#endif

/* Longest firmware identifier / signature carried in an image's trailer
 * (what activation puts into 1.0.0.2.0.255 / 1.0.0.2.8.255, and what
 * image_to_activate_info shows). 64 holds a SHA-256 in hex. */
#ifndef EM_COSEM_IMAGE_FW_STR_MAX
#define EM_COSEM_IMAGE_FW_STR_MAX 64u
#endif

/* Bytes read from image storage per SHA-256 update during verification:
 * a stack buffer, small enough for any task stack. */
#ifndef EM_COSEM_IMAGE_CHUNK
#define EM_COSEM_IMAGE_CHUNK 128u
#endif

/* Push setup (class 40, lib/cosem/push_setup.c). push_object_list
 * entries per object: the DSMR/SMR 5 alarm push carries 3 (equipment
 * identifier, push setup name, alarm register 1), SMR 5.2 adds alarm
 * register 2; 8 leaves room for a scheduled push of a few registers. */
#ifndef EM_COSEM_PUSH_OBJECTS
#define EM_COSEM_PUSH_OBJECTS 8
#endif

/* Longest send_destination ("host:port" octet-string): an IPv6 literal in
 * brackets with a port is 47 bytes, a DNS name rarely more; 64. */
#ifndef EM_COSEM_PUSH_DESTINATION_MAX
#define EM_COSEM_PUSH_DESTINATION_MAX 64
#endif

/* communication_window entries: DSMR uses none (always allowed), Gurux's
 * examples 2; 4 gives a night and a day window with room. */
#ifndef EM_COSEM_PUSH_WINDOWS
#define EM_COSEM_PUSH_WINDOWS 4
#endif

/* Bytes of one push's notification-body (the structure of the pushed
 * values), a stack buffer while the APDU is built. A DSMR alarm push is
 * about 40 bytes; 256 takes 8 registers with date-times. */
#ifndef EM_COSEM_PUSH_MAX_BODY
#define EM_COSEM_PUSH_MAX_BODY 256
#endif

/* ---- Communication setup classes (28, 29, 41, 42, 44, 45, 47, 151) ------- */
/* (options of the communication classes in lib/cosem) */

/* Calling windows of an Auto connect (class 29) and listening windows of an
 * Auto answer (class 28): the LTE-M "communication slot cycle" is a few
 * slots a day (seed 000 §3.3.3); 4 windows of two date-times each (12
 * bytes of pattern per end). */
#ifndef EM_COSEM_COMM_WINDOWS
#define EM_COSEM_COMM_WINDOWS 4
#endif

/* Destinations of an Auto connect (destination_list): a primary and a
 * secondary head-end, each as an FQDN or an IP address, with room for two
 * more. */
#ifndef EM_COSEM_COMM_DESTINATIONS
#define EM_COSEM_COMM_DESTINATIONS 4
#endif

/* Longest destination ("host:port", octet-string). DNS allows 253
 * characters; head-end names in practice are short, 64 bytes keeps four
 * destinations at 256 bytes of state. */
#ifndef EM_COSEM_COMM_DEST_MAX
#define EM_COSEM_COMM_DEST_MAX 64
#endif

/* Longest APN of the GPRS modem setup (class 45): 100 octets is the APN
 * limit of 3GPP TS 23.003 §9.1, so no legal APN is refused. */
#ifndef EM_COSEM_COMM_APN_MAX
#define EM_COSEM_COMM_APN_MAX 100
#endif

/* Longest operator name of the GSM diagnostic (class 47): the long
 * alphanumeric operator names modems report (AT+COPS) stay under 32. */
#ifndef EM_COSEM_COMM_OPERATOR_MAX
#define EM_COSEM_COMM_OPERATOR_MAX 32
#endif

/* Adjacent cells the GSM diagnostic lists: LTE-M modules report up to 6
 * neighbour cells. */
#ifndef EM_COSEM_COMM_ADJACENT_CELLS
#define EM_COSEM_COMM_ADJACENT_CELLS 6
#endif

/* Multicast addresses of an IPv4 setup (class 42): a meter joins at most a
 * group or two (firmware broadcast); 4 with room. */
#ifndef EM_COSEM_COMM_MULTICAST
#define EM_COSEM_COMM_MULTICAST 4
#endif

/* IP options of an IPv4 setup and their data: the IPv4 header has 40 bytes
 * of options, so one option carries at most 38 bytes of data; 2 options. */
#ifndef EM_COSEM_COMM_IP_OPTIONS
#define EM_COSEM_COMM_IP_OPTIONS 2
#endif
#ifndef EM_COSEM_COMM_IP_OPTION_DATA
#define EM_COSEM_COMM_IP_OPTION_DATA 38
#endif

/* LCP and IPCP options of a PPP setup (class 44): 8 LCP option types are
 * defined (MRU, ACCM, auth protocol, magic number, PFC, ACFC, FCS
 * alternatives, callback); their data are scalars or short strings of at
 * most 8 bytes. */
#ifndef EM_COSEM_COMM_PPP_OPTIONS
#define EM_COSEM_COMM_PPP_OPTIONS 8
#endif
#ifndef EM_COSEM_COMM_PPP_OPTION_DATA
#define EM_COSEM_COMM_PPP_OPTION_DATA 8
#endif

/* PAP user name and password of a PPP setup: operators hand out names and
 * keys of a few to a dozen characters; 32 bytes each. */
#ifndef EM_COSEM_COMM_PPP_USER_MAX
#define EM_COSEM_COMM_PPP_USER_MAX 32
#endif
#ifndef EM_COSEM_COMM_PPP_PASSWORD_MAX
#define EM_COSEM_COMM_PPP_PASSWORD_MAX 32
#endif

/* Allowed callers of an Auto answer (list_of_allowed_callers): the
 * head-end's primary and secondary wake-up sources plus two. */
#ifndef EM_COSEM_COMM_CALLERS
#define EM_COSEM_COMM_CALLERS 4
#endif

/* Longest caller_id: an E.164 number with '+' (16), an IPv4 address as
 * text (15) or an IPv6 address as text (39): 40 bytes. */
#ifndef EM_COSEM_COMM_CALLER_ID_MAX
#define EM_COSEM_COMM_CALLER_ID_MAX 40
#endif

/* ---- Devices: display, tamper, login lockout, diagnostics (lib/meter) ---- */
/* (options of lib/meter/display.c, tamper.c, lockout.c, diagnostics.c) */

/* Items of the automatic scroll list (General display readout,
 * 0.0.21.0.1.255): the OMNIPOWER data sheet (seed 004, "Display") allows
 * up to 16 readings in the automatic shift list. */
#ifndef EM_DISPLAY_AUTO_MAX
#define EM_DISPLAY_AUTO_MAX 16u
#endif

/* Items of the manual (push button) list (Alternate display readout,
 * 0.0.21.0.2.255) and of the service list (0.0.21.0.3.255): seed 004
 * allows up to 30 readings in the manual shift list. Also the capacity of
 * every display_list_t. */
#ifndef EM_DISPLAY_MANUAL_MAX
#define EM_DISPLAY_MANUAL_MAX 30u
#endif

/* Items of the battery-operated list (0.0.21.0.5.255): seed 004 allows up
 * to 8 readings readable while the meter has no supply. */
#ifndef EM_DISPLAY_BATTERY_MAX
#define EM_DISPLAY_BATTERY_MAX 8u
#endif

/* Legal readings that no list SET may remove: total A+ and A- (MID
 * registers) plus room for two more (e.g. R+ / R- where a national
 * approval makes them legal). */
#ifndef EM_DISPLAY_LEGAL_MAX
#define EM_DISPLAY_LEGAL_MAX 4u
#endif

/* Tamper events kept while the meter is down (outage) until power-up:
 * four open/close pairs, enough for a terminal cover opened and closed
 * and a magnet put on and taken off during one outage, with spare. */
#ifndef EM_TAMPER_QUEUE
#define EM_TAMPER_QUEUE 8u
#endif

/* Failed logins remembered for the lockout window: the largest
 * configurable failure count before a lockout (DLMS meters use 3 to 10). */
#ifndef EM_LOCKOUT_MAX_FAILURES
#define EM_LOCKOUT_MAX_FAILURES 16u
#endif

/* Program image digest length: SHA-256 (32 bytes), what the host passes
 * for the executable and what a Cortex-M boot loader computes. */
#ifndef EM_DIAG_DIGEST_LEN
#define EM_DIAG_DIGEST_LEN 32u
#endif

/* ---- Host runtime helpers are not here: apps/ options are run-time. ------ */

#endif /* EMETER_CONFIG_H */
