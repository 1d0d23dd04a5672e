// The kernel's process events (the proc connector: NETLINK_CONNECTOR, CN_IDX_PROC) for vrrp_track_process.
//
// Without them the tracker must rescan /proc to notice a process start or exit; with them it learns of each fork,
// exec, name change and exit as it happens and reads /proc only for the process concerned (host/track/).
// Events are filtered to whole processes here (thread starts, exits and renames are dropped: /proc/PID lists
// processes) and handed to JS in batches, one call per wake-up, as 16-byte records in a Buffer the caller owns.
//
// Most events on a busy machine concern processes nobody tracks, and calling into JS costs ~50 µs a time against
// ~5 µs for the reads here, so only events that can change a count reach JS (host/track/proc-events.ts):
//   fork / exit: the parent / the process is marked in `pids`, a bitmap JS keeps of the processes it counts;
//   exec: the process is marked, or its new name (/proc/PID/comm) or argv[0] (/proc/PID/cmdline) is one of
//         `names` / `argv0s`;
//   comm: the process is marked, or its new name is one of `names`.
// A delivered exec, comm or fork marks the process (JS clears the mark when the process does not match), so a
// fork that follows in the same batch is not lost. Bit 0 (pid 0 never exists) set by JS means: deliver everything
// (while a full scan runs, when the bitmap is about to be rebuilt).
//
// The connector's kernel socket exists only in the initial network namespace (elsewhere the subscription is refused
// with ECONNREFUSED), and only a subscriber in the initial pid and user namespaces is answered. A daemon running in
// another network namespace passes a namespace fd (host/track/proc-events.ts finds one) and the socket is created
// there: setns of the calling thread, and back at once; a socket stays in the namespace it was created in.
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proc_events.h"

// Record kinds (host/net/native.ts PROC_EV): small numbers instead of the kernel's bit values.
enum { EV_FORK = 1, EV_EXEC = 2, EV_COMM = 3, EV_EXIT = 4 };
// One record: i32 kind, i32 pid (a process id, i.e. a tgid), i32 parent pid (fork only, else 0), i32 0.
#define PEV_REC 16
#define PEV_BATCH 64
#define PEV_SLOT 256  // an event message is 16 (nlmsghdr) + 20 (cn_msg) + 40 (proc_event) bytes
// Bound the work per wake-up (64 x 16 datagrams); the rest is read on the next loop iteration.
#define PEV_ROUNDS 16
// Room for a burst (a parallel build forks thousands of processes a second): an overrun costs a full rescan.
#define PEV_RCVBUF (4 << 20)
#define PEV_ACK_WAIT_MS 500

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref cb, buf_ref;
  napi_async_context actx;
  int fd, closing;
  uint8_t* out;
  size_t cap;  // records that fit in out
  uint8_t* pids;
  size_t pid_bits;
  char** names;   // NULL-terminated
  char** argv0s;  // NULL-terminated
  napi_ref pids_ref;
  struct mmsghdr msgs[PEV_BATCH];
  struct iovec iov[PEV_BATCH];
  uint8_t slots[PEV_BATCH][PEV_SLOT] __attribute__((aligned(8)));
} pev_t;

static napi_value throw_err(napi_env env, const char* what, int err) {
  char msg[256];
  const char* name = strerrorname_np(err);
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, name ? name : "EIO", msg);
  return NULL;
}

static int same_ns(int a, int b) {
  struct stat sa, sb;
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

// socket() in the network namespace of `ns` (an fd, or -1 for the current one). -errno on failure.
static int open_in_netns(int ns) {
  int self = ns >= 0 ? open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC) : -1;
  int moved = 0, fd = -1, err = 0;
  if (ns >= 0 && self < 0) return -errno;
  if (ns >= 0 && !same_ns(self, ns)) {
    if (setns(ns, CLONE_NEWNET) != 0) {
      err = errno;
      goto out;
    }
    moved = 1;
  }
  fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) err = errno;
  if (moved && setns(self, CLONE_NEWNET) != 0) {
    // Every socket this thread opens later would land in the wrong namespace: not recoverable.
    napi_fatal_error("proc_events.c", NAPI_AUTO_LENGTH, "setns back to the daemon's network namespace failed",
                     NAPI_AUTO_LENGTH);
  }
out:
  if (self >= 0) close(self);
  if (err) return -err;
  return fd;
}

