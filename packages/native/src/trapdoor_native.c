/*
 * @trapdoor-js/native: a signal watcher for trapdoor (see README.md, "Mechanism").
 *
 *   signal ──▶ on_signal(): sem_post() (async-signal-safe), unless a user's listener owns
 *              the signal now (an atomic flag)
 *                 │
 *                 ▼
 *   dispatcher thread (one per watched signal number, blocked in sem_wait)
 *     for every watcher registered on that signal, under g_lock:
 *       __atomic_fetch_or(control word, bits)   ← a busy JS thread sees it at its next check
 *       napi_call_threadsafe_function()         ← an idle JS thread runs onSignal when its
 *                                                  event loop turns (the TSFN is unref'd)
 *
 * One process-wide handler per signal number fans out to every watcher, whichever JS thread
 * (main, worker) started it; each watcher has its own control word and its own TSFN.
 *
 * Locks: g_lifecycle serialises start/stop/suspend/resume (JS threads only; it is held while
 * a dispatcher thread is joined). g_lock guards the watcher lists and is the only lock the
 * dispatcher threads take, so joining one while holding g_lifecycle cannot deadlock.
 * Order: g_lifecycle before g_lock.
 */
#define _GNU_SOURCE /* dladdr */
#define NAPI_VERSION 4
#include <node_api.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#define TD_SUPPORTED 0
#else
#define TD_SUPPORTED 1
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#if defined(__APPLE__)
/* macOS has no unnamed POSIX semaphores; Mach semaphores are safe to signal from a handler. */
#include <mach/mach.h>
#include <mach/semaphore.h>
#include <mach/task.h>
typedef semaphore_t td_sem;
static int td_sem_init(td_sem *s) {
  return semaphore_create(mach_task_self(), s, SYNC_POLICY_FIFO, 0) == KERN_SUCCESS ? 0 : -1;
}
static void td_sem_post(td_sem *s) { semaphore_signal(*s); }
/* 0 when a post was taken; -1 with errno EINTR to retry. */
static int td_sem_wait(td_sem *s) {
  kern_return_t r = semaphore_wait(*s);
  if (r == KERN_SUCCESS) return 0;
  errno = EINTR;
  return -1;
}
static int td_sem_trywait(td_sem *s) {
  mach_timespec_t zero = {0, 0};
  return semaphore_timedwait(*s, zero) == KERN_SUCCESS ? 0 : -1;
}
#else
#include <semaphore.h>
typedef sem_t td_sem;
static int td_sem_init(td_sem *s) { return sem_init(s, 0, 0); }
static void td_sem_post(td_sem *s) { sem_post(s); }
static int td_sem_wait(td_sem *s) { return sem_wait(s); }
static int td_sem_trywait(td_sem *s) { return sem_trywait(s); }
#endif
#endif

