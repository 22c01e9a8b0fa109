/*
 * entropy_posix.c - random bytes from the kernel CSPRNG (getrandom).
 *
 * HLS-5 challenges and nonces must be unpredictable; getrandom() blocks only
 * until the pool is initialised once after boot, then never.
 */
#include "port_posix.h"

#include <errno.h>
#include <sys/random.h>

int em_posix_entropy(void *user, uint8_t *buf, size_t len) {
    (void)user;
    while (len > 0) {
        ssize_t n = getrandom(buf, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return EM_PORT_ERR_ENTROPY;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}
