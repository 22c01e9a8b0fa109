/*
 * fft.h - in-place radix-2 complex FFT for the 10-cycle harmonic analysis
 * (IEC 61000-4-7 DFT with 5 Hz bins at 50 Hz).
 *
 * Single precision on purpose: the Cortex-M4F FPU does float in hardware,
 * and a 1024-point float FFT keeps about 1e-6 relative accuracy, 100 times
 * below the 0.1 pp THD and 0.2 % reactive-power budgets.
 */
#ifndef EMETER_METROLOGY_FFT_H
#define EMETER_METROLOGY_FFT_H

/* Fill tw[0..n-1] with cos, sin pairs of 2 pi k / n for k < n/2. */
void metrology_fft_twiddles(float *tw, unsigned n);

/* Forward DFT X[k] = sum x[j] e^(-2 pi i j k / n) of n complex points
 * stored re, im interleaved in z[0..2n-1]; n is a power of two >= 4. */
void metrology_fft(float *z, const float *tw, unsigned n);

/* The same on input already stored in bit-reversed order (the dsp
 * resampler writes its points that way, which saves the permutation). */
void metrology_fft_bitrev_input(float *z, const float *tw, unsigned n);

/* Next index in bit-reversed counting order over n points. */
unsigned metrology_bitrev_next(unsigned j, unsigned n);

#endif /* EMETER_METROLOGY_FFT_H */