#define CHECK_NAPI(env, call)                                   \
  do {                                                          \
    if ((call) != napi_ok) {                                    \
      throw_last(env, #call);                                   \
      return NULL;                                              \
    }                                                           \
  } while (0)

static void throw_last(napi_env env, const char *what) {
  const napi_extended_error_info *info = NULL;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  napi_get_last_error_info(env, &info);
  char msg[256];
  snprintf(msg, sizeof msg, "%s failed: %s", what,
           info && info->error_message ? info->error_message : "unknown Node-API error");
  napi_throw_error(env, "ERR_TRAPDOOR_NATIVE", msg);
}

/* ---------------------------------------------------------------------------------------- */
/* Signal names. Only names this platform defines are listed.                                */

typedef struct {
  const char *name;
  int number;
} signal_name;

static const signal_name SIGNALS[] = {
#if TD_SUPPORTED
    {"SIGHUP", SIGHUP},     {"SIGINT", SIGINT},     {"SIGQUIT", SIGQUIT},   {"SIGILL", SIGILL},
    {"SIGTRAP", SIGTRAP},   {"SIGABRT", SIGABRT},   {"SIGBUS", SIGBUS},     {"SIGFPE", SIGFPE},
    {"SIGKILL", SIGKILL},   {"SIGUSR1", SIGUSR1},   {"SIGSEGV", SIGSEGV},   {"SIGUSR2", SIGUSR2},
    {"SIGPIPE", SIGPIPE},   {"SIGALRM", SIGALRM},   {"SIGTERM", SIGTERM},   {"SIGCHLD", SIGCHLD},
    {"SIGCONT", SIGCONT},   {"SIGSTOP", SIGSTOP},   {"SIGTSTP", SIGTSTP},   {"SIGTTIN", SIGTTIN},
    {"SIGTTOU", SIGTTOU},   {"SIGURG", SIGURG},     {"SIGXCPU", SIGXCPU},   {"SIGXFSZ", SIGXFSZ},
    {"SIGVTALRM", SIGVTALRM}, {"SIGPROF", SIGPROF}, {"SIGWINCH", SIGWINCH}, {"SIGSYS", SIGSYS},
#ifdef SIGIO
    {"SIGIO", SIGIO},
#endif
#ifdef SIGPOLL
    {"SIGPOLL", SIGPOLL},
#endif
#ifdef SIGPWR
    {"SIGPWR", SIGPWR},
#endif
#ifdef SIGSTKFLT
    {"SIGSTKFLT", SIGSTKFLT},
#endif
#ifdef SIGINFO
    {"SIGINFO", SIGINFO},
#endif
#ifdef SIGEMT
    {"SIGEMT", SIGEMT},
#endif
#endif
    {NULL, 0}};

static int signal_number(const char *name) {
  for (const signal_name *s = SIGNALS; s->name; s++)
    if (strcmp(s->name, name) == 0) return s->number;
  return -1;
}

#if TD_SUPPORTED

/* ---------------------------------------------------------------------------------------- */
/* State                                                                                      */

#define MAX_SIGNAL 65 /* >= NSIG on Linux and macOS; numbers are checked against it. */

typedef struct watcher {
  struct watcher *next_in_slot; /* guarded by g_lock */
  struct watcher *next_in_all;  /* guarded by g_lock */
  uint32_t id;
  int signo;
  int linked;                   /* in its slot's list (guarded by g_lock) */
  int active;                   /* atomic: onSignal may still be called */
  int pending;                  /* atomic: a TSFN call is queued and not yet run */
  int32_t *word;
  int32_t bits;
  napi_env env;
  int main_thread;              /* started on the process's main thread: its teardown is the exit */
  napi_ref array_ref;           /* keeps the Int32Array (and its SharedArrayBuffer) alive */
  napi_threadsafe_function tsfn;
  int ffi;                      /* started through the C entry points (Deno's FFI): no tsfn, see TD_FFI_START */
} watcher;


typedef struct dispatcher {
  pthread_t thread;
  int stopping; /* atomic */
  int signo;
} dispatcher;

typedef struct slot {
  td_sem sem;            /* posted by the handler; never destroyed */
  int sem_ready;
  int installed;         /* our handler was installed by us and not yet restored */
  int suspended;         /* atomic: a user listener owns the signal; drop deliveries */
  struct sigaction previous;
  watcher *head;         /* guarded by g_lock */
  int count;             /* guarded by g_lock */
  dispatcher *disp;      /* guarded by g_lifecycle */
  uint64_t deliveries;   /* atomic: dispatcher wake-ups, for tests and diagnostics */
} slot;

static slot g_slots[MAX_SIGNAL];
static watcher *g_all = NULL;
static uint32_t g_next_id = 1;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t g_lifecycle = PTHREAD_MUTEX_INITIALIZER;

/* The handler: one atomic load and sem_post, both async-signal-safe. Whether a user's
 * listener owns the signal is decided here, at delivery, not later in the dispatcher thread,
 * which may run after the listener has come or gone. */
static void on_signal(int signo) {
  int saved = errno;
  if (signo > 0 && signo < MAX_SIGNAL && !__atomic_load_n(&g_slots[signo].suspended, __ATOMIC_ACQUIRE))
    td_sem_post(&g_slots[signo].sem);
  errno = saved;
}

static int handler_is_ours(const struct sigaction *sa) {
  return !(sa->sa_flags & SA_SIGINFO) && sa->sa_handler == on_signal;
}

/* "default", "ignored", "trapdoor" or "other" */
static const char *disposition_name(int signo) {
  struct sigaction cur;
  if (sigaction(signo, NULL, &cur) != 0) return "unknown";
  if (handler_is_ours(&cur)) return "trapdoor";
  if (cur.sa_flags & SA_SIGINFO) return "other";
  if (cur.sa_handler == SIG_DFL) return "default";
  if (cur.sa_handler == SIG_IGN) return "ignored";
  return "other";
}

static void *dispatch_main(void *arg) {
  dispatcher *d = (dispatcher *)arg;
  slot *s = &g_slots[d->signo];
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  for (;;) {
    if (td_sem_wait(&s->sem) != 0) continue; /* EINTR */
    while (td_sem_trywait(&s->sem) == 0) {
      /* coalesce a storm into one round */
    }
    if (__atomic_load_n(&d->stopping, __ATOMIC_ACQUIRE)) break;
    __atomic_add_fetch(&s->deliveries, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&g_lock);
    /* A delivery caught before a suspend_signal, dispatched after it: dropped as well. */
    for (watcher *w = __atomic_load_n(&s->suspended, __ATOMIC_ACQUIRE) ? NULL : s->head; w; w = w->next_in_slot) {
      __atomic_fetch_or(w->word, w->bits, __ATOMIC_SEQ_CST);
      if (w->ffi) continue; /* the word only: Deno's own signal listener wakes the JS thread */
      if (__atomic_exchange_n(&w->pending, 1, __ATOMIC_ACQ_REL) == 0) {
        if (napi_call_threadsafe_function(w->tsfn, NULL, napi_tsfn_nonblocking) != napi_ok)
          __atomic_store_n(&w->pending, 0, __ATOMIC_RELEASE);
      }
    }
    pthread_mutex_unlock(&g_lock);
  }
  return NULL;
}

/* With g_lifecycle held. 0 or an errno. */
static int install(int signo) {
  slot *s = &g_slots[signo];
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART | SA_ONSTACK;
  struct sigaction prev;
  if (sigaction(signo, &sa, &prev) != 0) return errno;
  if (!handler_is_ours(&prev)) s->previous = prev;
  s->installed = 1;
  return 0;
}

/* With g_lifecycle held: put back what was there, unless someone replaced our handler since
 * (Node's libuv does when a listener is added), in which case theirs stays. */
static void restore(int signo) {
  slot *s = &g_slots[signo];
  if (!s->installed) return;
  struct sigaction cur;
  if (sigaction(signo, NULL, &cur) == 0 && handler_is_ours(&cur)) sigaction(signo, &s->previous, NULL);
  s->installed = 0;
}

/* With g_lifecycle held. */
static int start_dispatcher(int signo) {
  slot *s = &g_slots[signo];
  if (s->disp) return 0;
  while (td_sem_trywait(&s->sem) == 0) {
    /* drop posts left from an earlier life of this slot */
  }
  dispatcher *d = (dispatcher *)calloc(1, sizeof *d);
  if (!d) return ENOMEM;
  d->signo = signo;
  int r = pthread_create(&d->thread, NULL, dispatch_main, d);
  if (r != 0) {
    free(d);
    return r;
  }
  s->disp = d;
  return 0;
}

/* With g_lifecycle held (not g_lock: the thread may be waiting for it). */
static void stop_dispatcher(int signo) {
  slot *s = &g_slots[signo];
  dispatcher *d = s->disp;
  if (!d) return;
  s->disp = NULL;
  __atomic_store_n(&d->stopping, 1, __ATOMIC_RELEASE);
  td_sem_post(&s->sem);
  pthread_join(d->thread, NULL);
  free(d);
}

/* With g_lifecycle held. Takes w out of its slot; the last one out restores the signal's
 * disposition (unless `keep_handler`) and ends the dispatcher thread. Returns 1 if it was linked. */
static int unlink_watcher(watcher *w, int keep_handler) {
  int signo = w->signo;
  slot *s = &g_slots[signo];
  int last = 0;
  pthread_mutex_lock(&g_lock);
  if (!w->linked) {
    pthread_mutex_unlock(&g_lock);
    return 0;
  }
  for (watcher **p = &s->head; *p; p = &(*p)->next_in_slot) {
    if (*p == w) {
      *p = w->next_in_slot;
      break;
    }
  }
  w->linked = 0;
  __atomic_store_n(&w->active, 0, __ATOMIC_RELEASE);
  last = --s->count == 0;
  pthread_mutex_unlock(&g_lock);
  if (last) {
    if (!keep_handler) restore(signo);
    stop_dispatcher(signo);
    __atomic_store_n(&s->suspended, 0, __ATOMIC_RELEASE);
  }
  return 1;
}

static void remove_from_all(watcher *w) {
  pthread_mutex_lock(&g_lock);
  for (watcher **p = &g_all; *p; p = &(*p)->next_in_all) {
    if (*p == w) {
      *p = w->next_in_all;
      break;
    }
  }
  pthread_mutex_unlock(&g_lock);
}

/* TSFN finalizer: on the watcher's JS thread, after stop() released the TSFN or when the
 * thread's environment is torn down (a worker ending). After it, nothing refers to w. */
static void tsfn_finalize(napi_env env, void *data, void *hint) {
  (void)data;
  watcher *w = (watcher *)hint;
  pthread_mutex_lock(&g_lifecycle);
  unlink_watcher(w, w->main_thread); /* still linked only at teardown */
  pthread_mutex_unlock(&g_lifecycle);
  remove_from_all(w);
  if (w->array_ref) napi_delete_reference(env, w->array_ref);
  free(w);
}

static void tsfn_call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)data;
  watcher *w = (watcher *)context;
  if (!w) return;
  __atomic_store_n(&w->pending, 0, __ATOMIC_RELEASE);
  if (env == NULL || js_cb == NULL) return;
  if (!__atomic_load_n(&w->active, __ATOMIC_ACQUIRE)) return;
  napi_value undefined, result;
  napi_get_undefined(env, &undefined);
  if (napi_call_function(env, undefined, js_cb, 0, NULL, &result) == napi_pending_exception) {
    napi_value error;
    if (napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
  }
}

