// The static regions shared with the host (see abi.ts for their layouts). Fixed at compile time, so the
// packet path never allocates and the host's views only need refreshing if memory grows on configure().
import { ADDR_OFF, CFG_CAP, INFO_CAP, OUT_CAP, RX_CAP, TX_CAP } from './abi';

export const RX: usize = memory.data(ADDR_OFF + RX_CAP, 16);
export const TX: usize = memory.data(ADDR_OFF + TX_CAP, 16);
export const CFG: usize = memory.data(CFG_CAP, 16);
export const OUT: usize = memory.data(OUT_CAP, 16);
export const INFO: usize = memory.data(INFO_CAP, 16);
