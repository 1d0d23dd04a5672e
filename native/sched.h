// Process-priority exports of the addon (sched.c): setRealtime, schedInfo, setRlimitRttime.
#pragma once
#include <node_api.h>

void vipd_sched_register(napi_env env, napi_value exports);