/* Environment teardown (a worker ending, process exit): make this env's watchers unreachable
 * before its TSFNs go away. Their memory is freed by tsfn_finalize if it still runs.
 * The main thread's teardown is the process exiting: there the handler stays installed (it only
 * posts a semaphore no one waits on any more), because putting back the default disposition
 * would let a signal that arrives in the last milliseconds of the exit (a second `trapdoor
 * attach`, a storm of `kill -USR2`) kill a process that is ending normally, with the wrong
 * status. */
static void env_cleanup(void *arg) {
  napi_env env = (napi_env)arg;
  pthread_mutex_lock(&g_lifecycle);
  for (;;) {
    watcher *found = NULL;
    pthread_mutex_lock(&g_lock);
    for (watcher *w = g_all; w; w = w->next_in_all)
      if (w->env == env && w->linked) {
        found = w;
        break;
      }
    pthread_mutex_unlock(&g_lock);
    if (!found) break;
    unlink_watcher(found, found->main_thread);
  }
  pthread_mutex_unlock(&g_lifecycle);
}

/* Links w (its signo, word and bits set) into its slot: the first watcher of a signal starts
 * its dispatcher and installs the handler. 0 or an errno (then w is not linked). */
static int link_watcher(watcher *w) {
  pthread_mutex_lock(&g_lifecycle);
  int signo = w->signo;
  slot *s = &g_slots[signo];
  int err = 0;
  if (!s->sem_ready) {
    if (td_sem_init(&s->sem) != 0) err = errno ? errno : ENOMEM;
    else s->sem_ready = 1;
  }
  int first = !err && s->count == 0;
  if (first) {
    __atomic_store_n(&s->suspended, 0, __ATOMIC_RELEASE);
    err = start_dispatcher(signo);
  }
  if (!err) {
    /* Linked before the handler goes in, so no delivery after install() misses it. */
    pthread_mutex_lock(&g_lock);
    w->id = g_next_id++;
    w->next_in_slot = s->head;
    s->head = w;
    s->count++;
    w->linked = 1;
    w->next_in_all = g_all;
    g_all = w;
    pthread_mutex_unlock(&g_lock);
    if (first) {
      err = install(signo);
      if (err) {
        pthread_mutex_lock(&g_lock);
        s->head = w->next_in_slot;
        s->count--;
        w->linked = 0;
        g_all = w->next_in_all;
        pthread_mutex_unlock(&g_lock);
        stop_dispatcher(signo);
      }
    }
  }
  pthread_mutex_unlock(&g_lifecycle);
  return err;
}

/* A user's listener now owns the signal: deliveries are dropped, from the return on (the
 * dispatcher checks under g_lock too, so no round still under way sets a word after it: Deno's
 * runtime suspends its watchers before it frees their words). */
static void suspend_signal(int signo) {
  pthread_mutex_lock(&g_lifecycle);
  if (g_slots[signo].count > 0) __atomic_store_n(&g_slots[signo].suspended, 1, __ATOMIC_RELEASE);
  pthread_mutex_lock(&g_lock);
  pthread_mutex_unlock(&g_lock);
  pthread_mutex_unlock(&g_lifecycle);
}

