/*
 * runshim.c -- LD_PRELOAD helper for running the authors' Enki line follower
 * (Sama-Darya/enkiSimulator examples/line_follower) headless, UNMODIFIED.
 * It interposes four dynamic-library calls the authors' binary makes; the binary
 * and the authors' sources are not changed.  Every interposition is opt-in by
 * environment variable; with none set, the shim only passes calls through.
 *
 *  SAR_SEED=<n>        srand(x) -> srand(n).  run.cpp:353 calls srand(5); rand()
 *                      then draws the initial weights (CLDL Neuron.cpp:59).
 *                      Unset: srand(5) as shipped.
 *  SAR_TIMER_MS=<ms>   QObject::startTimer(30) -> startTimer(ms).  Enki.cpp:214
 *                      paces the simulation with a 30 ms wall-clock timer; the
 *                      simulated time per step stays 30 ms (Enki.cpp:1417 uses
 *                      the const member timerPeriodMs, not the timer), so a 0 ms
 *                      timer only removes the real-time wait.
 *  SAR_MAX_STEPS=<n>   counts QGLWidget::updateGL() calls (one per timer tick,
 *                      Enki.cpp:1418, i.e. one world step + one control step) and
 *                      after the n-th calls QCoreApplication::quit() so that the
 *                      program exits normally (files closed by the destructor).
 *  SAR_IGNORE_QUIT=1   QCoreApplication::quit() from the authors' code (the
 *                      success stop, run.cpp:334) is logged to stderr and ignored,
 *                      so the run continues to SAR_MAX_STEPS.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static long env_long(const char *name, long def) {
    const char *s = getenv(name);
    return (s && *s) ? strtol(s, 0, 10) : def;
}

void srand(unsigned int seed) {
    static void (*real)(unsigned int) = 0;
    if (!real) real = (void (*)(unsigned int))dlsym(RTLD_NEXT, "srand");
    const char *s = getenv("SAR_SEED");
    unsigned int used = (s && *s) ? (unsigned int)strtoul(s, 0, 10) : seed;
    fprintf(stderr, "[runshim] srand(%u) -> srand(%u)\n", seed, used);
    real(used);
}

/* int QObject::startTimer(int, Qt::TimerType) */
int _ZN7QObject10startTimerEiN2Qt9TimerTypeE(void *self, int interval, int type) {
    static int (*real)(void *, int, int) = 0;
    if (!real) real = (int (*)(void *, int, int))dlsym(RTLD_NEXT, "_ZN7QObject10startTimerEiN2Qt9TimerTypeE");
    /* only Enki's 30 ms simulation timer (Enki.cpp:214); Qt's own timers untouched */
    int used = (interval == 30) ? (int)env_long("SAR_TIMER_MS", interval) : interval;
    fprintf(stderr, "[runshim] startTimer(%d) -> startTimer(%d)\n", interval, used);
    return real(self, used, type);
}

static int quit_by_shim = 0;

/* static void QCoreApplication::quit() */
void _ZN16QCoreApplication4quitEv(void) {
    static void (*real)(void) = 0;
    if (!real) real = (void (*)(void))dlsym(RTLD_NEXT, "_ZN16QCoreApplication4quitEv");
    if (!quit_by_shim && env_long("SAR_IGNORE_QUIT", 0)) {
        fprintf(stderr, "[runshim] quit() from the program ignored (SAR_IGNORE_QUIT)\n");
        return;
    }
    real();
}

/* void QGLWidget::updateGL() */
void _ZN9QGLWidget8updateGLEv(void *self) {
    static void (*real)(void *) = 0;
    static long count = 0, maxSteps = -2;
    if (!real) real = (void (*)(void *))dlsym(RTLD_NEXT, "_ZN9QGLWidget8updateGLEv");
    if (maxSteps == -2) maxSteps = env_long("SAR_MAX_STEPS", -1);
    real(self);
    count++;
    if (maxSteps > 0 && count == maxSteps) {
        fprintf(stderr, "[runshim] %ld timer steps reached, quitting\n", count);
        quit_by_shim = 1;
        _ZN16QCoreApplication4quitEv();
    }
}
