// @ts-check
/** Record ids made on the device: UUIDv7 (time-ordered, 74 random bits). */

/**
 * @param {number} nowMs
 * @param {Uint8Array} random 16 random bytes (crypto.getRandomValues in the app)
 */
export function uuidv7(nowMs, random) {
  const bytes = Uint8Array.from(random.slice(0, 16));
  let time = BigInt(Math.floor(nowMs));
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = Number(time & 0xffn);
    time >>= 8n;
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A fresh id in the browser. */
export function newId() {
  return uuidv7(Date.now(), crypto.getRandomValues(new Uint8Array(16)));
}