/* The user's last listener is gone: see js_resume. */
static void resume_signal(int signo) {
  pthread_mutex_lock(&g_lifecycle);
  slot *s = &g_slots[signo];
  if (s->count > 0) {
    struct sigaction cur;
    if (sigaction(signo, NULL, &cur) == 0 && !handler_is_ours(&cur) && !(cur.sa_flags & SA_SIGINFO) &&
        (cur.sa_handler == SIG_DFL || cur.sa_handler == SIG_IGN)) {
      int installed = s->installed;
      struct sigaction previous = s->previous;
      if (install(signo) == 0 && installed) s->previous = previous; /* keep the original one */
    }
    __atomic_store_n(&s->suspended, 0, __ATOMIC_RELEASE);
  }
  pthread_mutex_unlock(&g_lifecycle);
}

/* ---------------------------------------------------------------------------------------- */
/* Deadline watcher: the other thread of @trapdoor-js/runtime/deadline, as a plain pthread.   */
/*                                                                                            */
/* A JS thread whose test is stuck in a synchronous loop cannot time itself out; this thread  */
/* waits until the deadline the JS thread wrote into its control block (a Date.now() time in  */
/* two words, with a generation word), then stores the generation in the "fired" word and ORs */
/* the request bit: the JS thread's next check traps. The same loop as the runtime's worker   */
/* (runtime/src/deadline-watcher.ts), without a JS thread of its own: starting a Worker costs  */
/* a process about 20 ms of CPU, this a pthread. JS cannot wake a native thread with           */
/* Atomics.notify, so arming calls deadlineWake() (a mutex and a condition variable).         */

typedef struct deadline_watcher {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  uint32_t wakes; /* guarded by lock: bumped by each deadlineWake() */
  int stopping;   /* guarded by lock */
  int32_t *block;
  int32_t request, seq, at_high, at_low, fired, bit; /* word indices and the bit */
  napi_env env;
  napi_ref array_ref;
} deadline_watcher;

static int64_t realtime_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void *deadline_main(void *arg) {
  deadline_watcher *d = (deadline_watcher *)arg;
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  int32_t *b = d->block;
  pthread_mutex_lock(&d->lock);
  while (!d->stopping) {
    uint32_t seen = d->wakes;
    int32_t seq = __atomic_load_n(&b[d->seq], __ATOMIC_SEQ_CST);
    int64_t at = (int64_t)__atomic_load_n(&b[d->at_high], __ATOMIC_SEQ_CST) * 4294967296LL +
                 (int64_t)(uint32_t)__atomic_load_n(&b[d->at_low], __ATOMIC_SEQ_CST);
    /* Written while we read (high, low and the generation are three stores): read again. */
    if (__atomic_load_n(&b[d->seq], __ATOMIC_SEQ_CST) != seq) continue;
    if (at == 0 || __atomic_load_n(&b[d->fired], __ATOMIC_SEQ_CST) == seq) {
      /* Nothing armed, or this generation fired already: until the next arm. */
      while (d->wakes == seen && !d->stopping) pthread_cond_wait(&d->cond, &d->lock);
      continue;
    }
    if (at > realtime_ms()) {
      /* Until the deadline or the next arm (a disarm does not wake us: at the old deadline we
       * see that nothing is armed). Date.now() is the realtime clock, as the condition's. */
      struct timespec until = {(time_t)(at / 1000), (long)(at % 1000) * 1000000L};
      int r = 0;
      while (d->wakes == seen && !d->stopping && r != ETIMEDOUT) r = pthread_cond_timedwait(&d->cond, &d->lock, &until);
      continue;
    }
    /* Passed. The generation first: the thread trusts the bit only while FIRED is the current one. */
    __atomic_store_n(&b[d->fired], seq, __ATOMIC_SEQ_CST);
    __atomic_fetch_or(&b[d->request], d->bit, __ATOMIC_SEQ_CST);
  }
  pthread_mutex_unlock(&d->lock);
  return NULL;
}

/* Environment teardown (a worker ending, process exit): the thread ends before the block can go. */
static void deadline_cleanup(void *arg) {
  deadline_watcher *d = (deadline_watcher *)arg;
  pthread_mutex_lock(&d->lock);
  d->stopping = 1;
  pthread_cond_signal(&d->cond);
  pthread_mutex_unlock(&d->lock);
  pthread_join(d->thread, NULL);
  napi_delete_reference(d->env, d->array_ref);
  pthread_cond_destroy(&d->cond);
  pthread_mutex_destroy(&d->lock);
  free(d);
}

#endif /* TD_SUPPORTED */

/* ---------------------------------------------------------------------------------------- */
/* JS functions                                                                               */

static napi_value get_string_arg(napi_env env, napi_value v, char *buf, size_t size) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, buf, size, &len) != napi_ok) {
    napi_throw_type_error(env, "ERR_TRAPDOOR_INVALID_ARG", "expected a string");
    return NULL;
  }
  return v;
}

/* signalNumber(name) → number, or -1 when this platform has no such signal. */
static napi_value js_signal_number(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  char name[32] = {0};
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !get_string_arg(env, argv[0], name, sizeof name)) return NULL;
  CHECK_NAPI(env, napi_create_int32(env, signal_number(name), &out));
  return out;
}

static int32_t arg_int32(napi_env env, napi_value v) {
  int32_t n = -1;
  napi_get_value_int32(env, v, &n);
  return n;
}

/* disposition(signo) → "default" | "ignored" | "trapdoor" | "other" */
static napi_value js_disposition(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
#if TD_SUPPORTED
  int32_t signo = argc ? arg_int32(env, argv[0]) : -1;
  const char *d = signo > 0 && signo < MAX_SIGNAL ? disposition_name(signo) : "unknown";
#else
  const char *d = "unknown";
#endif
  CHECK_NAPI(env, napi_create_string_utf8(env, d, NAPI_AUTO_LENGTH, &out));
  return out;
}

