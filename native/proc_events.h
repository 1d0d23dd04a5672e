// The kernel's process events for vrrp_track_process (proc_events.c): procEventsOpen, procEventsClose.
#pragma once
#include <node_api.h>

void vipd_proc_events_register(napi_env env, napi_value exports);