// Sends PROC_CN_MCAST_LISTEN / IGNORE to the connector; the kernel acks with `token` + 1 (it numbers seq itself).
static int send_op(int fd, enum proc_cn_mcast_op op, uint32_t token) {
  struct {
    struct nlmsghdr nl;
    struct cn_msg cn;
    enum proc_cn_mcast_op op;
  } __attribute__((packed)) m;
  memset(&m, 0, sizeof m);
  m.nl.nlmsg_len = sizeof m;
  m.nl.nlmsg_type = NLMSG_DONE;
  m.nl.nlmsg_pid = 0;
  m.nl.nlmsg_seq = token;
  m.cn.id.idx = CN_IDX_PROC;
  m.cn.id.val = CN_VAL_PROC;
  m.cn.ack = token;
  m.cn.len = sizeof m.op;
  m.op = op;
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  return sendto(fd, &m, sizeof m, 0, (struct sockaddr*)&to, sizeof to) == (ssize_t)sizeof m ? 0 : -errno;
}

static const struct proc_event* event_of(const uint8_t* p, size_t len) {
  const struct nlmsghdr* nl = (const struct nlmsghdr*)p;
  if (len < NLMSG_LENGTH(sizeof(struct cn_msg)) || nl->nlmsg_len > len) return NULL;
  const struct cn_msg* cn = NLMSG_DATA(nl);
  if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC) return NULL;
  if (cn->len < sizeof(struct proc_event)) return NULL;  // the kernel always sends the whole (newer: larger) struct
  if ((size_t)((const uint8_t*)cn->data - p) + cn->len > len) return NULL;
  return (const struct proc_event*)cn->data;
}

// Waits for the kernel's answer to the subscription: 0, a positive errno (EPERM without CAP_NET_ADMIN) or
// ETIMEDOUT (no answer: the kernel ignores requests from outside the initial pid and user namespaces).
static int await_ack(int fd, uint32_t token) {
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  uint8_t buf[PEV_SLOT] __attribute__((aligned(8)));
  for (;;) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    long left = PEV_ACK_WAIT_MS - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
    if (left <= 0) return ETIMEDOUT;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, (int)left) < 0 && errno != EINTR) return errno;
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
      const struct proc_event* ev = event_of(buf, (size_t)n);
      const struct cn_msg* cn = NLMSG_DATA((const struct nlmsghdr*)buf);
      if (ev && ev->what == PROC_EVENT_NONE && cn->ack == token + 1) return (int)ev->event_data.ack.err;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ENOBUFS) return errno;
  }
}

static int marked(const pev_t* w, uint32_t pid) {
  if (w->pids[0] & 1) return 1;  // deliver everything
  return pid >= w->pid_bits || (w->pids[pid >> 3] >> (pid & 7)) & 1;
}

static void mark(pev_t* w, uint32_t pid) {
  if (pid < w->pid_bits) w->pids[pid >> 3] |= (uint8_t)(1u << (pid & 7));
}

static int listed(char* const* list, const char* s) {
  for (; list && *list; list++)
    if (strcmp(*list, s) == 0) return 1;
  return 0;
}

// Reads /proc/PID/<file> into buf (NUL-terminated); length or -1.
static ssize_t read_proc(uint32_t pid, const char* file, char* buf, size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%u/%s", pid, file);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n < 0) return -1;
  buf[n] = 0;
  return n;
}

// Whether an exec'd process has a tracked name or argv[0]. A process already gone is of no interest (unless marked,
// which the caller checked first): its exit follows.
static int exec_wanted(const pev_t* w, uint32_t pid) {
  char buf[4096];
  if (w->names && *w->names && read_proc(pid, "comm", buf, sizeof buf) > 0) {
    buf[strcspn(buf, "\n")] = 0;
    if (listed(w->names, buf)) return 1;
  }
  if (w->argv0s && *w->argv0s && read_proc(pid, "cmdline", buf, sizeof buf) > 0 && listed(w->argv0s, buf)) return 1;
  return 0;
}

static void put(pev_t* w, size_t* k, int32_t kind, int32_t pid, int32_t parent) {
  int32_t r[4] = {kind, pid, parent, 0};
  memcpy(w->out + *k * PEV_REC, r, sizeof r);
  (*k)++;
}