#if TD_SUPPORTED
static void throw_errno(napi_env env, const char *code, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, code, msg);
}
#endif

/* start(signo, int32Array, index, bits, onSignal[, mainThread]) → watcher id (number) */
static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6], out;
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
#if !TD_SUPPORTED
  napi_throw_error(env, "ERR_TRAPDOOR_NATIVE_UNAVAILABLE", "signals are not supported on this platform");
  return NULL;
#else
  if (argc < 5) {
    napi_throw_type_error(env, "ERR_TRAPDOOR_INVALID_ARG", "start() takes 5 arguments");
    return NULL;
  }
  int32_t signo = arg_int32(env, argv[0]);
  if (signo <= 0 || signo >= MAX_SIGNAL) {
    napi_throw_range_error(env, "ERR_TRAPDOOR_SIGNAL", "signal number out of range");
    return NULL;
  }
  bool is_ta = false;
  napi_is_typedarray(env, argv[1], &is_ta);
  if (!is_ta) {
    napi_throw_type_error(env, "ERR_TRAPDOOR_INVALID_ARG", "control must be an Int32Array");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void *data = NULL;
  napi_value buffer;
  CHECK_NAPI(env, napi_get_typedarray_info(env, argv[1], &type, &length, &data, &buffer, &offset));
  if (type != napi_int32_array || data == NULL) {
    napi_throw_type_error(env, "ERR_TRAPDOOR_INVALID_ARG", "control must be a non-empty Int32Array");
    return NULL;
  }
  int32_t index = arg_int32(env, argv[2]);
  if (index < 0 || (size_t)index >= length) {
    napi_throw_range_error(env, "ERR_TRAPDOOR_INVALID_ARG", "index is outside the control block");
    return NULL;
  }
  int32_t bits = arg_int32(env, argv[3]);
  napi_valuetype fn_type;
  CHECK_NAPI(env, napi_typeof(env, argv[4], &fn_type));
  if (fn_type != napi_function) {
    napi_throw_type_error(env, "ERR_TRAPDOOR_INVALID_ARG", "onSignal must be a function");
    return NULL;
  }

  watcher *w = (watcher *)calloc(1, sizeof *w);
  if (!w) {
    napi_throw_error(env, "ERR_TRAPDOOR_NATIVE", "out of memory");
    return NULL;
  }
  w->signo = signo;
  w->word = (int32_t *)data + index; /* data already includes the byte offset */
  w->bits = bits;
  w->env = env;
  w->active = 1;
  if (argc >= 6) {
    bool main_thread = false;
    if (napi_get_value_bool(env, argv[5], &main_thread) == napi_ok) w->main_thread = main_thread;
  }
  if (napi_create_reference(env, argv[1], 1, &w->array_ref) != napi_ok) {
    free(w);
    throw_last(env, "napi_create_reference");
    return NULL;
  }
  napi_value name;
  napi_create_string_utf8(env, "trapdoor signal watcher", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[4], NULL, name, 0, 1, NULL, tsfn_finalize, w,
                                      tsfn_call_js, &w->tsfn) != napi_ok) {
    napi_delete_reference(env, w->array_ref);
    free(w);
    throw_last(env, "napi_create_threadsafe_function");
    return NULL;
  }
  /* Never keep a process (or worker) alive. */
  napi_unref_threadsafe_function(env, w->tsfn);

  int err = link_watcher(w);
  if (err) {
    /* The finalizer frees w; it was never linked. Keep w off g_all so nothing finds it. */
    w->active = 0;
    napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
    throw_errno(env, "ERR_TRAPDOOR_NATIVE", "could not start the signal watcher", err);
    return NULL;
  }
  CHECK_NAPI(env, napi_create_uint32(env, w->id, &out));
  return out;
#endif
}

/* stop(id) → true if it was running */
static napi_value js_stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool stopped = false;
#if TD_SUPPORTED
  uint32_t id = 0;
  if (argc) napi_get_value_uint32(env, argv[0], &id);
  pthread_mutex_lock(&g_lifecycle);
  watcher *found = NULL;
  pthread_mutex_lock(&g_lock);
  for (watcher *w = g_all; w; w = w->next_in_all)
    if (w->id == id && w->env == env) {
      found = w;
      break;
    }
  pthread_mutex_unlock(&g_lock);
  if (found && unlink_watcher(found, 0)) stopped = true;
  pthread_mutex_unlock(&g_lifecycle);
  /* Unlinked: no dispatcher calls it again. Released outside the lock, since a runtime may
   * run the finalizer (which takes the lock and frees the watcher) right here. */
  if (stopped) napi_release_threadsafe_function(found->tsfn, napi_tsfn_abort);
#endif
  CHECK_NAPI(env, napi_get_boolean(env, stopped, &out));
  return out;
}

/* suspend(signo): a user's listener now owns the signal; deliveries are dropped. */
static napi_value js_suspend(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
#if TD_SUPPORTED
  int32_t signo = argc ? arg_int32(env, argv[0]) : -1;
  if (signo > 0 && signo < MAX_SIGNAL) suspend_signal(signo);
#endif
  return NULL;
}

/* resume(signo): the user's last listener is gone. If the runtime reset the signal to its
 * default (Node/libuv does), put our handler back; if a foreign handler is still installed
 * (one that chains to ours), leave it. → the disposition afterwards */
static napi_value js_resume(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  const char *d = "unknown";
#if TD_SUPPORTED
  int32_t signo = argc ? arg_int32(env, argv[0]) : -1;
  if (signo > 0 && signo < MAX_SIGNAL) {
    resume_signal(signo);
    d = disposition_name(signo);
  }
#endif
  CHECK_NAPI(env, napi_create_string_utf8(env, d, NAPI_AUTO_LENGTH, &out));
  return out;
}

