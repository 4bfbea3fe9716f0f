// Server message ids are global and increasing. They are numbers in parley, but compare
// numeric strings correctly too (by length, then text) so the client does not depend on it.
export function compareIds(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  const sa = String(a)
  const sb = String(b)
  if (sa.length !== sb.length && /^\d+$/.test(sa) && /^\d+$/.test(sb)) return sa.length - sb.length
  return sa < sb ? -1 : sa > sb ? 1 : 0
}

// Messages with an id sort by id; local ones still waiting for their ack go last,
// in the order they were typed.
export function compareMessages(a, b) {
  const ha = a.id !== undefined && a.id !== null
  const hb = b.id !== undefined && b.id !== null
  if (ha && hb) return compareIds(a.id, b.id)
  if (ha) return -1
  if (hb) return 1
  return (a.localOrder || 0) - (b.localOrder || 0)
}