// Appends the record for one event, if it concerns a whole process that JS counts or may count.
static void translate(pev_t* w, size_t* k, const struct proc_event* ev) {
  uint32_t pid;
  switch (ev->what) {
    case PROC_EVENT_FORK:
      pid = ev->event_data.fork.child_tgid;
      if ((uint32_t)ev->event_data.fork.child_pid != pid || !marked(w, ev->event_data.fork.parent_tgid)) return;
      mark(w, pid);
      put(w, k, EV_FORK, (int32_t)pid, ev->event_data.fork.parent_tgid);
      return;
    case PROC_EVENT_EXEC:
      pid = ev->event_data.exec.process_tgid;
      if (!marked(w, pid) && !exec_wanted(w, pid)) return;
      mark(w, pid);
      put(w, k, EV_EXEC, (int32_t)pid, 0);
      return;
    case PROC_EVENT_COMM: {
      pid = ev->event_data.comm.process_tgid;
      if ((uint32_t)ev->event_data.comm.process_pid != pid) return;
      char comm[sizeof ev->event_data.comm.comm + 1];
      memcpy(comm, ev->event_data.comm.comm, sizeof ev->event_data.comm.comm);
      comm[sizeof comm - 1] = 0;
      if (!marked(w, pid) && !listed(w->names, comm)) return;
      mark(w, pid);
      put(w, k, EV_COMM, (int32_t)pid, 0);
      return;
    }
    case PROC_EVENT_EXIT:
      pid = ev->event_data.exit.process_tgid;
      if ((uint32_t)ev->event_data.exit.process_pid == pid && marked(w, pid)) put(w, k, EV_EXIT, (int32_t)pid, 0);
      return;
    default:
      return;
  }
}

static void call_js(pev_t* w, int32_t n) {
  napi_value cb, arg, recv, result;
  if (napi_get_reference_value(w->env, w->cb, &cb) != napi_ok || !cb) return;
  napi_create_int32(w->env, n, &arg);
  napi_get_global(w->env, &recv);
  if (napi_make_callback(w->env, w->actx, recv, cb, 1, &arg, &result) != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(w->env, &pending);
    if (pending) {
      napi_value err;
      napi_get_and_clear_last_exception(w->env, &err);
      napi_fatal_exception(w->env, err);
    }
  }
}

static void on_events(uv_poll_t* h, int status, int events) {
  (void)events;
  pev_t* w = h->data;
  if (w->closing) return;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  size_t k = 0;
  int err = status < 0 ? -status : 0;
  for (int round = 0; round < PEV_ROUNDS && !err && !w->closing; round++) {
    for (int i = 0; i < PEV_BATCH; i++) {
      memset(&w->msgs[i].msg_hdr, 0, sizeof w->msgs[i].msg_hdr);
      w->msgs[i].msg_hdr.msg_iov = &w->iov[i];
      w->msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(w->fd, w->msgs, PEV_BATCH, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
      break;
    }
    for (int i = 0; i < n; i++) {
      const struct proc_event* ev = event_of(w->slots[i], w->msgs[i].msg_len);
      if (!ev) continue;
      if (k == w->cap) {
        call_js(w, (int32_t)k);
        k = 0;
        if (w->closing) break;
      }
      translate(w, &k, ev);
    }
    if (n < PEV_BATCH) break;
  }
  // Events read before an overrun are still true; JS applies them, then rescans.
  if (k > 0 && !w->closing) call_js(w, (int32_t)k);
  if (err && !w->closing) call_js(w, -err);
  napi_close_handle_scope(w->env, scope);
}

static void free_list(char** v) {
  for (char** p = v; p && *p; p++) free(*p);
  free(v);
}

// A JS array of strings as a NULL-terminated C array; NULL with a JS exception pending on failure.
static char** get_list(napi_env env, napi_value arr) {
  uint32_t n = 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "procEventsOpen: expected an array of strings");
    return NULL;
  }
  char** v = calloc(n + 1, sizeof *v);
  if (!v) return throw_err(env, "procEventsOpen", ENOMEM), NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    size_t len = 0;
    if (napi_get_element(env, arr, i, &e) != napi_ok || napi_get_value_string_utf8(env, e, NULL, 0, &len) != napi_ok ||
        !(v[i] = malloc(len + 1))) {
      free_list(v);
      napi_throw_type_error(env, NULL, "procEventsOpen: expected an array of strings");
      return NULL;
    }
    napi_get_value_string_utf8(env, e, v[i], len + 1, &len);
  }
  return v;
}

static void on_closed(uv_handle_t* h) {
  pev_t* w = h->data;
  napi_delete_reference(w->env, w->cb);
  napi_delete_reference(w->env, w->buf_ref);
  napi_delete_reference(w->env, w->pids_ref);
  free_list(w->names);
  free_list(w->argv0s);
  napi_async_destroy(w->env, w->actx);
  close(w->fd);
  free(w);
}

