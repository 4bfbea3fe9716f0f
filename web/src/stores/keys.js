// Conversation keys. A user name and a group id live in one Map of conversations, so each
// gets a prefix: no user name can collide with a group id, and no name is ever used as an
// object property (names like `constructor` or `__proto__` are ordinary names here).
export const userKey = (name) => 'u:' + name
export const groupKey = (id) => 'g:' + String(id)

/** {kind: 'user', name} | {kind: 'group', id} | null */
export function parseKey(key) {
  if (typeof key !== 'string') return null
  if (key.startsWith('u:')) return { kind: 'user', name: key.slice(2) }
  if (key.startsWith('g:')) return { kind: 'group', id: key.slice(2) }
  return null
}