/* stats(signo) → { watchers, deliveries, suspended } for tests and diagnostics */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out, v;
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK_NAPI(env, napi_create_object(env, &out));
#if TD_SUPPORTED
  int32_t signo = argc ? arg_int32(env, argv[0]) : -1;
  if (signo > 0 && signo < MAX_SIGNAL) {
    slot *s = &g_slots[signo];
    pthread_mutex_lock(&g_lock);
    int count = s->count;
    pthread_mutex_unlock(&g_lock);
    napi_create_int32(env, count, &v);
    napi_set_named_property(env, out, "watchers", v);
    napi_create_double(env, (double)__atomic_load_n(&s->deliveries, __ATOMIC_RELAXED), &v);
    napi_set_named_property(env, out, "deliveries", v);
    napi_get_boolean(env, __atomic_load_n(&s->suspended, __ATOMIC_ACQUIRE) != 0, &v);
    napi_set_named_property(env, out, "suspended", v);
  }
#endif
  return out;
}

/* deadlineStart(int32Array, request, seq, atHigh, atLow, fired, bit) → a handle for deadlineWake.
 * One per JS thread (the caller keeps it); it runs until the thread's environment ends. */
static napi_value js_deadline_start(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7], out;
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
#if !TD_SUPPORTED
  napi_throw_error(env, "ERR_TRAPDOOR_NATIVE_UNAVAILABLE", "threads are not supported on this platform");
  return NULL;
#else
  if (argc < 7) {
    napi_throw_type_error(env, "ERR_TRAPDOOR_INVALID_ARG", "deadlineStart() takes 7 arguments");
    return NULL;
  }
  bool is_ta = false;
  napi_is_typedarray(env, argv[0], &is_ta);
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void *data = NULL;
  napi_value buffer;
  if (is_ta) CHECK_NAPI(env, napi_get_typedarray_info(env, argv[0], &type, &length, &data, &buffer, &offset));
  if (!is_ta || type != napi_int32_array || data == NULL) {
    napi_throw_type_error(env, "ERR_TRAPDOOR_INVALID_ARG", "control must be a non-empty Int32Array");
    return NULL;
  }
  int32_t words[5];
  for (int i = 0; i < 5; i++) {
    words[i] = arg_int32(env, argv[1 + i]);
    if (words[i] < 0 || (size_t)words[i] >= length) {
      napi_throw_range_error(env, "ERR_TRAPDOOR_INVALID_ARG", "a word index is outside the control block");
      return NULL;
    }
  }
  deadline_watcher *d = (deadline_watcher *)calloc(1, sizeof *d);
  if (!d) {
    napi_throw_error(env, "ERR_TRAPDOOR_NATIVE", "out of memory");
    return NULL;
  }
  d->block = (int32_t *)data;
  d->request = words[0];
  d->seq = words[1];
  d->at_high = words[2];
  d->at_low = words[3];
  d->fired = words[4];
  d->bit = arg_int32(env, argv[6]);
  d->env = env;
  pthread_mutex_init(&d->lock, NULL);
  pthread_cond_init(&d->cond, NULL);
  if (napi_create_reference(env, argv[0], 1, &d->array_ref) != napi_ok) {
    free(d);
    throw_last(env, "napi_create_reference");
    return NULL;
  }
  int err = pthread_create(&d->thread, NULL, deadline_main, d);
  if (err != 0) {
    napi_delete_reference(env, d->array_ref);
    free(d);
    throw_errno(env, "ERR_TRAPDOOR_NATIVE", "could not start the deadline watcher thread", err);
    return NULL;
  }
  napi_add_env_cleanup_hook(env, deadline_cleanup, d);
  CHECK_NAPI(env, napi_create_external(env, d, NULL, NULL, &out));
  return out;
#endif
}

/* deadlineWake(handle): the deadline words changed; the watcher reads them again. */
static napi_value js_deadline_wake(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
#if TD_SUPPORTED
  void *data = NULL;
  if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "ERR_TRAPDOOR_INVALID_ARG", "expected the handle deadlineStart() returned");
    return NULL;
  }
  deadline_watcher *d = (deadline_watcher *)data;
  pthread_mutex_lock(&d->lock);
  d->wakes++;
  pthread_cond_signal(&d->cond);
  pthread_mutex_unlock(&d->lock);
#endif
  return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* The runtime's state-file operations (packages/runtime/src/host-fs.ts), for Bun: there the   */
/* runtime would otherwise load node:fs for them alone, which costs an idle Bun process about  */
/* 4 MiB resident and a thread (bench/startup.mjs's memory rows), while this addon is loaded   */
/* anyway for the signal watcher. Each returns 0 or an errno (lstat: an array or the errno).  */

#if TD_SUPPORTED
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_ARG(env, value, buf)                                                        \
  do {                                                                                   \
    size_t len_ = 0;                                                                     \
    if (napi_get_value_string_utf8(env, value, buf, sizeof buf, &len_) != napi_ok ||     \
        len_ >= sizeof buf - 1) {                                                        \
      napi_throw_type_error(env, "ERR_TRAPDOOR_INVALID_ARG", "expected a path string");  \
      return NULL;                                                                       \
    }                                                                                    \
  } while (0)

static napi_value int_result(napi_env env, int value) {
  napi_value out;
  napi_create_int32(env, value, &out);
  return out;
}

/* fsMkdir(path, mode) */
static napi_value js_fs_mkdir(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char path[4096];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return int_result(env, EINVAL);
  PATH_ARG(env, argv[0], path);
  return int_result(env, mkdir(path, (mode_t)arg_int32(env, argv[1])) == 0 ? 0 : errno);
}

