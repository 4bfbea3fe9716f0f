// Wires the chat rules (chat-core) to the network: the WebSocket connection, the HTTP
// API, ack timeouts, and what must survive a reload (resume seq, unread counts).
import { reactive, watch } from 'vue'
import { createChatCore } from './chat-core.js'
import { Connection } from '../ws/connection.js'
import { wsUrl } from '../ws/url.js'
import { makeCid } from '../utils/cid.js'
import { makeStorage } from '../utils/storage.js'
import { MAX_CONTENT_BYTES, MAX_FRAME_BYTES, MAX_RECIPIENTS, utf8Length } from './limits.js'

export const HISTORY_PAGE = 30

export function createChatStore({
  api,
  session,
  url = () => wsUrl(),
  ConnectionClass = Connection,
  connectionOptions = {},
  storage = makeStorage(),
  ackTimeout = 10000
}) {
  const core = createChatCore(session.state.name)
  const { state } = core
  const net = reactive({ conn: 'offline', nextRetryAt: 0, loadError: null })
  const ackTimers = new Map()
  const stopWatch = []
  let conn = null
  let listSeen = false // a loginlist frame arrived: it is newer than any GET /api/loginlist
  let usersTimer = null
  const token = () => session.state.token
  const seqKey = () => `parley.seq.${state.me}`
  const unreadKey = () => `parley.unread.${state.me}`

  function start() {
    state.me = session.state.name
    // Read the resume point before anything else: conversations fetched below are then
    // at least as new as it, so nothing falls in a gap between them and the live stream.
    const seq = storage.get(seqKey())
    state.lastSeq = typeof seq === 'number' ? seq : null
    const unread = storage.get(unreadKey()) || {}
    for (const [peer, n] of Object.entries(unread)) if (n > 0) core.conv(peer).unread = n

    stopWatch.push(
      watch(
        () => state.lastSeq,
        (s) => {
          if (typeof s !== 'number') return
          // Several tabs share the key; keep the highest so a reload resumes late enough.
          const stored = storage.get(seqKey())
          if (typeof stored !== 'number' || s > stored) storage.set(seqKey(), s)
        }
      ),
      watch(
        () => Object.values(state.convs).map((c) => [c.peer, c.unread]),
        (pairs) => storage.set(unreadKey(), Object.fromEntries(pairs.filter(([, n]) => n > 0)))
      )
    )

    conn = new ConnectionClass({
      url: url(),
      token: token(),
      getSeq: () => state.lastSeq,
      onFrame,
      onState,
      onRevoked: () => end(session.expired(session.state.expires) ? 'expired' : 'revoked'),
      ...connectionOptions
    })
    conn.start()
    refreshUsers()
    loadConversations()
  }

  function stop() {
    conn?.stop()
    conn = null
    for (const t of ackTimers.values()) clearTimeout(t)
    ackTimers.clear()
    clearTimeout(usersTimer)
    stopWatch.splice(0).forEach((w) => w())
  }

  function end(notice) {
    stop()
    session.end(notice)
  }

  async function logout() {
    stop() // first, so the server's 4401 close is not taken for a revoked session
    await session.logout()
  }

  // HTTP calls with the token: a 401 means the session is over.
  async function authed(fn) {
    try {
      return await fn(token())
    } catch (e) {
      if (e.status === 401) end('expired')
      throw e
    }
  }

  async function loadConversations() {
    try {
      core.loadConversations(await authed((t) => api.conversations(t)))
      net.loadError = null
    } catch (e) {
      net.loadError = e.code
    }
  }

  async function refreshUsers() {
    try {
      core.setUsers(await api.list())
    } catch {
      /* keep the old list; the next loginlist or reconnect tries again */
    }
  }

  // Coalesce bursts (many users coming online at once) into one GET /api/list.
  function refreshUsersSoon() {
    clearTimeout(usersTimer)
    usersTimer = setTimeout(refreshUsers, 300)
  }

  async function refreshOnline() {
    listSeen = false
    try {
      const names = await api.loginlist()
      if (!listSeen) state.online = new Set(names)
    } catch {
      /* the next loginlist frame fixes it */
    }
  }

  function onFrame(f) {
    const tag = core.applyFrame(f)
    if (tag === 'ok') {
      // A push only comes when the list changes; a second tab of an online user gets none.
      refreshOnline()
      refreshUsers()
      if (net.loadError) loadConversations() // the first try failed (server was down at load)
      for (const m of core.pendingMessages()) if (m.status === 'failed' && m.error === 'offline') transmit(m)
    } else if (tag === 'message') {
      if (f.from && f.from !== state.me && !state.users.includes(f.from)) refreshUsersSoon()
    } else if (tag === 'ack' || (tag === 'error' && f.cid)) {
      clearTimeout(ackTimers.get(f.cid))
      ackTimers.delete(f.cid)
    } else if (tag === 'loginlist') {
      listSeen = true
      if ((f.content?.names || []).some((n) => !state.users.includes(n))) refreshUsersSoon()
    }
  }

  function onState(s, info) {
    net.conn = s
    net.nextRetryAt = info?.nextRetryAt || 0
    if (s === 'offline') {
      state.online = new Set() // unknown while disconnected; refreshed after the next ok
      // Whatever was not acknowledged may be lost: offer a retry (same cid, no duplicate).
      for (const m of core.pendingMessages()) {
        if (m.status === 'sending') {
          clearTimeout(ackTimers.get(m.cid))
          ackTimers.delete(m.cid)
          core.fail(m.cid, 'offline')
        }
      }
    }
  }

  function transmit(msg) {
    msg.status = 'sending'
    msg.error = undefined
    const frame = { type: 'normal', content: msg.content, to: msg.to, cid: msg.cid }
    // An oversized frame would get the socket closed (1009), and the resend after the
    // reconnect would close it again: refuse it here instead.
    if (utf8Length(JSON.stringify(frame)) > MAX_FRAME_BYTES) return core.fail(msg.cid, 'too_large')
    const ok = conn?.send(frame)
    if (!ok) return core.fail(msg.cid, 'offline')
    clearTimeout(ackTimers.get(msg.cid))
    ackTimers.set(
      msg.cid,
      setTimeout(() => {
        ackTimers.delete(msg.cid)
        core.fail(msg.cid, 'timeout')
      }, ackTimeout)
    )
  }

  /** Send `text` to one or several users; returns the local message (null: nothing sent). */
  function send(text, to) {
    const content = text.replace(/^\s*\n|\s+$/g, '')
    if (!content.trim() || utf8Length(content) > MAX_CONTENT_BYTES || to.length > MAX_RECIPIENTS) return null
    const msg = core.addLocal(content, to, makeCid())
    if (!msg.to.length) return null
    transmit(msg)
    return msg
  }

  function retry(msg) {
    if (msg.status === 'failed') transmit(msg)
  }

  async function loadHistory(peer, { older = false } = {}) {
    const c = core.conv(peer)
    if (c.loading || (older && !c.hasMore)) return
    c.loading = true
    try {
      const before = older ? core.oldestId(peer) : undefined
      const answer = await authed((t) => api.history(t, peer, { before, limit: HISTORY_PAGE }))
      core.mergeHistory(peer, answer, { firstPage: !older })
      c.historyError = false
    } catch {
      c.historyError = true // the view offers to try again
    } finally {
      c.loading = false
    }
  }

  function open(peer) {
    core.setActive(peer)
    if (peer && !core.conv(peer).historyLoaded) loadHistory(peer)
  }

  return {
    state,
    net,
    core,
    start,
    stop,
    logout,
    send,
    retry,
    open,
    close: () => core.setActive(null),
    loadOlder: (peer) => loadHistory(peer, { older: true }),
    reloadHistory: (peer) => loadHistory(peer, { older: core.conv(peer).historyLoaded }),
    setVisible: core.setVisible,
    retryNow: () => conn?.retryNow(),
    refreshUsers,
    conversations: core.sortedConversations
  }
}
