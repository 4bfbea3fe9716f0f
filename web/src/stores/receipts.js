// Read markers and ticks, as pure functions of a conversation (no I/O).
//
// - my marker (`readUpto`): how far I have read a conversation, on any of my devices; the
//   unread count is what others sent after it;
// - the peer's marker (`peerRead`, 1:1 only): known from a live `read` frame of this session
//   only (GET /api/conversations carries mine, not theirs), so "read" is shown only when known;
// - a group's markers (`reads`: name -> upto), fetched with GET /api/groups/{id}/reads when
//   the group is opened; null until then.
import { compareIds } from './order.js'

export const hasId = (m) => m?.id !== undefined && m?.id !== null

/** The larger of two ids (either may be missing). */
export function maxId(a, b) {
  if (a === undefined || a === null || a === 0) return b ?? a
  if (b === undefined || b === null || b === 0) return a
  return compareIds(a, b) >= 0 ? a : b
}

/** id <= upto (false when there is no marker). */
export function upTo(id, upto) {
  return upto !== undefined && upto !== null && upto !== 0 && compareIds(id, upto) <= 0
}

/** Counted as unread: a message or group event from someone else (as the server counts). */
export const fromOthers = (item, me) => hasId(item) && item.from !== me

/** How many known items from others come after `upto`. */
export function unreadAfter(conv, upto, me) {
  return conv.messages.filter((m) => fromOthers(m, me) && !upTo(m.id, upto)).length
}

/** The newest id in the conversation (messages and events), or undefined. */
export function newestId(conv) {
  for (let i = conv.messages.length - 1; i >= 0; i--) if (hasId(conv.messages[i])) return conv.messages[i].id
  return undefined
}

/** Something from others is newer than my marker: worth a `read` frame once shown. */
export function needsRead(conv, me) {
  return conv.messages.some((m) => fromOthers(m, me) && !upTo(m.id, conv.readUpto))
}

/**
 * The tick of one of my messages in this conversation: {tick: 'sending' | 'failed' | 'sent' |
 * 'read', readers}. `readers` (groups) is how many other members have read it, null when the
 * markers were not fetched. Null for messages of others and events.
 */
export function receiptOf(msg, conv, me) {
  if (!msg || msg.kind === 'event' || msg.from !== me) return null
  if (msg.status !== 'sent' || !hasId(msg)) return { tick: msg.status, readers: null }
  if (conv.kind === 'group') {
    if (!conv.reads) return { tick: 'sent', readers: null }
    let n = 0
    for (const [name, upto] of conv.reads) if (name !== me && upTo(msg.id, upto)) n++
    return { tick: 'sent', readers: n }
  }
  return { tick: upTo(msg.id, conv.peerRead) ? 'read' : 'sent', readers: null }
}
