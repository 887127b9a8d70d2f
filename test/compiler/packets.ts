// Packet builders for the compiler's kernel tests: Ethernet (optionally
// VLAN-tagged), IPv4 with a correct header checksum, IPv6, UDP, TCP. Bytes
// in network order, as BPF_PROG_TEST_RUN's data_in wants them.

export const MAC_A = [0x02, 0, 0, 0, 0, 0x0a];
export const MAC_B = [0x02, 0, 0, 0, 0, 0x0b];

export function eth(type: number, payload: number[], dst = MAC_B, src = MAC_A): number[] {
  return [...dst, ...src, type >> 8, type & 0xff, ...payload];
}

export function vlan(tci: number, type: number, payload: number[]): number[] {
  return [tci >> 8, tci & 0xff, type >> 8, type & 0xff, ...payload];
}

export function csum16(bytes: number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

export function ipv4(
  proto: number,
  payload: number[],
  opts: { src?: number[]; dst?: number[]; ttl?: number; ihl?: number } = {},
): number[] {
  const ihl = opts.ihl ?? 5;
  const total = ihl * 4 + payload.length;
  const h = [0x40 | ihl, 0, total >> 8, total & 0xff, 0, 1, 0, 0, opts.ttl ?? 64, proto, 0, 0];
  h.push(...(opts.src ?? [10, 0, 0, 1]), ...(opts.dst ?? [10, 0, 0, 2]));
  while (h.length < ihl * 4) h.push(1); // NOP options
  const c = csum16(h);
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return [...h, ...payload];
}

export function ipv6(nexthdr: number, payload: number[], hopLimit = 64): number[] {
  const src = [0xfd, 0, ...Array(13).fill(0), 1];
  const dst = [0xfd, 0, ...Array(13).fill(0), 2];
  return [
    0x60,
    0,
    0,
    0,
    payload.length >> 8,
    payload.length & 0xff,
    nexthdr,
    hopLimit,
    ...src,
    ...dst,
    ...payload,
  ];
}

export function udp(sport: number, dport: number, payload: number[] = []): number[] {
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

export function tcp(sport: number, dport: number, flags = 0x02): number[] {
  return [
    sport >> 8,
    sport & 0xff,
    dport >> 8,
    dport & 0xff,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0x50,
    flags,
    0xff,
    0xff,
    0,
    0,
    0,
    0,
  ];
}

export const ETH_P_IP = 0x0800;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_ARP = 0x0806;
export const TCP = 6;
export const UDP = 17;
export const ICMP = 1;
