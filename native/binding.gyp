{
  "targets": [
    {
      "target_name": "vipd_net",
      "sources": ["vipd_net.c", "sched.c", "proc_events.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"]
    }
  ]
}
