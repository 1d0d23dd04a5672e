// One keepalived.conf text per node, identical in shape for vipd and keepalived (vipd is a drop-in: the same file
// must mean the same thing to both). Only what the interop cases vary is a parameter.

export interface Mode {
  /** Short name used in test titles and file names. */
  name: string;
  version: 2 | 3;
  family: 4 | 6;
  unicast: boolean;
  /** PASS authentication (VRRPv2 only). */
  authPass?: string;
  /** IPsec AH authentication with this auth_pass (VRRPv2 over IPv4 only). */
  authAh?: string;
  /** `v3_checksum_as_v2` in global_defs (unknown to keepalived 2.2.7, which warns and ignores it). */
  checksumAsV2?: boolean;
  /** Seconds. */
  advertInt: number;
}

export interface NodeConf {
  routerId: string;
  priority: number;
  /** This node's address on eth0 (the unicast source). */
  self: string;
  /** The other node's address (the unicast peer). */
  peer: string;
  /** advert_int override (the mismatch cases). */
  advertInt?: number;
}

export const VRID = 51;

export function vipFor(mode: Mode, subnet: number): string {
  return mode.family === 4 ? `10.203.${subnet}.100` : `fd00:203:${subnet.toString(16)}::100`;
}

export function renderConf(mode: Mode, node: NodeConf, subnet: number): string {
  const lines = ['global_defs {', `  router_id ${node.routerId}`];
  if (mode.checksumAsV2) lines.push('  v3_checksum_as_v2');
  lines.push('}',
    'vrrp_instance VI_1 {',
    '  state BACKUP',
    '  interface eth0',
    `  virtual_router_id ${VRID}`,
    `  priority ${node.priority}`,
    `  advert_int ${node.advertInt ?? mode.advertInt}`,
    `  version ${mode.version}`);
  if (mode.authPass) lines.push('  authentication {', '    auth_type PASS', `    auth_pass ${mode.authPass}`, '  }');
  if (mode.authAh) lines.push('  authentication {', '    auth_type AH', `    auth_pass ${mode.authAh}`, '  }');
  if (mode.unicast) lines.push(`  unicast_src_ip ${node.self}`, '  unicast_peer {', `    ${node.peer}`, '  }');
  lines.push('  virtual_ipaddress {', `    ${vipFor(mode, subnet)}/${mode.family === 4 ? 24 : 64}`, '  }', '}');
  return lines.join('\n') + '\n';
}
