// Wires the chat rules (chat-core) to the network: the WebSocket connection, the HTTP
// API, ack timeouts, and what must survive a reload (resume seq, unread counts); and the
// conversation state frames: read markers (sent for the open conversation, debounced),
// typing (throttled out, expired in), recall and edit (with a cid, their refusals shown).
import { reactive, watch } from 'vue'
import { createChatCore } from './chat-core.js'
import { Connection } from '../ws/connection.js'
import { wsUrl } from '../ws/url.js'
import { makeCid } from '../utils/cid.js'
import { makeStorage } from '../utils/storage.js'
import { MAX_CONTENT_BYTES, MAX_FRAME_BYTES, MAX_RECIPIENTS, utf8Length } from './limits.js'
import { groupKey, parseKey, userKey } from './keys.js'
import { createThrottle, TYPING_SEND_MS } from './typing.js'
import { messageFrame } from './frames.js'
import { DEFAULT_MAX_FILE_BYTES, MAX_FILES } from '../utils/files.js'

export const HISTORY_PAGE = 30
export const READ_DELAY = 300 // ms: a burst of messages makes one read frame

export function createChatStore({
  api,
  session,
  url = () => wsUrl(),
  ConnectionClass = Connection,
  connectionOptions = {},
  storage = makeStorage(),
  ackTimeout = 10000
}) {
  const freshListeners = new Set()
  const core = createChatCore(session.state.name, { onFresh: (msg, key) => freshListeners.forEach((fn) => fn(msg, key)) })
  const { state } = core
  // notice: the last refused recall / edit, {kind, code, n} (n tells two equal ones apart)
  // systemNotices: notices from the administrators ({content, ts, n}), newest last
  // files: the server's attachment limits (`ok` frame, GET /api/files/limits; null = not told)
  // fileCookie: 'pending' until POST /api/files/cookie has answered ('ok' | 'failed'): images
  // wait for it, since their requests carry only the cookie
  const net = reactive({
    conn: 'offline',
    nextRetryAt: 0,
    loadError: null,
    notice: null,
    systemNotices: [],
    files: { maxBytes: DEFAULT_MAX_FILE_BYTES, quota: null, used: null },
    fileCookie: 'pending'
  })
  const noticeListeners = new Set()
  const noticesSeen = [] // the last notices ({content, ts, classic, at}): each shows once
  let revokeHold = null // while a password change or an account deletion is under way
  const ackTimers = new Map()
  const actions = new Map() // cid -> {kind: 'recall' | 'edit', id, timer}: waiting for their frame
  const typingAllowed = createThrottle(TYPING_SEND_MS)
  let readTimer = null
  let typingTimer = null
  let notices = 0
  const stopWatch = []
  let conn = null
  let listSeen = false // a loginlist frame arrived: it is newer than any GET /api/loginlist
  let usersTimer = null
  const groupFetches = new Set() // group ids whose details are being fetched
  const token = () => session.state.token
  const seqKey = () => `parley.seq.${state.me}`
  const unreadKey = () => `parley.unread.${state.me}`

  function start() {
    state.me = session.state.name
    // Read the resume point before anything else: conversations fetched below are then
    // at least as new as it, so nothing falls in a gap between them and the live stream.
    const seq = storage.get(seqKey())
    state.lastSeq = typeof seq === 'number' ? seq : null
    core.restoreUnread(storedUnread())

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
        () => [...state.convs.values()].map((c) => [c.key, c.unread]),
        (pairs) => storage.set(unreadKey(), pairs.filter(([, n]) => n > 0))
      )
    )

    connect()
    refreshFileCookie()
    loadFileLimits()
    refreshUsers()
    loadConversations()
    loadGroups()
  }

  // The cookie that lets <img src> and download links fetch /api/files/... (they cannot send
  // the w-token header): asked for on load (a stored token), after a login (a new chat store)
  // and after each token change. Logout needs nothing: it revokes the token the cookie holds.
  let cookieCall = 0
  async function refreshFileCookie() {
    const mine = ++cookieCall
    const t = token()
    if (!t || !api.fileCookie) {
      net.fileCookie = 'failed'
      return
    }
    try {
      await api.fileCookie(t)
      if (mine === cookieCall) net.fileCookie = 'ok'
    } catch (e) {
      if (mine === cookieCall) net.fileCookie = 'failed' // an older server, or it is down: tried again after the next ok
      if (e?.status === 401) end('expired')
    }
  }

  async function loadFileLimits() {
    if (!api.fileLimits) return
    try {
      const r = await authed((t) => api.fileLimits(t))
      noteFileLimits(r)
    } catch {
      /* the ok frame's max_file_bytes, or the default */
    }
  }

  function noteFileLimits(r) {
    if (!r || typeof r !== 'object') return
    if (typeof r.max_file_bytes === 'number' && r.max_file_bytes > 0) net.files.maxBytes = r.max_file_bytes
    if (typeof r.quota_bytes === 'number') net.files.quota = r.quota_bytes
    if (typeof r.used_bytes === 'number') net.files.used = r.used_bytes
  }

  /** A file uploaded from this tab counts against my quota. */
  function noteUpload(file) {
    if (typeof net.files.used === 'number' && typeof file?.size === 'number') net.files.used += file.size
  }

  function connect() {
    conn = new ConnectionClass({
      url: url(),
      token: token(),
      getSeq: () => state.lastSeq,
      onFrame,
      onState,
      onRevoked,
      upgradeClassic: true,
      ...connectionOptions
    })
    conn.start()
  }

  /** The session token changed (a password change): a new socket with the new token. */
  function reconnect() {
    if (!conn) return
    conn.stop()
    connect()
    refreshFileCookie() // the old cookie holds the revoked token
  }

  function onRevoked() {
    // The server closes every connection of the user when the password changes or the
    // account is deleted: the answer of that call decides what happens next.
    if (revokeHold) {
      revokeHold.revoked = true
      return
    }
    end(session.expired(session.state.expires) ? 'expired' : 'revoked')
  }

  /**
   * Runs `fn` (a call after which the server closes my connections) with the revocation
   * held back: if it fails, a revocation that came meanwhile still ends the session.
   */
  async function holdRevoke(fn) {
    const hold = { revoked: false }
    revokeHold = hold
    try {
      return await fn()
    } catch (e) {
      if (revokeHold === hold) revokeHold = null
      if (hold.revoked) end('revoked')
      throw e
    } finally {
      if (revokeHold === hold) revokeHold = null
    }
  }

  // A classic socket (the first one of a new browser, until it is replaced by a resuming one)
  // gets a notice as the original protocol's message from "系统通知", without an id.
  const CLASSIC_NOTICE_FROM = '系统通知'
  const isClassicNotice = (f) => f.type === 'normal' && f.from === CLASSIC_NOTICE_FROM && (f.id === undefined || f.id === null)

  function applyNotice(f, { classic = false } = {}) {
    const content = typeof f.content === 'string' ? f.content : String(f.content ?? '')
    const ts = typeof f.ts === 'number' ? f.ts : Date.now()
    const now = Date.now()
    // The same notice twice: replayed, or on both sockets while one replaces the other.
    const dup = (x) => x.content === content && (x.ts === ts || ((classic || x.classic) && Math.abs(now - x.at) < 10000))
    if (!content || noticesSeen.some(dup)) return
    noticesSeen.push({ content, ts, classic, at: now })
    if (noticesSeen.length > 50) noticesSeen.shift()
    const n = { content, ts, from: 'system', n: ++notices }
    net.systemNotices.push(n)
    if (net.systemNotices.length > 5) net.systemNotices.splice(0, net.systemNotices.length - 5)
    noticeListeners.forEach((fn) => fn(n))
  }

  function dismissNotice(n) {
    const i = net.systemNotices.findIndex((x) => x.n === n)
    if (i >= 0) net.systemNotices.splice(i, 1)
  }

  // [[key, n]...]; earlier versions kept {peer: n} (a plain object: read with care).
  function storedUnread() {
    const v = storage.get(unreadKey())
    if (Array.isArray(v)) return v.filter((p) => Array.isArray(p) && typeof p[0] === 'string')
    if (v && typeof v === 'object') return Object.entries(v).map(([peer, n]) => [userKey(peer), n])
    return []
  }

  function stop() {
    conn?.stop()
    conn = null
    for (const t of ackTimers.values()) clearTimeout(t)
    ackTimers.clear()
    for (const a of actions.values()) clearTimeout(a.timer)
    actions.clear()
    clearTimeout(usersTimer)
    clearTimeout(readTimer)
    clearTimeout(typingTimer)
    readTimer = typingTimer = null
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
      scheduleRead()
    } catch (e) {
      net.loadError = e.code
    }
  }

  async function loadGroups() {
    const since = core.mark()
    try {
      core.setGroups(await authed((t) => api.groups(t)), since)
    } catch {
      /* conversations still show; details come with the next event or open */
    }
  }

  // A group this tab knows nothing about yet (a classic socket gets no events), or whose
  // member list a big group's event left out: ask for it (once at a time).
  async function fetchGroup(id) {
    if (groupFetches.has(id)) return
    groupFetches.add(id)
    const since = core.mark()
    try {
      const g = await authed((t) => api.group(t, id))
      if (g) core.upsertGroup(g, since)
    } catch {
      /* 403/404: it shows under its id */
    } finally {
      groupFetches.delete(id)
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

  function onFrame(f, info) {
    if (isClassicNotice(f)) return applyNotice(f, { classic: true })
    const tag = core.applyFrame(f, info)
    if (tag === 'message' || tag === 'group' || tag === 'ok') scheduleRead()
    if (tag === 'typing' || tag === 'message') expireTypingLater()
    if (tag === 'notice') {
      applyNotice(f) // live only: the server keeps no notice, so none carries a seq
    } else if (tag === 'ok') {
      session.refresh?.() // my role may have changed meanwhile
      noteFileLimits(f)
      if (net.fileCookie === 'failed') refreshFileCookie()
      // A push only comes when the list changes; a second tab of an online user gets none.
      refreshOnline()
      refreshUsers()
      if (net.loadError) {
        loadConversations() // the first try failed (server was down at load)
        loadGroups()
      }
      for (const m of core.pendingMessages()) if (m.status === 'failed' && m.error === 'offline') transmit(m)
    } else if (tag === 'message') {
      if (f.from && f.from !== state.me && !state.users.includes(f.from)) refreshUsersSoon()
      const g = f.group === undefined || f.group === null || f.group === '' ? null : String(f.group)
      if (g !== null && !state.groups.get(g)?.name) fetchGroup(g)
    } else if (tag === 'error' && actions.has(f.cid)) {
      notify(takeAction(f.cid).kind, f.code || 'error')
    } else if (tag === 'ack' || (tag === 'error' && f.cid)) {
      clearTimeout(ackTimers.get(f.cid))
      ackTimers.delete(f.cid)
    } else if (tag === 'recall' || tag === 'edit') {
      // The confirmation of mine (the frame comes to the sending connection too).
      for (const [cid, a] of [...actions]) if (a.kind === tag && String(a.id) === String(f.id)) takeAction(cid)
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
    const frame = messageFrame(msg)
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

  const tidy = (text) => text.replace(/^\s*\n|\s+$/g, '')

  /**
   * Send `text` to one or several users (`target` a list of names) or to a group
   * ({group: ID}), quoting message `replyTo` if given, with the uploaded FILEs `files` (the
   * text may then be empty); returns the local message (null: nothing sent).
   */
  function send(text, target, { replyTo, files } = {}) {
    const content = tidy(text)
    const many = Array.isArray(target) ? target.length : 0
    const attached = Array.isArray(files) ? files.filter((f) => f && f.id !== undefined && f.id !== null) : []
    if (attached.length > MAX_FILES) return null
    if ((!content.trim() && !attached.length) || utf8Length(content) > MAX_CONTENT_BYTES || many > MAX_RECIPIENTS) return null
    if (!Array.isArray(target) && (target?.group === undefined || target.group === null)) return null
    const msg = core.addLocal(content.trim() ? content : '', target, makeCid(), { replyTo, files: attached })
    if (Array.isArray(target) && !msg.to.length) return null
    for (const key of msg.group !== null ? [groupKey(msg.group)] : msg.to.map(userKey)) typingAllowed.reset(key)
    transmit(msg)
    return msg
  }

  function retry(msg) {
    if (msg.status === 'failed') transmit(msg)
  }

  async function loadHistory(key, { older = false } = {}) {
    const c = core.byKey(key)
    if (!c || c.loading || (older && !c.hasMore)) return
    c.loading = true
    try {
      // The server may end a page early (it bounds the rows one request reads) and says where
      // to go on; older servers do not, and the oldest message shown is the place.
      const before = older ? (c.historyBefore ?? core.oldestId(key)) : undefined
      const target = c.kind === 'group' ? { group: c.group } : c.peer
      const answer = await authed((t) => api.history(t, target, { before, limit: HISTORY_PAGE }))
      core.mergeHistory(key, answer, { firstPage: !older })
      c.historyBefore = answer.more && answer.before ? Number(answer.before) : undefined
      c.historyError = false
      scheduleRead()
    } catch (e) {
      if (c.kind === 'group' && (e.status === 403 || e.status === 404)) {
        // A former member (or a deleted group): what this tab has is all there is to see.
        c.gone = c.gone || (e.status === 404 ? 'deleted' : 'removed')
        c.historyLoaded = true
        c.hasMore = false
        c.historyError = false
      } else c.historyError = true // the view offers to try again
    } finally {
      c.loading = false
    }
  }

  /** Open a conversation by key (`u:NAME`, `g:ID`: a name may contain ':', so never a bare name). */
  function open(key) {
    if (key && !parseKey(key)) return
    core.setActive(key)
    const c = key && core.byKey(key)
    if (c && !c.historyLoaded) loadHistory(key)
    if (c?.kind === 'group' && !c.gone && state.groups.get(c.group)?.partial !== false) fetchGroup(c.group)
    if (c?.kind === 'group' && !c.gone) fetchReads(c.group)
    scheduleRead()
  }

  function setVisible(v) {
    core.setVisible(v)
    if (!v) return
    scheduleRead()
    const c = state.active && state.convs.get(state.active)
    if (c?.kind === 'group' && !c.gone) fetchReads(c.group) // markers may have moved meanwhile
  }

  // Read markers: once a burst of frames is over, tell the server how far the open, visible
  // conversation is read (only when something from others is newer than my marker).
  function scheduleRead() {
    if (readTimer) return
    readTimer = setTimeout(() => {
      readTimer = null
      const r = core.readTarget()
      if (!r) return
      const frame = r.conv.kind === 'group' ? { type: 'read', group: r.conv.group, upto: r.upto } : { type: 'read', with: r.conv.peer, upto: r.upto }
      if (conn?.send(frame)) core.markRead(r.key, r.upto) // else the next ok tries again
    }, READ_DELAY)
  }

  /** Who in a group has read how far (for "read by N" on my messages). */
  async function fetchReads(id) {
    try {
      core.setGroupReads(id, await authed((t) => api.groupReads(t, id)))
    } catch {
      /* no "read by" then: nothing is claimed that is not known */
    }
  }

  /** The user types in conversation `key`: a typing frame, at most one per 3 s. */
  function typing(key) {
    const c = core.byKey(key)
    if (!c || c.gone || net.conn !== 'connected' || !typingAllowed(key, Date.now())) return
    conn?.send(c.kind === 'group' ? { type: 'typing', group: c.group } : { type: 'typing', to: [c.peer] })
  }

  function expireTypingLater() {
    clearTimeout(typingTimer)
    const next = core.expireTyping(Date.now())
    typingTimer = next === null ? null : setTimeout(expireTypingLater, Math.max(0, next - Date.now()) + 20)
  }

  // Recall and edit: sent with a cid, so a refusal (`error` with the cid) can be explained;
  // the `recall` / `edit` frame that comes back is the confirmation and changes the message.
  function revise(kind, msg, content) {
    if (!msg || msg.id === undefined || msg.id === null) return false
    const cid = makeCid()
    const frame = kind === 'recall' ? { type: 'recall', id: msg.id, cid } : { type: 'edit', id: msg.id, content, cid }
    if (kind === 'edit' && utf8Length(content) > MAX_CONTENT_BYTES) return notify(kind, 'too_large')
    if (!conn?.send(frame)) return notify(kind, 'offline')
    actions.set(cid, { kind, id: msg.id, timer: setTimeout(() => {
      actions.delete(cid)
      notify(kind, 'timeout')
    }, ackTimeout) })
    return true
  }

  function takeAction(cid) {
    const a = actions.get(cid)
    clearTimeout(a?.timer)
    actions.delete(cid)
    return a || {}
  }

  function notify(kind, code) {
    net.notice = { kind: kind || 'edit', code, n: ++notices }
    return false
  }

  function edit(msg, text) {
    const content = tidy(text)
    if (!content.trim() || content === msg.content) return false
    return revise('edit', msg, content)
  }

  // Group changes. Each answers the group as it is now; the event frame that follows
  // puts the line in the timeline. Errors are thrown as ApiError for the view to explain.
  async function groupCall(fn) {
    const g = await authed(fn)
    return g ? core.upsertGroup(g) : null
  }

  async function createGroup(name, members) {
    const c = await groupCall((t) => api.createGroup(t, name, members))
    return c ? groupKey(c.group) : null
  }

  const addMembers = (id, names) => groupCall((t) => api.groupMembers(t, id, { add: names }))
  const removeMember = (id, name) => groupCall((t) => api.groupMembers(t, id, { remove: [name] }))
  const setAdmin = (id, name, on) => groupCall((t) => api.groupAdmins(t, id, on ? { add: [name] } : { remove: [name] }))
  const renameGroup = (id, name) => groupCall((t) => api.renameGroup(t, id, name))

  async function leaveGroup(id) {
    try {
      await groupCall((t) => api.groupMembers(t, id, { remove: [state.me] }))
    } catch (e) {
      if (e.status !== 404) throw e // the last member leaving deletes the group
    }
    core.groupConv(id).gone = 'left'
  }

  async function deleteGroup(id) {
    await authed((t) => api.deleteGroup(t, id))
    core.groupConv(id).gone = 'deleted'
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
    loadOlder: (key) => loadHistory(key, { older: true }),
    reloadHistory: (key) => loadHistory(key, { older: !!core.byKey(key)?.historyLoaded }),
    createGroup,
    addMembers,
    removeMember,
    setAdmin,
    renameGroup,
    leaveGroup,
    deleteGroup,
    loadGroups,
    refreshGroup: fetchGroup,
    setVisible,
    typing,
    recall: (msg) => revise('recall', msg),
    edit,
    clearNotice: () => (net.notice = null),
    lookup: core.lookup,
    /** fn(msg, key) for each message from someone else arriving live for the first time. */
    onFresh: (fn) => {
      freshListeners.add(fn)
      return () => freshListeners.delete(fn)
    },
    retryNow: () => conn?.retryNow(),
    /** fn({content, ts, n}) for each notice from the administrators. */
    onNotice: (fn) => {
      noticeListeners.add(fn)
      return () => noticeListeners.delete(fn)
    },
    dismissNotice,
    holdRevoke,
    reconnect,
    authed,
    refreshUsers,
    refreshFileCookie,
    refreshFileLimits: loadFileLimits,
    noteUpload,
    conversations: core.sortedConversations
  }
}
