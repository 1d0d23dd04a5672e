// vipd_net: the few Linux socket calls Node cannot make itself.
//
// Raw IP protocol 112 sockets with per-packet source/ifindex/TTL on send and
// source/destination/TTL/ifindex on receive, batched with sendmmsg/recvmmsg;
// an AF_PACKET socket for GARP / unsolicited NA frames; setns() so one process
// can open sockets inside a lab namespace; script processes started without
// copying the daemon (vfork-style clone). Everything above the syscall lives
// in host/net/*.ts. The record layout below is mirrored in host/net/native.ts.
#define _GNU_SOURCE
#include <node_api.h>
#include "sched.h"
#include "proc_events.h"
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_packet.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <time.h>

#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL 49
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

#define VRRP_PROTO 112
#define AH_PROTO 51

// One 64-byte record per datagram, shared by send and receive (host/net/native.ts).
enum {
  REC_SIZE = 64,
  REC_OFF = 0,      // u32 byte offset of the datagram in the data buffer
  REC_LEN = 4,      // u32 length
  REC_IFINDEX = 8,  // i32 interface index (tx: 0 = let the kernel choose)
  REC_TTL = 12,     // i32 TTL / hop limit (tx: 0 = socket default; rx: -1 = unknown)
  REC_FLAGS = 16,   // u32 rx: REC_F_TRUNC
  REC_DROPS = 20,   // u32 rx: the socket's kernel drop count when this datagram was queued (SO_RXQ_OVFL; 0 = none yet)
  REC_RXTIME = 24,  // f64 rx: kernel arrival time, CLOCK_MONOTONIC ns (0 when the kernel gave none)
  REC_SRC = 32,     // 16 bytes; IPv4 uses the first 4 (tx: all zero = kernel chooses)
  REC_DST = 48,     // 16 bytes
};
#define REC_F_TRUNC 1u

#define BATCH_MAX 64
// Fits the most a receive carries: IPv6 pktinfo 40 + hop limit 24 + timestamp 32 + drop count 24 = 120 bytes.
#define CTRL_SIZE 128
// Bound the work done per wake-up so a flood cannot starve timers: read rounds until the socket is empty, for
// at most READ_BUDGET_NS or ROUNDS_MAX rounds, then the event loop runs the timers (measured: 16 unbounded rounds
// of 64 let a 100 000/s flood delay the master's adverts by 5-60 ms).
#define ROUNDS_MAX 16
#define READ_BUDGET_NS 250000ull
// Pacing: a wake-up within PACE_GAP_NS of the previous one (or within a pause's length after a pause) means a
// stream (a flood, or thousands of peers): the watcher stops polling for PACE_MS and then reads what queued
// meanwhile in one go. A wake-up per datagram (a
// context switch each, 24 000 a second under a 100 000/s flood, half a core) becomes one per millisecond or two,
// and the daemon, asleep most of the time again, is the task the scheduler runs first when its advert timer fires.
// What queued meanwhile keeps its kernel arrival time (SO_TIMESTAMPNS), so the protocol's timing is unchanged;
// a backup reads its sockets before acting on a takeover deadline (drain()), so an advert waiting out a pause
// still counts.
#define PACE_GAP_NS 1000000ull
#define PACE_MS 1

static int throw_errno(napi_env env, const char* what, int err) {
  char msg[768];
  const char* name = strerrorname_np(err);
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, name ? name : "EIO", msg);
  return -1;
}

#define CHECK(call)                                   \
  do {                                                \
    if ((call) != napi_ok) {                          \
      napi_throw_error(env, NULL, "napi: " #call);    \
      return NULL;                                    \
    }                                                 \
  } while (0)

static int32_t arg_i32(napi_env env, napi_value v) {
  int32_t x = 0;
  napi_get_value_int32(env, v, &x);
  return x;
}

static int arg_buf(napi_env env, napi_value v, uint8_t** data, size_t* len) {
  bool ok = false;
  napi_is_buffer(env, v, &ok);
  if (!ok) {
    napi_throw_type_error(env, NULL, "expected a Buffer");
    return -1;
  }
  napi_get_buffer_info(env, v, (void**)data, len);
  return 0;
}

static napi_value num(napi_env env, double x) {
  napi_value v;
  napi_create_double(env, x, &v);
  return v;
}

static int setopt_int(int fd, int level, int opt, int val) {
  return setsockopt(fd, level, opt, &val, sizeof val);
}

// openVrrp(family 4|6, ifindex, rcvbuf, proto 112|51) -> fd. Non-blocking raw socket for
// protocol 112, bound to the device, multicast egress on it, TTL/hop limit 255, loop off,
// and the ancillary data that receive needs. TOS/traffic class 0xC0 and DF clear match
// the headers keepalived writes itself; FREEBIND lets a unicast source be a VIP
// that is not (yet) on this host. Protocol 51 (IPv4 only) is keepalived's AH
// authentication: the core writes the whole IPv4 packet, since the AH ICV covers the
// IP ID, which the kernel would otherwise choose (IP_HDRINCL).
static napi_value open_vrrp(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int family = arg_i32(env, argv[0]);
  int ifindex = arg_i32(env, argv[1]);
  int rcvbuf = argc > 2 ? arg_i32(env, argv[2]) : 0;
  int proto = argc > 3 ? arg_i32(env, argv[3]) : VRRP_PROTO;
  int af = family == 6 ? AF_INET6 : AF_INET;
  if (proto != VRRP_PROTO && !(proto == AH_PROTO && af == AF_INET)) {
    napi_throw_range_error(env, NULL, "openVrrp: protocol must be 112, or 51 for IPv4");
    return NULL;
  }
  int fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (fd < 0) return throw_errno(env, "socket", errno), NULL;
  int rc = 0;
  if (ifindex > 0) {
    char name[IF_NAMESIZE];
    if (!if_indextoname(ifindex, name)) goto fail;
    rc |= setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, strlen(name) + 1);
  }
  if (rcvbuf > 0 && setopt_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf) != 0)
    rc |= setopt_int(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf);
  if (af == AF_INET) {
    rc |= setopt_int(fd, IPPROTO_IP, IP_FREEBIND, 1);
    rc |= setopt_int(fd, IPPROTO_IP, IP_TOS, 0xc0);
    rc |= setopt_int(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT);
    if (ifindex > 0) {
      struct ip_mreqn mr = {.imr_ifindex = ifindex};
      rc |= setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr);
    }
    rc |= setopt_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, 255);
    rc |= setopt_int(fd, IPPROTO_IP, IP_TTL, 255);
    rc |= setopt_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0);
    rc |= setopt_int(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0);
    rc |= setopt_int(fd, IPPROTO_IP, IP_PKTINFO, 1);
    if (proto == AH_PROTO) rc |= setopt_int(fd, IPPROTO_IP, IP_HDRINCL, 1);
  } else {
    rc |= setopt_int(fd, IPPROTO_IPV6, IPV6_FREEBIND, 1);
    rc |= setopt_int(fd, IPPROTO_IPV6, IPV6_TCLASS, 0xc0);
    if (ifindex > 0) rc |= setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex);
    rc |= setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255);
    rc |= setopt_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255);
    rc |= setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);
    rc |= setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
    rc |= setopt_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
    rc |= setopt_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
  }
  // Kernel receive timestamps: the protocol's clock for a packet starts when it arrived, not when JS saw it.
  rc |= setopt_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
  // The kernel's count of datagrams it dropped on this socket (receive queue full), carried by the next one queued:
  // a daemon that was paused or flooded can say how much it missed.
  rc |= setopt_int(fd, SOL_SOCKET, SO_RXQ_OVFL, 1);
  if (rc != 0) goto fail;
  return num(env, fd);
