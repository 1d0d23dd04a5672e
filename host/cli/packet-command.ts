import type { Command } from 'commander';
import type { CliDeps } from './program.ts';
import { Core } from '../core/wasm-core.ts';
import { decodePacket } from '../packet/decode.ts';
import { checkEncodeArgs, encodePacket } from '../packet/encode.ts';
import { PacketInputError } from '../packet/errors.ts';
import { parseHex, toHex } from '../packet/hex.ts';
import { intIn } from '../packet/numbers.ts';

/** `vipd packet decode|encode`: VRRP adverts to JSON and back, through the same core the daemon runs. */
export function registerPacketCommand(program: Command, deps: CliDeps, setExit: (c: number) => void): void {
  const guarded = (name: string, f: () => void) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof PacketInputError)) throw e;
      deps.stderr(`vipd packet ${name}: ${e.message}\n`);
      setExit(2);
    }
  };
  const packet = program
    .command('packet')
    .description('decode or encode VRRP advertisements (v2 and v3, IPv4 and IPv6)');

  packet
    .command('decode')
    .description('print an advert as JSON: fields, checksum form, validity (exit 0 valid, 1 invalid, 2 bad input)')
    .argument('<hex>', 'a whole IPv4 packet (starts 45..4f), a whole IPv6 packet (starts 6x), or a bare VRRP message')
    .option('--src <ip>', 'source address of a bare message (pseudo-header; IPv6 address => IPv6)')
    .option('--dst <ip>', 'destination address of a bare message (default 224.0.0.18 / ff02::12)')
    .option('--ttl <n>', 'TTL / hop limit a bare message arrived with (default 255)')
    .option('--v3-checksum-as-v2', 'try the message-only checksum first for v3 over IPv4')
    .option('--auth-pass <pw>', 'an AH packet (IPv4 protocol 51): check its ICV with this auth_pass')
    .action((hex: string, o: { src?: string; dst?: string; ttl?: string; v3ChecksumAsV2?: boolean; authPass?: string }) => guarded('decode', () => {
      const bytes = parseHex(hex);
      const ttl = o.ttl === undefined ? undefined : intIn('--ttl', o.ttl, 0, 255);
      const r = decodePacket(new Core('release'), bytes, { src: o.src, dst: o.dst, ttl, v3ChecksumAsV2: o.v3ChecksumAsV2, authPass: o.authPass });
      deps.stdout(JSON.stringify(r, null, 2) + '\n');
      if (!r.valid) setExit(1);
    }));

  packet
    .command('encode')
    .description("print the hex of the advert vipd's core would send")
    .argument('[addr...]', 'advertised (virtual) addresses, all in the family of --src/--dst (0..255 of them)')
    .requiredOption('--version <2|3>', 'VRRP version')
    .requiredOption('--vrid <n>', 'virtual router id, 1..255')
    .requiredOption('--priority <n>', 'priority, 0..255 (0: the master resigns)')
    .requiredOption('--interval <n>', 'advert interval: v2 in SECONDS (1..255), v3 in CENTISECONDS (1..4095)')
    .requiredOption('--src <ip>', 'source address (in the v3 checksum pseudo-header)')
    .requiredOption('--dst <ip>', 'destination: 224.0.0.18, ff02::12 or a unicast peer')
    .option('--auth-pass <pw>', 'v2 simple-password authentication (1..8 characters)')
    .option('--auth-ah <pw>', 'v2 IPsec AH authentication (IPv4, 1..8 characters): prints the whole IPv4 packet, IP ID and sequence 1')
    .option('--v3-checksum-as-v2', 'v3 over IPv4: checksum over the message only (keepalived vrrp_v3_checksum_as_v2)')
    .option('--ip', 'prefix an IPv4/IPv6 header (TTL / hop limit 255)')
    .action((addrs: string[], o: { version: string; vrid: string; priority: string; interval: string; src: string; dst: string; authPass?: string; authAh?: string; v3ChecksumAsV2?: boolean; ip?: boolean }) => guarded('encode', () => {
      const req = checkEncodeArgs({ ...o, addresses: addrs });
      deps.stdout(toHex(encodePacket(new Core('release'), req)) + '\n');
    }));
}
