// keepalived.conf texts for the side-by-side benchmarks; both daemons read the same file.

export interface BenchInstance {
  name: string;
  vrid: number;
  ifname: string;
  vip: string;
}

export interface BenchConf {
  version: 2 | 3;
  advertInt: number;
  priority: number;
  /** Equal priorities + nopreempt: after a failure the new master keeps the role, so trials need no preemption wait. */
  nopreempt: boolean;
  instances: BenchInstance[];
}

export function benchConf(c: BenchConf): string {
  const out = ['global_defs {', '  router_id bench', '}'];
  for (const i of c.instances) {
    out.push(
      `vrrp_instance ${i.name} {`, '  state BACKUP', `  interface ${i.ifname}`, `  virtual_router_id ${i.vrid}`,
      `  priority ${c.priority}`, `  advert_int ${c.advertInt}`, `  version ${c.version}`,
      ...(c.nopreempt ? ['  nopreempt'] : []),
      '  virtual_ipaddress {', `    ${i.vip}`, '  }', '}',
    );
  }
  return out.join('\n') + '\n';
}

/** Protocol floors for priority p (ms): Master_Down_Interval, and Skew_Time (graceful hand-over). */
export function floorsMs(version: 2 | 3, advertInt: number, p: number): { masterDown: number; skew: number } {
  const skew = version === 2 ? ((256 - p) / 256) * 1000 : ((256 - p) * advertInt * 1000) / 256;
  return { masterDown: 3 * advertInt * 1000 + skew, skew };
}
