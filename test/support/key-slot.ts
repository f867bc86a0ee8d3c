/** Redis Cluster hash slots, computed as Redis does, for tests of our key names. */

/**
 * The Redis Cluster hash slot of a key (CRC16/XMODEM of its hash tag, mod 16384),
 * as CLUSTER KEYSLOT computes it: the part between the first { and the next }
 * when that part is not empty, else the whole key. For the tests to say where
 * keys land without a cluster; Redis and ioredis do the routing themselves
 * (test/redis-cluster.test.ts checks this against CLUSTER KEYSLOT).
 */
export function keySlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  let start = 0;
  let end = bytes.length;
  const open = bytes.indexOf(0x7b); // {
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= (bytes[i] as number) << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