fail:;
  int err = errno;
  close(fd);
  throw_errno(env, "openVrrp", err);
  return NULL;
}

static socklen_t fill_sockaddr(int af, const uint8_t* addr, int ifindex, struct sockaddr_storage* ss) {
  memset(ss, 0, sizeof *ss);
  if (af == AF_INET) {
    struct sockaddr_in* sin = (struct sockaddr_in*)ss;
    sin->sin_family = AF_INET;
    memcpy(&sin->sin_addr, addr, 4);
    return sizeof *sin;
  }
  struct sockaddr_in6* sin6 = (struct sockaddr_in6*)ss;
  sin6->sin6_family = AF_INET6;
  memcpy(&sin6->sin6_addr, addr, 16);
  // Link-local unicast and link-scope multicast need a zone.
  if ((addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80) || (addr[0] == 0xff && (addr[1] & 0x0f) == 0x02))
    sin6->sin6_scope_id = ifindex;
  return sizeof *sin6;
}

// bindAddress(fd, family, addr16, ifindex): receive only datagrams sent to addr
// (unicast sockets, keepalived's unicast_src_ip), and send from it by default.
static napi_value bind_address(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd = arg_i32(env, argv[0]);
  int af = arg_i32(env, argv[1]) == 6 ? AF_INET6 : AF_INET;
  uint8_t* addr;
  size_t len;
  if (arg_buf(env, argv[2], &addr, &len) || len < 16) return NULL;
  struct sockaddr_storage ss;
  socklen_t sl = fill_sockaddr(af, addr, arg_i32(env, argv[3]), &ss);
  if (bind(fd, (struct sockaddr*)&ss, sl) != 0) return throw_errno(env, "bind", errno), NULL;
  return NULL;
}

// joinGroup(fd, family, ifindex, group16, join): multicast membership on one interface.
static napi_value join_group(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd = arg_i32(env, argv[0]);
  int family = arg_i32(env, argv[1]);
  int ifindex = arg_i32(env, argv[2]);
  uint8_t* group;
  size_t len;
  if (arg_buf(env, argv[3], &group, &len) || len < 16) return NULL;
  bool join = true;
  napi_get_value_bool(env, argv[4], &join);
  int rc;
  if (family == 6) {
    struct ipv6_mreq mr;
    memcpy(&mr.ipv6mr_multiaddr, group, 16);
    mr.ipv6mr_interface = ifindex;
    rc = setsockopt(fd, IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &mr, sizeof mr);
  } else {
    struct ip_mreqn mr = {.imr_ifindex = ifindex};
    memcpy(&mr.imr_multiaddr, group, 4);
    rc = setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &mr, sizeof mr);
  }
  if (rc != 0) return throw_errno(env, join ? "join group" : "leave group", errno), NULL;
  return NULL;
}