/* fsLstat(path) → [isDirectory, uid, mode], or the errno */
static napi_value js_fs_lstat(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out, v;
  char path[4096];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return int_result(env, EINVAL);
  PATH_ARG(env, argv[0], path);
  struct stat st;
  if (lstat(path, &st) != 0) return int_result(env, errno);
  CHECK_NAPI(env, napi_create_array_with_length(env, 3, &out));
  napi_get_boolean(env, S_ISDIR(st.st_mode), &v);
  napi_set_element(env, out, 0, v);
  napi_create_double(env, (double)st.st_uid, &v);
  napi_set_element(env, out, 1, v);
  napi_create_double(env, (double)st.st_mode, &v);
  napi_set_element(env, out, 2, v);
  return out;
}

/* fsUnlink(path) */
static napi_value js_fs_unlink(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[4096];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return int_result(env, EINVAL);
  PATH_ARG(env, argv[0], path);
  return int_result(env, unlink(path) == 0 ? 0 : errno);
}

/* fsRename(from, to) */
static napi_value js_fs_rename(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char from[4096], to[4096];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return int_result(env, EINVAL);
  PATH_ARG(env, argv[0], from);
  PATH_ARG(env, argv[1], to);
  return int_result(env, rename(from, to) == 0 ? 0 : errno);
}

/* fsReadDir(path) → the names in it (not . and ..), or the errno */
static napi_value js_fs_read_dir(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out, name;
  char path[4096];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return int_result(env, EINVAL);
  PATH_ARG(env, argv[0], path);
  DIR *dir = opendir(path);
  if (!dir) return int_result(env, errno);
  CHECK_NAPI(env, napi_create_array(env, &out));
  uint32_t count = 0;
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    if (napi_create_string_utf8(env, entry->d_name, NAPI_AUTO_LENGTH, &name) == napi_ok) napi_set_element(env, out, count++, name);
  }
  closedir(dir);
  return out;
}

/* fsWriteNew(path, text, mode): a new file (O_EXCL: never a symlink planted under the name). */
static napi_value js_fs_write_new(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  char path[4096];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) return int_result(env, EINVAL);
  PATH_ARG(env, argv[0], path);
  size_t size = 0;
  CHECK_NAPI(env, napi_get_value_string_utf8(env, argv[1], NULL, 0, &size));
  char *text = (char *)malloc(size + 1);
  if (!text) return int_result(env, ENOMEM);
  napi_get_value_string_utf8(env, argv[1], text, size + 1, &size);
  int err = 0;
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)arg_int32(env, argv[2]));
  if (fd < 0) err = errno;
  for (size_t done = 0; !err && done < size;) {
    ssize_t n = write(fd, text + done, size - done);
    if (n < 0 && errno != EINTR) err = errno;
    else if (n > 0) done += (size_t)n;
  }
  if (fd >= 0 && close(fd) != 0 && !err) err = errno;
  free(text);
  return int_result(env, err);
}
#endif

/* ---------------------------------------------------------------------------------------- */
/* A plain C entry point, for Deno's FFI (Deno.dlopen of this same file).                     */
/*                                                                                            */
/* Loading the addon through Node-API on Deno needs Deno's CommonJS loader (`require`), which */
/* costs an idle process about 2.3 MiB resident (1.2 MiB of it private). The same watchers as  */
/* the Node-API functions above (one handler and dispatcher per signal, shared with Node-API  */
/* watchers in the process), without a TSFN: the dispatcher only sets the word, and the JS     */
/* thread is woken by a Deno signal listener of the caller's (Deno's handler, installed after  */
/* ours, calls ours first): no thread of ours calls into JS (a Deno.UnsafeCallback is freed   */
/* when Deno tears its runtime down, before the process exits). One function                  */
/* taking a struct by value, because Deno compiles a fast-call trampoline for each symbol      */
/* whose arguments are all scalars, and the first one pages in 2.3 MiB of Deno's compiler      */
/* (measured like bench/startup.mjs's memory rows); a struct argument goes through libffi.    */
/* A watcher started here has no environment to end with: it is stopped by TD_FFI_STOP or     */
/* lives until the process exits (the runtime starts it on the main thread only, and suspends */
/* it when the program ends, before Deno frees the word). Names and                           */
/* arguments are checked by the caller (packages/runtime/src/native-ffi.ts), as index.cjs     */
/* checks them for the Node-API functions.                                                    */

#if defined(_WIN32)
#define TD_EXPORT __declspec(dllexport)
#else
#define TD_EXPORT __attribute__((visibility("default")))
#endif

enum {
  TD_FFI_SUPPORTED = 0,     /* → 1 where this platform has POSIX signals */
  TD_FFI_SIGNAL_NUMBER = 1, /* a: a NUL-terminated name → its number, or -1 */
  TD_FFI_DISPOSITION = 2,   /* a: signo → 0 default, 1 ignored, 2 trapdoor, 3 other, -1 unknown */
  TD_FFI_START = 3,         /* a: signo, b: int32_t *word, c: bits → id > 0, or -errno */
  TD_FFI_STOP = 4,          /* a: id → 1 if it was running */
  TD_FFI_SUSPEND = 5,       /* a: signo: a user's listener owns the signal now (js_suspend) */
  TD_FFI_RESUME = 6,        /* a: signo: no longer (js_resume) → the disposition afterwards */
  TD_FFI_STRERROR = 7,      /* a: errno, b: char *buffer, c: its size → strerror's text in it */
  TD_FFI_STATS = 8,         /* a: signo, b: int32_t out[3]: watchers, deliveries (low 31 bits), suspended */
};

typedef struct {
  int64_t op, a, b, c, d;
} td_ffi_args;

/* Dispositions as numbers, in TD_FFI_DISPOSITION's order. */
static int32_t disposition_code(const char *name) {
  static const char *const names[] = {"default", "ignored", "trapdoor", "other"};
  for (int32_t i = 0; i < 4; i++)
    if (strcmp(names[i], name) == 0) return i;
  return -1;
}

