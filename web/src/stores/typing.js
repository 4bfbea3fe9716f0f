// "Is typing": who types in a conversation (`conv.typing`: name -> until, ms), shown for a few
// seconds after each `typing` frame, and the throttle for the frames this client sends.
export const TYPING_SHOW_MS = 5000 // how long a typing frame is shown (docs/PROTOCOL.md: ~5 s)
export const TYPING_SEND_MS = 3000 // at most one typing frame per conversation this often

export function noteTyping(conv, name, now) {
  conv.typing.set(name, now + TYPING_SHOW_MS)
}

export function stopTyping(conv, name) {
  if (conv.typing.has(name)) conv.typing.delete(name)
}

/** Drops what has expired; returns the next expiry (ms) or null when nobody types any more. */
export function sweepTyping(conv, now) {
  let next = null
  for (const [name, until] of [...conv.typing]) {
    if (until <= now) conv.typing.delete(name)
    else if (next === null || until < next) next = until
  }
  return next
}

export function typingNames(conv) {
  return conv?.typing ? [...conv.typing.keys()].sort() : []
}

/**
 * `allow(key, now)`: true at most once per `every` ms per key; `reset(key)` starts afresh (a
 * message was sent: the next one being typed is news).
 */
export function createThrottle(every = TYPING_SEND_MS) {
  const last = new Map()
  function allow(key, now) {
    const at = last.get(key)
    if (at !== undefined && now - at < every) return false
    last.set(key, now)
    return true
  }
  allow.reset = (key) => last.delete(key)
  return allow
}