static int all_zero(const uint8_t* p, int n) {
  for (int i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

static inline uint32_t rd32(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
static inline void wr32(uint8_t* p, uint32_t v) { memcpy(p, &v, 4); }

// sendBatch(fd, family, data, meta, start, count) -> messages sent (>= 0) or -errno
// when the first message of the batch failed. The caller skips a failed message
// and calls again, so one unreachable peer does not block the others.
static napi_value send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd = arg_i32(env, argv[0]);
  int af = arg_i32(env, argv[1]) == 6 ? AF_INET6 : AF_INET;
  uint8_t *data, *meta;
  size_t dlen, mlen;
  if (arg_buf(env, argv[2], &data, &dlen) || arg_buf(env, argv[3], &meta, &mlen)) return NULL;
  int start = arg_i32(env, argv[4]), count = arg_i32(env, argv[5]);
  if (start < 0 || count < 0 || (size_t)(start + count) * REC_SIZE > mlen) {
    napi_throw_range_error(env, NULL, "sendBatch: records out of range");
    return NULL;
  }
  struct mmsghdr msgs[BATCH_MAX];
  struct iovec iov[BATCH_MAX];
  struct sockaddr_storage names[BATCH_MAX];
  uint8_t ctrl[BATCH_MAX][CTRL_SIZE] __attribute__((aligned(8)));
  int total = 0;
  while (total < count) {
    int n = count - total < BATCH_MAX ? count - total : BATCH_MAX;
    for (int i = 0; i < n; i++) {
      const uint8_t* r = meta + (size_t)(start + total + i) * REC_SIZE;
      uint32_t off = rd32(r + REC_OFF), len = rd32(r + REC_LEN);
      int ifindex = (int)rd32(r + REC_IFINDEX), ttl = (int)rd32(r + REC_TTL);
      if ((size_t)off + len > dlen) {
        napi_throw_range_error(env, NULL, "sendBatch: datagram out of range");
        return NULL;
      }
      iov[i].iov_base = data + off;
      iov[i].iov_len = len;
      struct msghdr* m = &msgs[i].msg_hdr;
      memset(m, 0, sizeof *m);
      m->msg_iov = &iov[i];
      m->msg_iovlen = 1;
      m->msg_name = &names[i];
      m->msg_namelen = fill_sockaddr(af, r + REC_DST, ifindex, &names[i]);
      memset(ctrl[i], 0, CTRL_SIZE);
      m->msg_control = ctrl[i];
      m->msg_controllen = CTRL_SIZE;
      struct cmsghdr* c = CMSG_FIRSTHDR(m);
      size_t used = 0;
      int have_src = !all_zero(r + REC_SRC, af == AF_INET ? 4 : 16);
      if (have_src || ifindex > 0) {
        if (af == AF_INET) {
          struct in_pktinfo pi = {.ipi_ifindex = ifindex};
          memcpy(&pi.ipi_spec_dst, r + REC_SRC, 4);
          c->cmsg_level = IPPROTO_IP, c->cmsg_type = IP_PKTINFO, c->cmsg_len = CMSG_LEN(sizeof pi);
          memcpy(CMSG_DATA(c), &pi, sizeof pi);
          used += CMSG_SPACE(sizeof pi);
        } else {
          struct in6_pktinfo pi = {.ipi6_ifindex = ifindex};
          memcpy(&pi.ipi6_addr, r + REC_SRC, 16);
          c->cmsg_level = IPPROTO_IPV6, c->cmsg_type = IPV6_PKTINFO, c->cmsg_len = CMSG_LEN(sizeof pi);
          memcpy(CMSG_DATA(c), &pi, sizeof pi);
          used += CMSG_SPACE(sizeof pi);
        }
        c = (struct cmsghdr*)((uint8_t*)ctrl[i] + used);
      }
      if (ttl > 0) {
        c->cmsg_level = af == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
        c->cmsg_type = af == AF_INET ? IP_TTL : IPV6_HOPLIMIT;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &ttl, sizeof ttl);
        used += CMSG_SPACE(sizeof(int));
      }
      m->msg_controllen = used;
      if (used == 0) m->msg_control = NULL;
    }
    int sent = sendmmsg(fd, msgs, n, MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (total == 0) return num(env, -errno);
      break;
    }
    total += sent;
    if (sent < n) break;
  }
  return num(env, total);
}

// openPacket() -> fd. AF_PACKET with protocol 0: it receives nothing, and each
// frame names its interface, so one socket serves every interface.
static napi_value open_packet(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket(AF_PACKET)", errno), NULL;
  return num(env, fd);
}

// sendFrames(fd, data, meta, start, count) -> frames sent or -errno (as sendBatch).
// Each record's ifindex picks the interface; the frame carries its own Ethernet header.
static napi_value send_frames(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd = arg_i32(env, argv[0]);
  uint8_t *data, *meta;
  size_t dlen, mlen;
  if (arg_buf(env, argv[1], &data, &dlen) || arg_buf(env, argv[2], &meta, &mlen)) return NULL;
  int start = arg_i32(env, argv[3]), count = arg_i32(env, argv[4]);
  if (start < 0 || count < 0 || (size_t)(start + count) * REC_SIZE > mlen) {
    napi_throw_range_error(env, NULL, "sendFrames: records out of range");
    return NULL;
  }
  struct mmsghdr msgs[BATCH_MAX];
  struct iovec iov[BATCH_MAX];
  struct sockaddr_ll names[BATCH_MAX];
  int total = 0;
  while (total < count) {
    int n = count - total < BATCH_MAX ? count - total : BATCH_MAX;
    for (int i = 0; i < n; i++) {
      const uint8_t* r = meta + (size_t)(start + total + i) * REC_SIZE;
      uint32_t off = rd32(r + REC_OFF), len = rd32(r + REC_LEN);
      if ((size_t)off + len > dlen || len < 14) {
        napi_throw_range_error(env, NULL, "sendFrames: frame out of range");
        return NULL;
      }
      const uint8_t* f = data + off;
      struct sockaddr_ll* sll = &names[i];
      memset(sll, 0, sizeof *sll);
      sll->sll_family = AF_PACKET;
      memcpy(&sll->sll_protocol, f + 12, 2);  // ethertype, already network order
      sll->sll_ifindex = (int)rd32(r + REC_IFINDEX);
      sll->sll_halen = 6;
      memcpy(sll->sll_addr, f, 6);
      iov[i].iov_base = (void*)f;
      iov[i].iov_len = len;
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = sll;
      msgs[i].msg_hdr.msg_namelen = sizeof *sll;
    }
    int sent = sendmmsg(fd, msgs, n, MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (total == 0) return num(env, -errno);
      break;
    }
    total += sent;
    if (sent < n) break;
  }
  return num(env, total);
}

// ---- receive: uv_poll on the fd, drain with recvmmsg, one JS call per batch ----

typedef struct {
  uv_poll_t poll;
  uv_timer_t pace;
  napi_env env;
  napi_ref cb, data_ref, meta_ref;
  napi_async_context actx;
  int fd, af, slot, batch, closing, open_handles, paced;
  uint64_t last_wake_ns;
  // watchStats(): readable wake-ups, pauses (pacing), datagrams read, drain() calls.
  double wakeups, pauses, datagrams, drains;
  uint8_t *data, *meta;
  size_t dlen, mlen;
  struct mmsghdr msgs[BATCH_MAX];
  struct iovec iov[BATCH_MAX];
  struct sockaddr_in6 names[BATCH_MAX];
  uint8_t ctrl[BATCH_MAX][CTRL_SIZE] __attribute__((aligned(8)));
} watcher_t;

// Calls a JS callback from an event-loop callback (inside a handle scope); argc 0 or 1 int32 argument. An
// exception thrown by the callback is reported as Node reports an uncaught one.
static void invoke_js(napi_env env, napi_async_context actx, napi_ref ref, int argc, int32_t value) {
  napi_value cb, arg, recv, result;
  if (napi_get_reference_value(env, ref, &cb) != napi_ok || !cb) return;
  if (argc > 0) napi_create_int32(env, value, &arg);
  napi_get_global(env, &recv);
  if (napi_make_callback(env, actx, recv, cb, (size_t)argc, argc > 0 ? &arg : NULL, &result) != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
  }
}

// Watches `fd` for readability on the JS thread's loop (socket: a socket fd, for libuv's socket handling):
// poll->data = owner, an async context named `name` for the callbacks, and a reference that keeps `cb` alive.
// Returns 0, or -1 with a JS exception pending (the caller frees what it allocated).
static int start_poll(napi_env env, uv_poll_t* poll, int fd, int socket, void* owner, const char* name,
                      napi_value cb, napi_ref* cb_ref, napi_async_context* actx, uv_poll_cb on_ready) {
  uv_loop_t* loop;
  napi_get_uv_event_loop(env, &loop);
  if ((socket ? uv_poll_init_socket(loop, poll, fd) : uv_poll_init(loop, poll, fd)) != 0) {
    throw_errno(env, "uv_poll_init", EBADF);
    return -1;
  }
  poll->data = owner;
  napi_value n;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &n);
  napi_async_init(env, NULL, n, actx);
  napi_create_reference(env, cb, 1, cb_ref);
  uv_poll_start(poll, UV_READABLE, on_ready);
  return 0;
}