#if TD_SUPPORTED
static int32_t ffi_disposition(int64_t signo) {
  return signo > 0 && signo < MAX_SIGNAL ? disposition_code(disposition_name((int)signo)) : -1;
}

/* Deno closes a Deno.dlopen'd library when its runtime is torn down, before the process exits
 * (a program's last task done, or its uncaught error; not Deno.exit): our signal handler and
 * dispatcher thread would then be unmapped code, and a signal arriving then a SIGSEGV
 * (packages/runtime/src/fixtures/ffi-exit-race.mjs). So the first FFI watcher opens this file
 * once more, never to be unloaded. */
static void pin_library(void) {
  static int pinned = 0;
  Dl_info info;
  if (__atomic_exchange_n(&pinned, 1, __ATOMIC_ACQ_REL) == 0 && dladdr((void *)&pin_library, &info) != 0 && info.dli_fname != NULL)
    (void)dlopen(info.dli_fname, RTLD_NOW | RTLD_NODELETE);
}

static int32_t ffi_start(int64_t signo, int32_t *word, int64_t bits) {
  if (signo <= 0 || signo >= MAX_SIGNAL || word == NULL) return -EINVAL;
  pin_library();
  watcher *w = (watcher *)calloc(1, sizeof *w);
  if (!w) return -ENOMEM;
  w->signo = (int)signo;
  w->word = word;
  w->bits = (int32_t)bits;
  w->active = 1;
  w->main_thread = 1;
  w->ffi = 1;
  int err = link_watcher(w);
  if (err != 0) {
    free(w);
    return -err;
  }
  return (int32_t)w->id;
}

/* After it, the word is not touched again. */
static int32_t ffi_stop(int64_t id) {
  pthread_mutex_lock(&g_lifecycle);
  watcher *found = NULL;
  pthread_mutex_lock(&g_lock);
  for (watcher *w = g_all; w; w = w->next_in_all)
    if ((int64_t)w->id == id && w->ffi) {
      found = w;
      break;
    }
  pthread_mutex_unlock(&g_lock);
  int stopped = found != NULL && unlink_watcher(found, 0);
  pthread_mutex_unlock(&g_lifecycle);
  if (!found) return 0;
  remove_from_all(found);
  free(found);
  return stopped;
}

static void ffi_stats(int64_t signo, int32_t *out) {
  out[0] = out[1] = out[2] = 0;
  if (signo <= 0 || signo >= MAX_SIGNAL) return;
  slot *s = &g_slots[signo];
  pthread_mutex_lock(&g_lock);
  out[0] = s->count;
  pthread_mutex_unlock(&g_lock);
  out[1] = (int32_t)(__atomic_load_n(&s->deliveries, __ATOMIC_RELAXED) & 0x7fffffff);
  out[2] = __atomic_load_n(&s->suspended, __ATOMIC_ACQUIRE) != 0;
}
#endif

TD_EXPORT int32_t td_ffi_call(td_ffi_args args) {
  switch (args.op) {
    case TD_FFI_SUPPORTED:
      return TD_SUPPORTED;
    case TD_FFI_SIGNAL_NUMBER:
      return args.a ? signal_number((const char *)(intptr_t)args.a) : -1;
    case TD_FFI_STRERROR:
      if (args.b && args.c > 0) snprintf((char *)(intptr_t)args.b, (size_t)args.c, "%s", strerror((int)(args.a < 0 ? -args.a : args.a)));
      return 0;
#if TD_SUPPORTED
    case TD_FFI_DISPOSITION:
      return ffi_disposition(args.a);
    case TD_FFI_START:
      return ffi_start(args.a, (int32_t *)(intptr_t)args.b, args.c);
    case TD_FFI_STOP:
      return ffi_stop(args.a);
    case TD_FFI_SUSPEND:
      if (args.a > 0 && args.a < MAX_SIGNAL) suspend_signal((int)args.a);
      return 0;
    case TD_FFI_RESUME:
      if (args.a > 0 && args.a < MAX_SIGNAL) resume_signal((int)args.a);
      return ffi_disposition(args.a);
    case TD_FFI_STATS:
      if (args.b) ffi_stats(args.a, (int32_t *)(intptr_t)args.b);
      return 0;
#endif
    default:
      return -ENOSYS;
  }
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"signalNumber", NULL, js_signal_number, NULL, NULL, NULL, napi_enumerable, NULL},
      {"disposition", NULL, js_disposition, NULL, NULL, NULL, napi_enumerable, NULL},
      {"start", NULL, js_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stop", NULL, js_stop, NULL, NULL, NULL, napi_enumerable, NULL},
      {"suspend", NULL, js_suspend, NULL, NULL, NULL, napi_enumerable, NULL},
      {"resume", NULL, js_resume, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"deadlineStart", NULL, js_deadline_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"deadlineWake", NULL, js_deadline_wake, NULL, NULL, NULL, napi_enumerable, NULL},
#if TD_SUPPORTED
      {"fsMkdir", NULL, js_fs_mkdir, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fsLstat", NULL, js_fs_lstat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fsUnlink", NULL, js_fs_unlink, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fsRename", NULL, js_fs_rename, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fsWriteNew", NULL, js_fs_write_new, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fsReadDir", NULL, js_fs_read_dir, NULL, NULL, NULL, napi_enumerable, NULL},
#endif
  };
  CHECK_NAPI(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  napi_value supported;
#if TD_SUPPORTED
  napi_value eexist;
  CHECK_NAPI(env, napi_create_int32(env, EEXIST, &eexist));
  CHECK_NAPI(env, napi_set_named_property(env, exports, "EEXIST", eexist));
#endif
  CHECK_NAPI(env, napi_get_boolean(env, TD_SUPPORTED, &supported));
  CHECK_NAPI(env, napi_set_named_property(env, exports, "supported", supported));
#if TD_SUPPORTED
  napi_add_env_cleanup_hook(env, env_cleanup, env);
#endif
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
