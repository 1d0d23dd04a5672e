/** Input the packet tool cannot work with (bad hex, bad address, out-of-range number): exit code 2. */
export class PacketInputError extends Error {}
