// Frames for the examples' tests: Ethernet + IPv4 + UDP/TCP/ICMP with valid
// IPv4 header checksums, built from a few readable fields, so each test says
// what it sends ("UDP from 10.0.0.1 to port 53") rather than spelling bytes.

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;

export const MAC_A = [0x02, 0, 0, 0, 0, 0x0a];
export const MAC_B = [0x02, 0, 0, 0, 0, 0x0b];

export interface Ipv4Options {
  src?: string;
  dst?: string;
  ttl?: number;
  /** Fragment offset in 8-byte units and the more-fragments flag. */
  fragOffset?: number;
  moreFragments?: boolean;
}

export function ipBytes(addr: string): number[] {
  return addr.split(".").map(Number);
}

export function eth(
  type: number,
  payload: readonly number[],
  dst = MAC_B,
  src = MAC_A,
): Uint8Array {
  return Uint8Array.from([...dst, ...src, type >> 8, type & 0xff, ...payload]);
}

export function ipv4(protocol: number, l4: readonly number[], o: Ipv4Options = {}): number[] {
  const total = 20 + l4.length;
  const frag = ((o.moreFragments ? 1 : 0) << 13) | (o.fragOffset ?? 0);
  const h = [0x45, 0, total >> 8, total & 0xff, 0, 1, frag >> 8, frag & 0xff];
  h.push(
    o.ttl ?? 64,
    protocol,
    0,
    0,
    ...ipBytes(o.src ?? "10.0.0.1"),
    ...ipBytes(o.dst ?? "10.0.0.2"),
  );
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (h[i]! << 8) | h[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  const check = ~sum & 0xffff;
  h[10] = check >> 8;
  h[11] = check & 0xff;
  return [...h, ...l4];
}

export function udp(
  sport: number,
  dport: number,
  payload: readonly number[] = [1, 2, 3, 4],
): number[] {
  const len = 8 + payload.length;
  return [
    sport >> 8,
    sport & 0xff,
    dport >> 8,
    dport & 0xff,
    len >> 8,
    len & 0xff,
    0,
    0,
    ...payload,
  ];
}

export const TCP_SYN = 0x02;
export const TCP_ACK = 0x10;

/** A 20-byte TCP header: seq 1, no options, window 0xffff. */
export function tcp(sport: number, dport: number, flags = TCP_SYN): number[] {
  const ports = [...be16(sport), ...be16(dport)];
  const seqAck = [0, 0, 0, 1, 0, 0, 0, 0];
  return [...ports, ...seqAck, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0];
}

function be16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}

export function icmpEcho(type = 8): number[] {
  return [type, 0, 0, 0, 0, 1, 0, 1, ...Array<number>(8).fill(0x61)];
}

/** A whole frame: Ethernet + IPv4 + the given protocol's header. */
export function udp4(
  dport: number,
  o: Ipv4Options & { sport?: number; payload?: number[] } = {},
): Uint8Array {
  return eth(ETH_P_IP, ipv4(17, udp(o.sport ?? 40000, dport, o.payload), o));
}
export function tcp4(
  dport: number,
  flags = TCP_SYN,
  o: Ipv4Options & { sport?: number } = {},
): Uint8Array {
  return eth(ETH_P_IP, ipv4(6, tcp(o.sport ?? 40000, dport, flags), o));
}
export function ping4(o: Ipv4Options = {}): Uint8Array {
  return eth(ETH_P_IP, ipv4(1, icmpEcho(), o));
}
export function arp(): Uint8Array {
  return eth(ETH_P_ARP, Array<number>(28).fill(0), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
}

/** IPv4 address as the u32 a program reads from ip.saddr (network order bytes, little-endian load). */
export function ipKey(addr: string): number {
  const b = ipBytes(addr);
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
