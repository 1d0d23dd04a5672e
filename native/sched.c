// keepalived's process-priority settings for the VRRP process (global_defs vrrp_priority, vrrp_rt_priority,
// vrrp_rlimit_rttime): Node has os.setPriority() for nice but no sched_setscheduler() or RLIMIT_RTTIME.
//
// Realtime scheduling is what keeps adverts on time when the machine is saturated (a flood of packets, a busy
// neighbour process): a SCHED_RR thread runs as soon as its timer fires instead of waiting for the CFS scheduler.
// Only the calling thread (the event loop) gets it, with SCHED_RESET_ON_FORK so that every thread and process it
// creates afterwards (worker threads, scripts) starts as SCHED_OTHER with a non-negative nice.
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sched.h"

static napi_value result(napi_env env, int err) {
  napi_value v;
  napi_create_int32(env, err, &v);
  return v;
}

static int arg_int(napi_env env, napi_callback_info info, size_t want, int32_t* out) {
  size_t argc = want;
  napi_value argv[4];
  if (want > 4 || napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) return -1;
  for (size_t i = 0; i < want; i++) {
    if (napi_get_value_int32(env, argv[i], &out[i]) != napi_ok) return -1;
  }
  return 0;
}

// setRealtime(priority): SCHED_RR at priority (1..99) for the calling thread, or back to SCHED_OTHER for 0.
// Returns 0 or an errno (EPERM without CAP_SYS_NICE / RLIMIT_RTPRIO, EINVAL out of range): the caller logs it.
static napi_value set_realtime(napi_env env, napi_callback_info info) {
  int32_t a[1];
  if (arg_int(env, info, 1, a) != 0) {
    napi_throw_type_error(env, NULL, "setRealtime(priority)");
    return NULL;
  }
  struct sched_param p;
  memset(&p, 0, sizeof p);
  p.sched_priority = a[0];
  int policy = a[0] > 0 ? SCHED_RR : SCHED_OTHER;
  return result(env, sched_setscheduler(0, policy | SCHED_RESET_ON_FORK, &p) == 0 ? 0 : errno);
}

// schedInfo(): [policy without the reset flag, priority, reset-on-fork 0/1] of the calling thread.
static napi_value sched_info(napi_env env, napi_callback_info info) {
  int policy = sched_getscheduler(0);
  struct sched_param p;
  memset(&p, 0, sizeof p);
  sched_getparam(0, &p);
  napi_value arr, v;
  napi_create_array_with_length(env, 3, &arr);
  napi_create_int32(env, policy < 0 ? -1 : (policy & ~SCHED_RESET_ON_FORK), &v);
  napi_set_element(env, arr, 0, v);
  napi_create_int32(env, p.sched_priority, &v);
  napi_set_element(env, arr, 1, v);
  napi_create_int32(env, policy >= 0 && (policy & SCHED_RESET_ON_FORK) ? 1 : 0, &v);
  napi_set_element(env, arr, 2, v);
  return arr;
}

// setRlimitRttime(us): RLIMIT_RTTIME soft limit (CPU time a realtime thread may use without blocking before
// SIGXCPU). The hard limit is lifted where allowed, so that overrunning it is a signal the daemon answers (by
// leaving realtime scheduling) and never the SIGKILL that the hard limit would send. Returns 0 or an errno.
static napi_value set_rlimit_rttime(napi_env env, napi_callback_info info) {
  int32_t a[1];
  if (arg_int(env, info, 1, a) != 0 || a[0] < 0) {
    napi_throw_type_error(env, NULL, "setRlimitRttime(us >= 0)");
    return NULL;
  }
  struct rlimit r = {.rlim_cur = (rlim_t)a[0], .rlim_max = RLIM_INFINITY};
  if (a[0] == 0) r.rlim_cur = RLIM_INFINITY;
  if (setrlimit(RLIMIT_RTTIME, &r) == 0) return result(env, 0);
  struct rlimit cur;
  if (getrlimit(RLIMIT_RTTIME, &cur) != 0) return result(env, errno);
  r.rlim_max = cur.rlim_max;  // not allowed to raise it: keep it, and keep the soft limit under it
  if (r.rlim_max != RLIM_INFINITY && r.rlim_cur > r.rlim_max) r.rlim_cur = r.rlim_max;
  return result(env, setrlimit(RLIMIT_RTTIME, &r) == 0 ? 0 : errno);
}

// setHelperPolicy(tid): SCHED_BATCH for another thread of this process (V8's platform workers, libuv's pool).
// A SCHED_BATCH thread never preempts another thread when it wakes up (the kernel's fair class lets only
// SCHED_NORMAL wakers preempt), so a compile job or a scavenge task the event loop hands over no longer takes the
// event loop's CPU right before an advert; it runs on an idle CPU or at the next tick. Returns 0 or an errno.
static napi_value set_helper_policy(napi_env env, napi_callback_info info) {
  int32_t a[1];
  if (arg_int(env, info, 1, a) != 0 || a[0] <= 0) {
    napi_throw_type_error(env, NULL, "setHelperPolicy(tid > 0)");
    return NULL;
  }
  struct sched_param p;
  memset(&p, 0, sizeof p);
  return result(env, sched_setscheduler(a[0], SCHED_BATCH, &p) == 0 ? 0 : errno);
}

// spinFor(us): wait `us` microseconds on CLOCK_MONOTONIC without sleeping; returns the µs spun. The last stretch
// before a precise deadline (host/net/precise-waker.ts): in C, because a hot JavaScript loop gets tiered up by
// V8, whose compile job wakes a helper thread at exactly that moment.
static napi_value spin_for(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double us = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_double(env, argv[0], &us) != napi_ok) {
    napi_throw_type_error(env, NULL, "spinFor(us)");
    return NULL;
  }
  if (us > 100000) us = 100000;  // never more than 100 ms, whatever the caller computed
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  double spun = 0;
  while (spun < us) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    spun = (double)(t.tv_sec - t0.tv_sec) * 1e6 + (double)(t.tv_nsec - t0.tv_nsec) / 1e3;
  }
  napi_value v;
  napi_create_double(env, spun, &v);
  return v;
}

void vipd_sched_register(napi_env env, napi_value exports) {
  struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"setRealtime", set_realtime}, {"schedInfo", sched_info}, {"setRlimitRttime", set_rlimit_rttime},
                {"setHelperPolicy", set_helper_policy}, {"spinFor", spin_for}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
}