static void call_js(watcher_t* w, int32_t n) {
  invoke_js(w->env, w->actx, w->cb, 1, n);
}

// CLOCK_REALTIME - CLOCK_MONOTONIC, read once per receive batch: converts the kernel's (realtime) receive
// stamps to the monotonic clock the protocol runs on.
static double realtime_minus_monotonic_ns(void) {
  struct timespec r, m;
  clock_gettime(CLOCK_REALTIME, &r);
  clock_gettime(CLOCK_MONOTONIC, &m);
  return ((double)r.tv_sec - (double)m.tv_sec) * 1e9 + ((double)r.tv_nsec - (double)m.tv_nsec);
}

static void fill_rx_record(watcher_t* w, int i, double rt_offset) {
  uint8_t* r = w->meta + (size_t)i * REC_SIZE;
  struct msghdr* m = &w->msgs[i].msg_hdr;
  uint32_t len = w->msgs[i].msg_len;
  uint8_t* pkt = w->data + (size_t)i * w->slot;
  memset(r, 0, REC_SIZE);
  wr32(r + REC_OFF, (uint32_t)i * w->slot);
  wr32(r + REC_LEN, len);
  wr32(r + REC_FLAGS, (m->msg_flags & MSG_TRUNC) ? REC_F_TRUNC : 0);
  int32_t ttl = -1, ifindex = 0;
  if (w->af == AF_INET) {
    // The kernel hands raw IPv4 sockets the whole packet: read src, dst and TTL from it.
    if (len >= 20) {
      ttl = pkt[8];
      memcpy(r + REC_SRC, pkt + 12, 4);
      memcpy(r + REC_DST, pkt + 16, 4);
    }
  } else {
    memcpy(r + REC_SRC, &w->names[i].sin6_addr, 16);
  }
  for (struct cmsghdr* c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      ifindex = pi.ipi_ifindex;
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      struct in6_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      ifindex = pi.ipi6_ifindex;
      memcpy(r + REC_DST, &pi.ipi6_addr, 16);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
      memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(c), sizeof ts);
      double mono = (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec - rt_offset;
      memcpy(r + REC_RXTIME, &mono, sizeof mono);
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
      uint32_t drops;
      memcpy(&drops, CMSG_DATA(c), sizeof drops);
      wr32(r + REC_DROPS, drops);
    }
  }
  wr32(r + REC_IFINDEX, (uint32_t)ifindex);
  wr32(r + REC_TTL, (uint32_t)ttl);
}

static uint64_t mono_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

// Reads rounds of up to `batch` datagrams into the buffers, one JS call per round, until the socket is empty,
// `rounds` rounds are done or the budget is spent. Returns the datagrams read; *emptied: the socket was read dry.
// Inside a handle scope.
static int read_rounds(watcher_t* w, int rounds, uint64_t budget_ns, int* emptied) {
  uint64_t start = mono_ns();
  int total = 0;
  *emptied = 0;
  for (int round = 0; round < rounds && !w->closing; round++) {
    for (int i = 0; i < w->batch; i++) {
      struct msghdr* m = &w->msgs[i].msg_hdr;
      m->msg_name = &w->names[i];
      m->msg_namelen = sizeof w->names[i];
      m->msg_iov = &w->iov[i];
      m->msg_iovlen = 1;
      m->msg_control = w->ctrl[i];
      m->msg_controllen = CTRL_SIZE;
      m->msg_flags = 0;
    }
    int n = recvmmsg(w->fd, w->msgs, w->batch, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) call_js(w, -errno);
      *emptied = 1;
      break;
    }
    double rt_offset = realtime_minus_monotonic_ns();
    for (int i = 0; i < n; i++) fill_rx_record(w, i, rt_offset);
    total += n;
    call_js(w, n);
    if (n < w->batch) {
      *emptied = 1;
      break;
    }
    if (mono_ns() - start >= budget_ns) break;
  }
  w->datagrams += total;
  return total;
}

static void on_readable(uv_poll_t* h, int status, int events);

static void on_pace_over(uv_timer_t* t) {
  watcher_t* w = t->data;
  if (!w->closing) uv_poll_start(&w->poll, UV_READABLE, on_readable);
}

static void on_readable(uv_poll_t* h, int status, int events) {
  (void)events;
  watcher_t* w = h->data;
  if (w->closing) return;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  if (status < 0) {
    call_js(w, status);
  } else {
    w->wakeups++;
    uint64_t now = mono_ns();
    int emptied;
    int n = read_rounds(w, ROUNDS_MAX, READ_BUDGET_NS, &emptied);
    // After a pause the next wake-up comes PACE_MS (up to 2 x PACE_MS: libuv's timers are whole milliseconds)
    // later, so the stream counts as going on if it came within that window. A read cut short by the budget
    // does not pause: the rest is read on the next turn of the loop, once timers have run (no queue build-up).
    uint64_t window = PACE_GAP_NS + (w->paced ? 2ull * PACE_MS * 1000000ull : 0);
    w->paced = n > 0 && emptied && !w->closing && now - w->last_wake_ns < window;
    if (w->paced) {
      uv_poll_stop(&w->poll);
      uv_timer_start(&w->pace, on_pace_over, PACE_MS, 0);
      w->pauses++;
    }
    w->last_wake_ns = now;
  }
  napi_close_handle_scope(w->env, scope);
}

static void on_closed(uv_handle_t* h) {
  watcher_t* w = h->data;
  if (--w->open_handles > 0) return;  // the poll and the pace timer: freed after both
  napi_delete_reference(w->env, w->cb);
  napi_delete_reference(w->env, w->data_ref);
  napi_delete_reference(w->env, w->meta_ref);
  napi_async_destroy(w->env, w->actx);
  free(w);
}

