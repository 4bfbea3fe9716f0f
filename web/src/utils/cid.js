// Client message id: random, so retries of the same message carry the same cid and
// the server stores it once. getRandomValues also works on plain-http origins,
// where crypto.randomUUID does not exist.
export function makeCid() {
  const b = new Uint8Array(12)
  globalThis.crypto.getRandomValues(b)
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}
