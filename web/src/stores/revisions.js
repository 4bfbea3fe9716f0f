// Recall and edit of a message, whichever way they arrive: a live `recall` / `edit` frame (an
// inbox entry with its own `eid`), or a copy from history / resume that says `recalled` or
// `edited`. A recall is final; of two edits the one with the higher eid wins, and a copy from
// HTTP never undoes a live edit (the HTTP answer may be older than the frame).
import { compareIds } from './order.js'
import { normalizeFiles } from '../utils/files.js'

export function recallMessage(msg) {
  msg.recalled = true
  msg.content = ''
  msg.files = [] // a recalled message shows none of its attachments either
}

export function editMessage(msg, content, eid) {
  if (msg.recalled || typeof content !== 'string') return false
  if (msg.editEid !== undefined && eid !== undefined && compareIds(eid, msg.editEid) <= 0) return false
  msg.content = content
  msg.edited = true
  if (eid !== undefined) msg.editEid = eid
  return true
}

/** What a server copy of a known message adds: its recall, its latest text, its quote, its files. */
export function mergeCopy(msg, m) {
  if (m.recalled) return recallMessage(msg)
  if ((!msg.files || !msg.files.length) && Array.isArray(m.files) && m.files.length) {
    // What we had came on a classic socket (the first one of a new browser): the text with a
    // line and a link per file. The copy with `files` has the text as written.
    msg.files = normalizeFiles(m.files)
    if (msg.editEid === undefined && typeof m.content === 'string') msg.content = m.content
  }
  if (m.edited && msg.editEid === undefined && typeof m.content === 'string') {
    msg.content = m.content
    msg.edited = true
  }
  if (msg.replyTo === undefined && m.reply_to !== undefined && m.reply_to !== null) msg.replyTo = m.reply_to
}