// watch(fd, family, data, meta, slotSize, maxBatch, cb) -> watcher.
// cb(n): n datagrams are in data at records 0..n-1 of meta; n < 0 is -errno.
// The buffers are reused on the next wake-up: read them inside cb.
static napi_value watch(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  watcher_t* w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, "watch", ENOMEM), NULL;
  w->env = env;
  w->fd = arg_i32(env, argv[0]);
  w->af = arg_i32(env, argv[1]) == 6 ? AF_INET6 : AF_INET;
  w->slot = arg_i32(env, argv[4]);
  w->batch = arg_i32(env, argv[5]);
  if (arg_buf(env, argv[2], &w->data, &w->dlen) || arg_buf(env, argv[3], &w->meta, &w->mlen)) {
    free(w);
    return NULL;
  }
  if (w->slot <= 0 || w->batch <= 0 || w->batch > BATCH_MAX || (size_t)w->slot * w->batch > w->dlen ||
      (size_t)w->batch * REC_SIZE > w->mlen) {
    free(w);
    napi_throw_range_error(env, NULL, "watch: buffers too small for slot * batch");
    return NULL;
  }
  for (int i = 0; i < w->batch; i++) {
    w->iov[i].iov_base = w->data + (size_t)i * w->slot;
    w->iov[i].iov_len = w->slot;
  }
  napi_create_reference(env, argv[2], 1, &w->data_ref);
  napi_create_reference(env, argv[3], 1, &w->meta_ref);
  if (start_poll(env, &w->poll, w->fd, 1, w, "vipd:vrrp-rx", argv[6], &w->cb, &w->actx, on_readable) != 0) {
    napi_delete_reference(env, w->data_ref);
    napi_delete_reference(env, w->meta_ref);
    free(w);
    return NULL;
  }
  uv_loop_t* loop;
  napi_get_uv_event_loop(env, &loop);
  uv_timer_init(loop, &w->pace);
  w->pace.data = w;
  // The pace timer alone never keeps the process alive (the poll does while watching).
  uv_unref((uv_handle_t*)&w->pace);
  w->open_handles = 2;
  napi_value ext;
  CHECK(napi_create_external(env, w, NULL, NULL, &ext));
  return ext;
}

// The watcher passed as the first argument (NULL with a JS exception pending when it is not one).
static watcher_t* arg_watcher(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  watcher_t* w = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_external(env, argv[0], (void**)&w) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a watcher");
    return NULL;
  }
  return w;
}

// unwatch(watcher): stop and free; safe from inside the callback. Call before closeFd.
static napi_value unwatch(napi_env env, napi_callback_info info) {
  watcher_t* w = arg_watcher(env, info);
  if (!w || w->closing) return NULL;
  w->closing = 1;
  uv_poll_stop(&w->poll);
  uv_timer_stop(&w->pace);
  uv_close((uv_handle_t*)&w->poll, on_closed);
  uv_close((uv_handle_t*)&w->pace, on_closed);
  return NULL;
}

// drain(watcher) -> datagrams read: reads the socket now, paused or not (before a takeover deadline is acted on:
// an advert that arrived before it may be waiting out a pause). Calls the watcher's callback as a wake-up does.
static napi_value drain(napi_env env, napi_callback_info info) {
  watcher_t* w = arg_watcher(env, info);
  if (!w) return NULL;
  if (w->closing) return num(env, 0);
  w->drains++;
  int emptied;
  return num(env, read_rounds(w, ROUNDS_MAX, READ_BUDGET_NS, &emptied));
}

// watchStats(watcher) -> [wakeups, pauses, datagrams, drains] since watch().
static napi_value watch_stats(napi_env env, napi_callback_info info) {
  watcher_t* w = arg_watcher(env, info);
  if (!w) return NULL;
  napi_value a, v;
  CHECK(napi_create_array_with_length(env, 4, &a));
  double vals[4] = {w->wakeups, w->pauses, w->datagrams, w->drains};
  for (uint32_t i = 0; i < 4; i++) {
    napi_create_double(env, vals[i], &v);
    napi_set_element(env, a, i, v);
  }
  return a;
}

static napi_value close_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd = arg_i32(env, argv[0]);
  if (fd >= 0 && close(fd) != 0 && errno != EINTR) return throw_errno(env, "close", errno), NULL;
  return NULL;
}

// nsOpen(path) -> fd of a namespace file (/run/netns/X, /proc/thread-self/ns/net).
static napi_value ns_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[512];
  size_t n;
  CHECK(napi_get_value_string_utf8(env, argv[0], path, sizeof path, &n));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, path, errno), NULL;
  return num(env, fd);
}

// nsSet(fd): move the calling (main JS) thread into that network namespace.
// Sockets keep the namespace they were created in, so a caller can enter, open,
// and come back.
static napi_value ns_set(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (setns(arg_i32(env, argv[0]), CLONE_NEWNET) != 0) return throw_errno(env, "setns", errno), NULL;
  return NULL;
}

// ---- a precise wake-up: timerfd (CLOCK_MONOTONIC, ns resolution) watched by libuv ----
// Node's timers fire in whole milliseconds; VRRP at 10-100 ms intervals wants its deadlines met to well under a
// millisecond without spinning. The handle is referenced only while armed, so an idle timer never keeps the
// process alive.

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref cb;
  napi_async_context actx;
  int fd, closing, armed;
} timer_t_;

static void on_timer(uv_poll_t* h, int status, int events) {
  (void)events;
  timer_t_* t = h->data;
  if (t->closing) return;
  uint64_t expirations;
  if (read(t->fd, &expirations, sizeof expirations) < 0 && status >= 0 && errno == EAGAIN) return;
  t->armed = 0;
  uv_unref((uv_handle_t*)&t->poll);
  napi_handle_scope scope;
  napi_open_handle_scope(t->env, &scope);
  invoke_js(t->env, t->actx, t->cb, 0, 0);
  napi_close_handle_scope(t->env, scope);
}

// timerCreate(cb) -> timer. cb() runs once per arming, when the delay has passed.
static napi_value timer_create_(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  timer_t_* t = calloc(1, sizeof *t);
  if (!t) return throw_errno(env, "timerCreate", ENOMEM), NULL;
  t->env = env;
  t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (t->fd < 0) {
    int e = errno;
    free(t);
    return throw_errno(env, "timerfd_create", e), NULL;
  }
  if (start_poll(env, &t->poll, t->fd, 0, t, "vipd:timer", argv[0], &t->cb, &t->actx, on_timer) != 0) {
    close(t->fd);
    free(t);
    return NULL;
  }
  uv_unref((uv_handle_t*)&t->poll);
  napi_value ext;
  CHECK(napi_create_external(env, t, NULL, NULL, &ext));
  return ext;
}

