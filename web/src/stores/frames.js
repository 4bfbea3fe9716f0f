// The `normal` frame for a message typed here (docs/PROTOCOL.md): to names or to a group, with
// its cid, the message it quotes, and the ids of its attachments (at most MAX_FILES; the text
// may be empty when there are files).
import { MAX_FILES } from '../utils/files.js'

export function messageFrame(msg) {
  const frame =
    msg.group !== null && msg.group !== undefined
      ? { type: 'normal', content: msg.content, group: msg.group, cid: msg.cid }
      : { type: 'normal', content: msg.content, to: msg.to, cid: msg.cid }
  if (msg.replyTo !== undefined && msg.replyTo !== null) frame.reply_to = msg.replyTo
  const ids = fileIds(msg.files)
  if (ids.length) frame.files = ids
  return frame
}

/** The ids of FILEs (or of ids), without duplicates, at most MAX_FILES. */
export function fileIds(files) {
  if (!Array.isArray(files)) return []
  const ids = []
  for (const f of files) {
    const id = f && typeof f === 'object' ? f.id : f
    if ((typeof id === 'string' && id) || typeof id === 'number') {
      const s = String(id)
      if (!ids.includes(s)) ids.push(s)
    }
  }
  return ids.slice(0, MAX_FILES)
}