// procEventsOpen(buf, cb, nsFd, pids, names, argv0s) -> handle (the filter: see the top). Subscribes to the kernel's process events and calls cb(n) once per wake-up
// with n records at the start of buf (reused afterwards: read them inside cb); n < 0 is -errno, -ENOBUFS meaning
// events were lost (rescan). nsFd: -1, or a network namespace fd to open the socket in (see the top). Throws
// (code = errno name) when the connector cannot be used. The handle does not keep the process alive.
static napi_value proc_events_open(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  bool is_buf = false, is_pids = false;
  int32_t ns = -1;
  napi_valuetype t = napi_undefined;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_is_buffer(env, argv[0], &is_buf) != napi_ok || !is_buf || napi_typeof(env, argv[1], &t) != napi_ok ||
      t != napi_function || argc < 6 || napi_get_value_int32(env, argv[2], &ns) != napi_ok ||
      napi_is_buffer(env, argv[3], &is_pids) != napi_ok || !is_pids) {
    napi_throw_type_error(env, NULL, "procEventsOpen(buf, cb, nsFd, pids, names, argv0s)");
    return NULL;
  }
  void* data;
  size_t len;
  napi_get_buffer_info(env, argv[0], &data, &len);
  void* pids;
  size_t pids_len;
  napi_get_buffer_info(env, argv[3], &pids, &pids_len);
  if (len < PEV_REC || pids_len < 1) {
    napi_throw_range_error(env, NULL, "procEventsOpen: buffer smaller than one record, or empty bitmap");
    return NULL;
  }
  char** names = get_list(env, argv[4]);
  if (!names) return NULL;
  char** argv0s = get_list(env, argv[5]);
  if (!argv0s) {
    free_list(names);
    return NULL;
  }
  int fd = open_in_netns(ns);
  if (fd < 0) {
    free_list(names);
    free_list(argv0s);
    return throw_err(env, "socket(NETLINK_CONNECTOR)", -fd);
  }
  struct sockaddr_nl me = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC, .nl_pid = 0};
  int err = 0, size = PEV_RCVBUF;
  if (bind(fd, (struct sockaddr*)&me, sizeof me) != 0) err = errno;
  if (!err && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  uint32_t token = ((uint32_t)getpid() << 12) ^ (uint32_t)time(NULL);
  if (!err) err = -send_op(fd, PROC_CN_MCAST_LISTEN, token);
  if (!err) err = await_ack(fd, token);
  pev_t* w = err ? NULL : calloc(1, sizeof *w);
  if (!w) {
    close(fd);
    free_list(names);
    free_list(argv0s);
    return throw_err(env, err ? "proc connector subscription" : "procEventsOpen", err ? err : ENOMEM);
  }
  w->pids = pids;
  w->pid_bits = pids_len * 8;
  w->names = names;
  w->argv0s = argv0s;
  w->env = env;
  w->fd = fd;
  w->out = data;
  w->cap = len / PEV_REC;
  for (int i = 0; i < PEV_BATCH; i++) {
    w->iov[i].iov_base = w->slots[i];
    w->iov[i].iov_len = PEV_SLOT;
  }
  uv_loop_t* loop;
  napi_get_uv_event_loop(env, &loop);
  if (uv_poll_init_socket(loop, &w->poll, fd) != 0) {
    close(fd);
    free_list(names);
    free_list(argv0s);
    free(w);
    return throw_err(env, "uv_poll_init", EBADF);
  }
  w->poll.data = w;
  napi_value name;
  napi_create_string_utf8(env, "vipd:proc-events", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->actx);
  napi_create_reference(env, argv[1], 1, &w->cb);
  napi_create_reference(env, argv[0], 1, &w->buf_ref);
  napi_create_reference(env, argv[3], 1, &w->pids_ref);
  uv_poll_start(&w->poll, UV_READABLE, on_events);
  uv_unref((uv_handle_t*)&w->poll);
  napi_value ext;
  napi_create_external(env, w, NULL, NULL, &ext);
  return ext;
}

// procEventsClose(handle): unsubscribe, stop and free; safe from inside the callback.
static napi_value proc_events_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  pev_t* w = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_external(env, argv[0], (void**)&w) != napi_ok || !w || w->closing)
    return NULL;
  w->closing = 1;
  // The kernel counts listeners and skips building events while there are none.
  send_op(w->fd, PROC_CN_MCAST_IGNORE, 0);
  uv_poll_stop(&w->poll);
  uv_close((uv_handle_t*)&w->poll, on_closed);
  return NULL;
}

void vipd_proc_events_register(napi_env env, napi_value exports) {
  struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"procEventsOpen", proc_events_open}, {"procEventsClose", proc_events_close}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
}