static timer_t_* get_timer(napi_env env, napi_value v) {
  timer_t_* t = NULL;
  napi_get_value_external(env, v, (void**)&t);
  return t && !t->closing ? t : NULL;
}

// timerArm(timer, delayNs): (re)arm relative to now; <= 0 fires as soon as the loop polls.
static napi_value timer_arm(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  timer_t_* t = get_timer(env, argv[0]);
  if (!t) return NULL;
  double ns = 0;
  napi_get_value_double(env, argv[1], &ns);
  if (!(ns >= 1)) ns = 1;  // a zero it_value would disarm
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  its.it_value.tv_sec = (time_t)(ns / 1e9);
  its.it_value.tv_nsec = (long)(ns - (double)its.it_value.tv_sec * 1e9);
  if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
  if (timerfd_settime(t->fd, 0, &its, NULL) != 0) return throw_errno(env, "timerfd_settime", errno), NULL;
  if (!t->armed) uv_ref((uv_handle_t*)&t->poll);
  t->armed = 1;
  return NULL;
}

static napi_value timer_disarm(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  timer_t_* t = get_timer(env, argv[0]);
  if (!t) return NULL;
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  timerfd_settime(t->fd, 0, &its, NULL);
  if (t->armed) uv_unref((uv_handle_t*)&t->poll);
  t->armed = 0;
  return NULL;
}

static void on_timer_closed(uv_handle_t* h) {
  timer_t_* t = h->data;
  napi_delete_reference(t->env, t->cb);
  napi_async_destroy(t->env, t->actx);
  close(t->fd);
  free(t);
}

static napi_value timer_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  timer_t_* t = get_timer(env, argv[0]);
  if (!t) return NULL;
  t->closing = 1;
  uv_poll_stop(&t->poll);
  uv_close((uv_handle_t*)&t->poll, on_timer_closed);
  return NULL;
}

// ---- real-time signals: keepalived's JSON dump (SIGRTMIN+2) and STATS_CLEAR (SIGRTMAX-1) ----
// Node cannot listen for real-time signals, and their default action ends the process. A plain handler writes
// the signal number to a pipe (async-signal-safe); the pipe is watched by the event loop like any socket.

#include <signal.h>

static int sig_pipe[2] = {-1, -1};

static void on_signal(int signo) {
  int saved = errno;
  unsigned char b = (unsigned char)signo;
  ssize_t ignored = write(sig_pipe[1], &b, 1);
  (void)ignored;
  errno = saved;
}

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref cb;
  napi_async_context actx;
} sigwatch_t;

static void on_sig_readable(uv_poll_t* h, int status, int events) {
  (void)status; (void)events;
  sigwatch_t* w = h->data;
  unsigned char buf[64];
  ssize_t n = read(sig_pipe[0], buf, sizeof buf);
  if (n <= 0) return;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  for (ssize_t i = 0; i < n; i++) invoke_js(w->env, w->actx, w->cb, 1, buf[i]);
  napi_close_handle_scope(w->env, scope);
}

// signalWatch([signo...], cb): cb(signo) for each listed signal; the watch does not keep the process alive.
static napi_value signal_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (sig_pipe[0] < 0 && pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) != 0) return throw_errno(env, "pipe2", errno), NULL;
  uint32_t len = 0;
  napi_get_array_length(env, argv[0], &len);
  for (uint32_t i = 0; i < len; i++) {
    napi_value v;
    napi_get_element(env, argv[0], i, &v);
    int signo = arg_i32(env, v);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(signo, &sa, NULL) != 0) return throw_errno(env, "sigaction", errno), NULL;
  }
  sigwatch_t* w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, "signalWatch", ENOMEM), NULL;
  w->env = env;
  if (start_poll(env, &w->poll, sig_pipe[0], 0, w, "vipd:signal", argv[1], &w->cb, &w->actx, on_sig_readable) != 0) {
    free(w);
    return NULL;
  }
  uv_unref((uv_handle_t*)&w->poll);
  napi_value ext;
  CHECK(napi_create_external(env, w, NULL, NULL, &ext));
  return ext;
}

static napi_value sigrt(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o, a, b;
  napi_create_object(env, &o);
  napi_create_int32(env, SIGRTMIN, &a);
  napi_create_int32(env, SIGRTMAX, &b);
  napi_set_named_property(env, o, "min", a);
  napi_set_named_property(env, o, "max", b);
  return o;
}

// ---- script spawning: clone(CLONE_VM | CLONE_VFORK) + execve, reaped through a pidfd ----
// child_process.spawn fork()s the whole daemon (85+ MB, many threads): ~2.4 ms of our CPU per script plus
// copy-on-write faults in every thread afterwards. A vfork-style child shares our memory until it execs, so the
// cost no longer grows with our size. While it shares our memory the child may only make raw system calls: glibc's
// setuid() & co. would signal the parent's threads, and any library state it touched would be ours. The calling
// thread stays suspended until the child has exec'd or failed, so the child may read and write the arguments below.
// Reaping: libuv waitpid()s only the pids of its own process handles, so ours are never taken from us; a pidfd per
// child, watched by uv_poll, tells us when it has exited. Nothing here is global: the addon may be loaded by the
// main thread and by the spawn worker at once.

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#define SPAWN_STACK (64 * 1024)
// Reported to JS instead of an exit status when the child could not be waited for (cannot happen unless something
// else in the process reaps with waitpid(-1)).
#define SPAWN_LOST (-1000)

typedef struct {
  const char* file;
  char** argv;  // argv[-1] is a free slot: "/bin/sh" for a file without #! (ENOEXEC), as execvp does
  char** envp;
  uid_t uid;
  gid_t gid;
  int set_ids, out_fd, err_fd;  // pipe write ends, -1: /dev/null
  pid_t parent;
  volatile int err;  // errno of the step that failed in the child; 0 when execve succeeded
} spawn_args_t;

// The kernel's struct sigaction on x86-64 and arm64: handler, flags, restorer, 64-bit mask.
typedef struct {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)(void);
  uint64_t mask;
} ksigaction_t;

static int child_move_fds(int src[3]) {
  // First lift every source above 2 so that placing one cannot overwrite another (a daemon started with closed
  // stdio gets its pipes or /dev/null at 0-2).
  for (int i = 0; i < 3; i++)
    if (src[i] < 3 && (src[i] = (int)syscall(SYS_fcntl, src[i], F_DUPFD_CLOEXEC, 3)) < 0) return -1;
  for (int i = 0; i < 3; i++)
    if (syscall(SYS_dup3, src[i], i, 0) < 0) return -1;  // dup3 clears CLOEXEC on the target
  return 0;
}

static int spawn_child(void* p) {
  spawn_args_t* a = p;
  // Every signal arrives blocked (the parent blocked them before clone): put back the default action of each,
  // including those we ignore (SIGPIPE), which execve would keep, and those we handle, whose handlers would run
  // in our memory before the exec.
  ksigaction_t dfl = {0};
  dfl.handler = SIG_DFL;
  for (int s = 1; s < 65; s++)
    if (s != SIGKILL && s != SIGSTOP) syscall(SYS_rt_sigaction, s, &dfl, NULL, sizeof dfl.mask);
  if (syscall(SYS_setsid) < 0) goto fail;  // own session and process group, killed as a group on timeout
  if (a->set_ids) {
    gid_t groups[1] = {a->gid};
    if (syscall(SYS_setgroups, 1, groups) < 0 || syscall(SYS_setresgid, a->gid, a->gid, a->gid) < 0 ||
        syscall(SYS_setresuid, a->uid, a->uid, a->uid) < 0)
      goto fail;
  }
  // keepalived's scripts get SIGTERM when it dies; set after the identity change, which clears it.
  // vrrp_priority may have given the daemon's thread a nice value; scripts run at the default (keepalived resets
  // them too). Realtime scheduling is reset by the kernel already (SCHED_RESET_ON_FORK, native/sched.c), but a
  // script started from a helper thread would inherit its SCHED_BATCH (host/daemon/process-priority.ts): ordinary.
  struct sched_param other = {0};
  syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &other);
  syscall(SYS_setpriority, PRIO_PROCESS, 0, 0);
  if (syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0) goto fail;
  if (syscall(SYS_getppid) != a->parent) {  // we were killed between clone and the prctl
    errno = ESRCH;
    goto fail;
  }
  if (syscall(SYS_chdir, "/") < 0) goto fail;
  int nul = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR | O_CLOEXEC);
  if (nul < 0) goto fail;
  int src[3] = {nul, a->out_fd >= 0 ? a->out_fd : nul, a->err_fd >= 0 ? a->err_fd : nul};
  if (child_move_fds(src) < 0) goto fail;
  // Nothing of ours beyond stdio may reach the script (raw sockets, netlink, timerfd, the signal pipe), whether or
  // not whoever opened it asked for CLOEXEC. Before Linux 5.9 (no close_range) CLOEXEC alone has to do.
  if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0 && syscall(SYS_close_range, 3, ~0U, 0) < 0 &&
      errno != ENOSYS)
    goto fail;
  uint64_t none = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none);
  syscall(SYS_execve, a->file, a->argv, a->envp);
  if (errno == ENOEXEC) {
    a->argv[-1] = (char*)"/bin/sh";
    a->argv[0] = (char*)a->file;
    syscall(SYS_execve, "/bin/sh", a->argv - 1, a->envp);
  }
fail:
  a->err = errno ? errno : EIO;
  syscall(SYS_exit_group, 127);
  return 127;
}

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref cb;
  napi_async_context actx;
  napi_async_cleanup_hook_handle hook;
  pid_t pid;
  int pidfd, closing;
} reaper_t;

static void on_reaper_closed(uv_handle_t* h) {
  reaper_t* r = h->data;
  napi_delete_reference(r->env, r->cb);
  napi_async_destroy(r->env, r->actx);
  close(r->pidfd);
  napi_remove_async_cleanup_hook(r->hook);
  free(r);
}

static void reaper_close(reaper_t* r) {
  if (r->closing) return;
  r->closing = 1;
  uv_poll_stop(&r->poll);
  uv_close((uv_handle_t*)&r->poll, on_reaper_closed);
}

// The thread's environment is going away (worker terminated) with this child still running. Nobody would reap it
// after this (libuv on the other threads waits only for its own pids), so it would stay our zombie: end its group
// now (ScriptRunner.close() already gave it SIGTERM and a grace period when shutting down normally) and reap it.
static void on_reaper_env_cleanup(napi_async_cleanup_hook_handle handle, void* arg) {
  (void)handle;
  reaper_t* r = arg;
  if (r->closing) return;  // exited: the pending close removes the hook
  kill(-r->pid, SIGKILL);
  kill(r->pid, SIGKILL);  // in case it had not reached setsid()
  siginfo_t si;  // by pid: libuv made the pidfd non-blocking, where waitid() on it would return EAGAIN
  while (waitid(P_PID, (id_t)r->pid, &si, WEXITED) < 0 && errno == EINTR) {}
  reaper_close(r);
}

static void on_child_exit(uv_poll_t* h, int status, int events) {
  (void)status; (void)events;
  reaper_t* r = h->data;
  if (r->closing) return;
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int rc = waitid((idtype_t)P_PIDFD, (id_t)r->pidfd, &si, WEXITED | WNOHANG);
  // Not exited yet (woken early): 0 with no pid, or EAGAIN since libuv made the pidfd non-blocking.
  if (rc < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (rc == 0 && si.si_pid == 0) return;
  int32_t v = SPAWN_LOST;
  if (rc == 0) v = si.si_code == CLD_EXITED ? si.si_status : -si.si_status;
  reaper_close(r);
  napi_handle_scope scope;
  napi_open_handle_scope(r->env, &scope);
  invoke_js(r->env, r->actx, r->cb, 1, v);
  napi_close_handle_scope(r->env, scope);
}

static void free_strv(char** v, uint32_t n) {
  if (!v) return;
  for (uint32_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

// A JS array of strings as a NULL-terminated char* array with `lead` free slots in front; *count = slots to free.
static char** get_strv(napi_env env, napi_value arr, uint32_t lead, uint32_t* count) {
  uint32_t n = 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "spawn: expected an array of strings");
    return NULL;
  }
  char** v = calloc((size_t)lead + n + 1, sizeof *v);
  if (!v) return throw_errno(env, "spawn", ENOMEM), NULL;
  *count = lead + n;
  for (uint32_t i = 0; i < n; i++) {
    napi_value s;
    size_t len = 0;
    const char* bad = NULL;
    if (napi_get_element(env, arr, i, &s) != napi_ok || napi_get_value_string_utf8(env, s, NULL, 0, &len) != napi_ok)
      bad = "spawn: expected an array of strings";
    else if (!(v[lead + i] = malloc(len + 1)))
      bad = "spawn: out of memory";
    else if (napi_get_value_string_utf8(env, s, v[lead + i], len + 1, &len), strlen(v[lead + i]) != len)
      bad = "spawn: argument contains a NUL byte";  // it would silently cut the argument
    if (bad) {
      free_strv(v, lead + n);
      napi_throw_type_error(env, NULL, bad);
      return NULL;
    }
  }
  return v;
}

// spawn(file, argv[], envp[], uid, gid, capture, onExit) -> { pid, stdout, stderr }
// Starts file with argv/envp in its own session, as uid/gid when they differ from ours (-1: ours), stdin from
// /dev/null, stdout/stderr to /dev/null or, with capture, to pipes whose read ends (non-blocking, CLOEXEC) are
// returned (else -1). onExit(status) runs once on this thread's loop: status >= 0 is an exit code, < 0 is minus
// the signal that killed it. Throws with code = errno name when the program could not be started (nothing runs).
static napi_value spawn_(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7) {
    napi_throw_type_error(env, NULL, "spawn(file, argv, envp, uid, gid, capture, onExit)");
    return NULL;
  }
  char file[4096];
  size_t flen = 0;
  if (napi_get_value_string_utf8(env, argv[0], file, sizeof file, &flen) != napi_ok || flen == 0 ||
      flen >= sizeof file - 1) {
    napi_throw_type_error(env, NULL, "spawn: bad file name");
    return NULL;
  }
  uint32_t nargs = 0, nenv = 0;
  char** args = get_strv(env, argv[1], 1, &nargs);
  if (!args) return NULL;
  char** envp = get_strv(env, argv[2], 0, &nenv);
  if (!envp) return free_strv(args, nargs), NULL;
  int32_t uid = arg_i32(env, argv[3]), gid = arg_i32(env, argv[4]);
  bool capture = false;
  napi_get_value_bool(env, argv[5], &capture);

  spawn_args_t a = {.file = file, .argv = args + 1, .envp = envp, .out_fd = -1, .err_fd = -1, .parent = getpid()};
  a.uid = uid >= 0 ? (uid_t)uid : getuid();
  a.gid = gid >= 0 ? (gid_t)gid : getgid();
  a.set_ids = a.uid != getuid() || a.gid != getgid();
  int outp[2] = {-1, -1}, errp[2] = {-1, -1};
  int err = 0;
  pid_t pid = -1;
  char* stack = NULL;
  if (capture && (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0)) {
    err = errno;
    goto done;
  }
  a.out_fd = outp[1];
  a.err_fd = errp[1];
  stack = malloc(SPAWN_STACK);
  if (!stack) {
    err = ENOMEM;
    goto done;
  }
  // Block everything (glibc's internal signals too, hence the raw call) so that no handler of ours can run in the
  // child before it has reset them; the child inherits this thread's mask.
  uint64_t all = ~(uint64_t)0, old = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, sizeof all);
  char* argv0 = args[1];
  pid = clone(spawn_child, stack + SPAWN_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
  if (pid < 0) err = errno;
  args[0] = NULL, args[1] = argv0;  // the ENOEXEC retry rewrote them with pointers that are not ours to free
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, sizeof old);
  if (pid > 0 && a.err) {  // the child exited 127 without exec: reap it now, report the reason
    err = a.err;
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    pid = -1;
  }
done:
  free(stack);
  free_strv(args, nargs);
  free_strv(envp, nenv);
  if (outp[1] >= 0) close(outp[1]);
  if (errp[1] >= 0) close(errp[1]);
  if (pid <= 0) {
    if (outp[0] >= 0) close(outp[0]);
    if (errp[0] >= 0) close(errp[0]);
    char what[640];
    snprintf(what, sizeof what, "spawn %.600s", file);
    return throw_errno(env, what, err ? err : EIO), NULL;
  }
  // From here the child runs: every failure must still leave it reaped.
  reaper_t* r = calloc(1, sizeof *r);
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (!r || pidfd < 0 ||
      start_poll(env, &r->poll, pidfd, 0, r, "vipd:spawn", argv[6], &r->cb, &r->actx, on_child_exit) != 0) {
    int e = pidfd < 0 ? errno : ENOMEM;
    kill(pid, SIGKILL);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (pidfd >= 0) close(pidfd);
    free(r);
    if (outp[0] >= 0) close(outp[0]);
    if (errp[0] >= 0) close(errp[0]);
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) throw_errno(env, "pidfd_open", e);
    return NULL;
  }
  r->env = env;
  r->pid = pid;
  r->pidfd = pidfd;
  napi_add_async_cleanup_hook(env, on_reaper_env_cleanup, r, &r->hook);
  if (outp[0] >= 0) {
    fcntl(outp[0], F_SETFL, O_NONBLOCK);
    fcntl(errp[0], F_SETFL, O_NONBLOCK);
  }
  napi_value o;
  CHECK(napi_create_object(env, &o));
  napi_set_named_property(env, o, "pid", num(env, pid));
  napi_set_named_property(env, o, "stdout", num(env, outp[0]));
  napi_set_named_property(env, o, "stderr", num(env, errp[0]));
  return o;
}

static napi_value init(napi_env env, napi_value exports) {
  struct {
    const char* name;
    napi_callback fn;
  } fns[] = {
      {"openVrrp", open_vrrp}, {"bindAddress", bind_address}, {"joinGroup", join_group},
      {"sendBatch", send_batch}, {"openPacket", open_packet},  {"sendFrames", send_frames},
      {"watch", watch},          {"unwatch", unwatch},          {"drain", drain},          {"watchStats", watch_stats},          {"closeFd", close_fd},
      {"nsOpen", ns_open},       {"nsSet", ns_set},
      {"signalWatch", signal_watch}, {"sigrt", sigrt},
      {"timerCreate", timer_create_}, {"timerArm", timer_arm}, {"timerDisarm", timer_disarm}, {"timerClose", timer_close},
      {"spawn", spawn_},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  vipd_sched_register(env, exports);
  vipd_proc_events_register(env, exports);
  napi_value v;
  napi_create_int32(env, REC_SIZE, &v);
  napi_set_named_property(env, exports, "RECORD_SIZE", v);
  napi_create_int32(env, BATCH_MAX, &v);
  napi_set_named_property(env, exports, "BATCH_MAX", v);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
