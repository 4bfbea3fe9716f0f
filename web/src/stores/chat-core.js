// The chat state and the rules that turn server frames and HTTP answers into it.
// No network, no timers, no storage here: that keeps every rule unit-testable.
//
// Rules:
// - conversations live in a Map keyed by `u:NAME` (1:1) or `g:ID` (group), never in a plain
//   object: user and group names are data, and `constructor` or `__proto__` are valid names;
// - an item (message or group event) is shown once per conversation: deduplicated by its
//   server `id`; a local message (sent from this tab) is matched to the server's copy by `cid`;
// - a message with `group` goes to that group's conversation; otherwise one conversation per
//   peer: a received message goes to its sender's, one I sent (here, or a sync copy from another
//   tab) to each recipient's;
// - items are ordered by id; local ones waiting for their ack go last;
// - `lastSeq` is the highest inbox seq seen, the resume point after a reconnect;
// - unread counts are the server's (GET /api/conversations, the same on every device) plus
//   what arrives live from others outside the open, visible conversation; a `read` frame from
//   my other device lowers them (receipts.js);
// - recall and edit change the one shared message object (revisions.js); typing lives in
//   `conv.typing` (typing.js).
import { reactive } from 'vue'
import { compareMessages } from './order.js'
import { groupKey, parseKey, userKey } from './keys.js'
import { fromOthers, hasId, maxId, needsRead, newestId, unreadAfter, upTo } from './receipts.js'
import { noteTyping, stopTyping, sweepTyping } from './typing.js'
import { editMessage, mergeCopy, recallMessage } from './revisions.js'
import { normalizeFiles } from '../utils/files.js'

let localCounter = 0

const groupIdOf = (g) => (g === undefined || g === null || g === '' ? null : typeof g === 'object' ? groupIdOf(g.id) : String(g))

/**
 * `onFresh(item, key)`: called once for each message from someone else that arrives live for
 * the first time (the tab title counter and notifications listen).
 */
export function createChatCore(me = '', { onFresh } = {}) {
  const state = reactive({
    me,
    users: [], // every registered name, sorted
    online: new Set(),
    convs: new Map(), // key -> conversation
    groups: new Map(), // group id -> {id, name, owner, admins, members} as the server sent it
    active: null, // the key of the open conversation
    lastSeq: null,
    visible: true, // the page is visible (unread counts grow in the open conversation when hidden)
    windows: { recall: 0, edit: 0 } // seconds a sender may recall / edit (from `ok`; 0 = not offered)
  })
  // 'm'+id / 'e'+id -> item object (a message is shared between conversations). Reactive, so
  // a quote of a message that loads later (an older history page) shows it when it does.
  const byId = reactive(new Map())
  const recalledIds = new Set() // recalls of messages not loaded (yet)
  const editsOf = new Map() // id -> {content, eid}: edits of messages not loaded (yet)
  const byCid = new Map() // cid -> my message object
  const pendingUnread = new Map() // group key -> unread count restored before the group is known
  const touched = new Map() // group id -> change counter of its last live event
  let changes = 0

  function make(key, extra) {
    state.convs.set(key, {
      key,
      messages: [],
      unread: pendingUnread.get(key) || 0,
      historyLoaded: false,
      hasMore: true,
      loading: false,
      historyError: false,
      readUpto: 0, // my read marker (any of my devices)
      peerRead: 0, // 1:1: the peer's marker, from a live read frame of this session
      countedUpto: 0, // the server's unread count includes everything up to this id
      reads: null, // group: name -> upto, once fetched
      typing: new Map(), // name -> until (ms)
      ...extra
    })
    pendingUnread.delete(key)
    return state.convs.get(key) // the reactive proxy, so changes made through it are seen
  }

  /** The 1:1 conversation with `peer`, created when missing. */
  function conv(peer) {
    return state.convs.get(userKey(peer)) || make(userKey(peer), { kind: 'user', peer })
  }

  /** A group's conversation, created when missing. */
  function groupConv(id) {
    const key = groupKey(id)
    return state.convs.get(key) || make(key, { kind: 'group', group: String(id), gone: null, since: 0 })
  }

  /** The conversation for a key, created when missing (null for a malformed key). */
  function byKey(key) {
    const k = parseKey(key)
    if (!k) return null
    return k.kind === 'user' ? conv(k.name) : groupConv(k.id)
  }

  function place(c, item) {
    if (c.messages.includes(item)) return false
    // Most items are newest: scan from the end.
    let i = c.messages.length
    while (i > 0 && compareMessages(c.messages[i - 1], item) > 0) i--
    c.messages.splice(i, 0, item)
    return true
  }

  function resort(c) {
    c.messages.sort(compareMessages)
  }

  /** Which conversations a server message belongs to. */
  function keysOf(m) {
    const g = groupIdOf(m.group)
    if (g !== null) return [groupKey(g)]
    if (m.from === state.me) return [...new Set((m.to || []).filter((n) => n && n !== state.me))].map(userKey)
    return m.from ? [userKey(m.from)] : []
  }

  const shown = (key) => state.active === key && state.visible

  function countsUnread(key, item) {
    return fromOthers(item, state.me) && !shown(key)
  }

  /**
   * Put a server message into conversations. `keys` overrides the bucketing (history pages
   * belong to the conversation that was asked for). Returns the message object.
   */
  function ingest(m, { keys, live = false } = {}) {
    if (typeof m.event === 'string') return ingestEvent(m, { keys, live })
    let msg = hasId(m) ? byId.get('m' + m.id) : undefined
    if (!msg && m.cid && m.from === state.me && byCid.has(m.cid)) {
      // The server's copy of something this tab sent (a resumed sync copy).
      msg = byCid.get(m.cid)
      settle(msg, m)
    }
    if (!msg) {
      msg = reactive({
        key: 'm' + m.id,
        id: m.id,
        cid: m.cid,
        from: m.from,
        to: m.to || [],
        group: groupIdOf(m.group),
        content: typeof m.content === 'string' ? m.content : String(m.content ?? ''),
        ts: m.ts || Date.now(),
        status: 'sent',
        replyTo: m.reply_to ?? undefined,
        files: normalizeFiles(m.files), // attachments: FILE objects (utils/files.js)
        edited: !!m.edited,
        recalled: false
      })
      if (hasId(m)) {
        byId.set('m' + m.id, msg)
        const id = String(m.id)
        if (editsOf.has(id)) editMessage(msg, editsOf.get(id).content, editsOf.get(id).eid)
        if (m.recalled || recalledIds.has(id)) recallMessage(msg)
        editsOf.delete(id)
        recalledIds.delete(id)
      }
    } else mergeCopy(msg, m)
    // Unread counts what arrives on the socket for the first time: the socket only brings what
    // this device has not seen (live, or replayed after its resume point), even when the HTTP
    // conversation list or a history page showed the same message a moment earlier.
    const firstLive = live && !msg.seenLive
    if (live) msg.seenLive = true
    for (const key of keys || keysOf(m)) {
      const c = byKey(key)
      if (!c) continue
      place(c, msg)
      if (live) stopTyping(c, msg.from) // what they typed has arrived
      if (firstLive && countsUnread(key, msg) && !upTo(msg.id, c.countedUpto)) c.unread++
      if (firstLive && fromOthers(msg, state.me)) onFresh?.(msg, key)
    }
    return msg
  }

  /**
   * A membership event: a live `group` frame ({by, group: GROUP}) or a history item
   * ({from, group: ID}). Shown as a line in the group's timeline; one from someone else that
   * arrives live counts as unread, as the server counts it (docs/PROTOCOL.md, `unread`).
   */
  function ingestEvent(e, { keys, live = false } = {}) {
    const id = groupIdOf(e.group)
    let item = hasId(e) ? byId.get('e' + e.id) : undefined
    if (!item) {
      item = reactive({
        key: 'e' + e.id,
        id: e.id,
        kind: 'event',
        event: e.event,
        by: e.by ?? e.from ?? '',
        from: e.by ?? e.from ?? '',
        names: Array.isArray(e.names) ? e.names.filter((n) => typeof n === 'string') : [],
        title: typeof e.group === 'object' && e.group ? e.group.name : undefined, // the name after a rename
        group: id,
        ts: e.ts || Date.now(),
        status: 'sent'
      })
      if (hasId(e)) byId.set('e' + e.id, item)
    }
    // The server counts events from others as unread too: so does a tab that saw them live.
    const firstLive = live && !item.seenLive
    if (live) item.seenLive = true
    for (const key of keys || (id !== null ? [groupKey(id)] : [])) {
      const c = byKey(key)
      if (!c) continue
      place(c, item)
      if (firstLive && countsUnread(key, item) && !upTo(item.id, c.countedUpto)) c.unread++
    }
    return item
  }

  /**
   * What the server says a group looks like now; returns its conversation. An HTTP answer
   * passes `since` (mark() before the request): a live event after it is newer and wins.
   */
  function upsertGroup(g, since = Infinity) {
    const id = groupIdOf(g?.id)
    if (id === null) return null
    if ((touched.get(id) || 0) > since) return groupConv(id)
    // Frames and history of groups over 500 members leave the lists out (member_count stays):
    // keep what we had, marked `partial`, until GET /api/groups/{id} brings them.
    const prev = state.groups.get(id)
    const listed = Array.isArray(g.members)
    const members = listed ? [...g.members] : prev?.members || []
    state.groups.set(id, {
      id,
      name: typeof g.name === 'string' ? g.name : prev?.name || '',
      owner: typeof g.owner === 'string' ? g.owner : prev?.owner || '',
      admins: Array.isArray(g.admins) ? [...g.admins] : listed ? [] : prev?.admins || [],
      members,
      count: typeof g.member_count === 'number' ? g.member_count : listed ? members.length : prev?.count || 0,
      partial: !listed
    })
    const c = groupConv(id)
    if (listed) c.gone = members.includes(state.me) ? null : c.gone || 'removed'
    if (!c.since) c.since = Date.now()
    return c
  }

  function applyGroupEvent(f) {
    const id = groupIdOf(f.group)
    if (id === null || typeof f.event !== 'string') return
    touched.set(id, ++changes)
    const c = typeof f.group === 'object' && f.group ? upsertGroup(f.group) : groupConv(id)
    const names = Array.isArray(f.names) ? f.names : []
    const aboutMe = names.includes(state.me)
    const g = state.groups.get(id)
    if (f.event === 'deleted') c.gone = 'deleted'
    else if ((f.event === 'left' || f.event === 'removed') && aboutMe) c.gone = f.event
    else if (g && !g.partial) c.gone = g.members.includes(state.me) ? null : 'removed'
    else if (aboutMe || f.event === 'created') c.gone = null // big group: the event says it
    ingestEvent(f, { live: true })
  }

  function settle(msg, server) {
    msg.id = server.id
    if (server.ts) msg.ts = server.ts
    msg.status = 'sent'
    msg.error = undefined
    if (hasId(server)) byId.set('m' + server.id, msg)
    for (const c of state.convs.values()) if (c.messages.includes(msg)) resort(c)
  }

  function noteSeq(seq) {
    if (typeof seq !== 'number') return
    if (state.lastSeq === null || seq > state.lastSeq) state.lastSeq = seq
  }

  /**
   * Apply one frame from the WebSocket. Returns a short tag for the caller's side effects.
   * `classic`: the frame came on a connection that authenticated without `seq`; its seqs do
   * not move the resume point (it skips group events, which a resume must still replay).
   */
  function applyFrame(f, { classic = false, now = Date.now() } = {}) {
    switch (f.type) {
      case 'ok':
        if (f.name) state.me = f.name
        // Absent (a server without recall/edit): nothing offered.
        state.windows = {
          recall: typeof f.recall_window === 'number' ? f.recall_window : 0,
          edit: typeof f.edit_window === 'number' ? f.edit_window : 0
        }
        // HEAD when we had no resume point; a HEAD behind ours means the server's
        // inbox was reset, and ours would skip everything new.
        if (typeof f.seq === 'number' && (state.lastSeq === null || f.seq < state.lastSeq)) state.lastSeq = f.seq
        return 'ok'
      case 'normal':
        ingest(f, { live: true })
        if (!classic) noteSeq(f.seq)
        return 'message'
      case 'group':
        applyGroupEvent(f)
        if (!classic) noteSeq(f.seq)
        return 'group'
      case 'ack': {
        const msg = byCid.get(f.cid)
        if (msg) {
          const other = hasId(f) ? byId.get('m' + f.id) : undefined
          if (other && other !== msg) {
            // The sync copy got here first: keep one object.
            for (const c of state.convs.values()) {
              const i = c.messages.indexOf(other)
              if (i >= 0) c.messages.splice(i, 1)
            }
          }
          settle(msg, f)
          msg.to = f.to && f.to.length ? f.to : msg.to
        }
        // Our own copy's seq only moves the resume point when nothing can be missing before it.
        if (!classic && typeof f.seq === 'number' && state.lastSeq !== null && f.seq === state.lastSeq + 1) state.lastSeq = f.seq
        return 'ack'
      }
      case 'error':
        if (f.cid && byCid.has(f.cid)) fail(f.cid, f.code || 'error')
        return 'error'
      case 'loginlist': {
        const names = f.content?.names || []
        state.online = new Set(names)
        return 'loginlist'
      }
      case 'read':
        applyRead(f)
        return 'read'
      case 'typing':
        applyTyping(f, now)
        return 'typing'
      case 'recall':
      case 'edit':
        applyRevision(f)
        if (!classic) noteSeq(f.seq)
        return f.type
      default:
        return f.type
    }
  }

  /** My marker in conversation `c` rose to `upto` (this tab, or another device said so). */
  function noteMyRead(c, upto) {
    if (!hasId({ id: upto }) || upTo(upto, c.readUpto)) return
    c.readUpto = upto
    c.unread = shown(c.key) ? 0 : Math.min(c.unread, unreadAfter(c, upto, state.me))
  }

  /**
   * A `read` frame: from me (another device; `with` the peer, or `group`), or from a peer
   * (`with` = me: they have read my messages up to `upto`).
   */
  function applyRead(f) {
    const g = groupIdOf(f.group)
    if (!hasId({ id: f.upto })) return
    if (!f.from || f.from === state.me) {
      const c = g !== null ? groupConv(g) : typeof f.with === 'string' && f.with && f.with !== state.me ? conv(f.with) : null
      if (c) noteMyRead(c, f.upto)
    } else if (g !== null) {
      // Not sent by today's server (group markers are fetched), but harmless to follow.
      const c = state.convs.get(groupKey(g))
      if (c?.reads) c.reads.set(f.from, maxId(c.reads.get(f.from), f.upto))
    } else {
      const c = conv(f.from)
      c.peerRead = maxId(c.peerRead, f.upto)
    }
  }

  /** Someone types: shown in a conversation I have (a typing frame makes none). */
  function applyTyping(f, now) {
    if (typeof f.from !== 'string' || !f.from || f.from === state.me) return
    const g = groupIdOf(f.group)
    const c = state.convs.get(g !== null ? groupKey(g) : userKey(f.from))
    if (c) noteTyping(c, f.from, now)
  }

  /** Drops expired typing; returns the next expiry (ms) or null. */
  function expireTyping(now) {
    let next = null
    for (const c of state.convs.values()) {
      if (!c.typing.size) continue
      const n = sweepTyping(c, now)
      if (n !== null && (next === null || n < next)) next = n
    }
    return next
  }

  function applyRevision(f) {
    if (!hasId(f)) return
    const msg = byId.get('m' + f.id)
    if (f.type === 'recall') {
      if (msg) recallMessage(msg)
      else recalledIds.add(String(f.id))
    } else if (msg) editMessage(msg, f.content, f.eid)
    else if (!editsOf.has(String(f.id)) || upTo(editsOf.get(String(f.id)).eid, f.eid)) editsOf.set(String(f.id), { content: f.content, eid: f.eid })
  }

  /** The message with this id, if loaded (reactive: a later load shows up). */
  function lookup(id) {
    return id === undefined || id === null ? undefined : byId.get('m' + id)
  }

  /** GET /api/groups/{id}/reads: [{name, upto}...]. */
  function setGroupReads(id, reads) {
    const c = groupConv(id)
    c.reads = new Map((reads || []).filter((r) => r && typeof r.name === 'string' && hasId({ id: r.upto })).map((r) => [r.name, r.upto]))
  }

  /**
   * What to tell the server I have read: the open, visible conversation, when something from
   * others in it is newer than my marker. {key, conv, upto} or null.
   */
  function readTarget() {
    const c = state.active && state.convs.get(state.active)
    if (!c || !state.visible || c.gone || !needsRead(c, state.me)) return null
    return { key: c.key, conv: c, upto: newestId(c) }
  }

  /**
   * A message typed here, shown at once as 'sending': `target` is a list of names (each
   * recipient's conversation shows it) or {group: ID}. `replyTo`: the id it quotes; `files`:
   * the FILEs uploaded for it.
   */
  function addLocal(content, target, cid, { replyTo, files } = {}) {
    const group = Array.isArray(target) ? null : groupIdOf(target?.group)
    const peers = Array.isArray(target) ? [...new Set(target.filter((n) => n && n !== state.me))] : []
    const msg = reactive({
      key: 'c' + cid,
      cid,
      id: undefined,
      from: state.me,
      to: peers,
      group,
      content,
      ts: Date.now(),
      status: 'sending',
      localOrder: ++localCounter,
      replyTo: replyTo ?? undefined,
      files: normalizeFiles(files), // uploaded here: the server's FILE answers
      edited: false,
      recalled: false
    })
    byCid.set(cid, msg)
    if (group !== null) place(groupConv(group), msg)
    for (const p of peers) place(conv(p), msg)
    return msg
  }

  function fail(cid, reason) {
    const msg = byCid.get(cid)
    if (!msg || msg.status === 'sent') return
    msg.status = 'failed'
    msg.error = reason
  }

  function pendingMessages() {
    return [...byCid.values()].filter((m) => m.status !== 'sent')
  }

  /** GET /api/conversations: `{with, last}` and `{group, name, last}` entries. */
  function loadConversations(list) {
    for (const item of list || []) {
      if (!item || typeof item !== 'object') continue
      if (typeof item.with === 'string' && item.with) {
        const c = conv(item.with)
        if (item.last) ingest(item.last, { keys: [userKey(item.with)] })
        serverCounts(c, item)
      } else if (groupIdOf(item.group) !== null && typeof item.group !== 'object') {
        const id = groupIdOf(item.group)
        const c = groupConv(id)
        if (!state.groups.has(id) && typeof item.name === 'string')
          state.groups.set(id, { id, name: item.name, owner: '', admins: [], members: [], count: 0, partial: true })
        if (item.last) ingest({ ...item.last, group: id }, { keys: [groupKey(id)] })
        serverCounts(c, item)
      }
    }
  }

  /**
   * The server's `unread` and `read_upto` of a conversation list entry. The count is as of the
   * entry's `last`; what arrived live after it (and after my marker) was counted here and comes on top.
   */
  function serverCounts(c, item) {
    if (hasId({ id: item.read_upto })) c.readUpto = maxId(c.readUpto, item.read_upto)
    if (typeof item.unread !== 'number') return // an older server: the client's count stays
    const after = maxId(item.last?.id, c.readUpto)
    const later = c.messages.filter((m) => m.seenLive && fromOthers(m, state.me) && !upTo(m.id, after)).length
    c.unread = shown(c.key) ? 0 : item.unread + later
    // A resume replay of what the answer already counted must not count it again.
    c.countedUpto = maxId(c.countedUpto, item.last?.id)
  }

  /** A counter to pass to setGroups: live events after it win over the HTTP answer. */
  function mark() {
    return changes
  }

  /**
   * GET /api/groups (the groups I am in): their details, a conversation for each, and the
   * groups I have a conversation with but am no longer in marked gone. A group changed by a
   * live event since `since` (mark()) keeps what the event said: the answer may be older.
   */
  function setGroups(list, since = Infinity) {
    const ids = new Set()
    for (const g of list || []) {
      const id = groupIdOf(g?.id)
      if (id === null) continue
      ids.add(id)
      upsertGroup(g, since)
    }
    for (const c of state.convs.values()) {
      if (c.kind !== 'group' || ids.has(c.group) || (touched.get(c.group) || 0) > since) continue
      c.gone = c.gone || 'removed'
    }
  }

  function mergeHistory(key, answer, { firstPage }) {
    const c = byKey(key)
    if (!c) return
    const extra = c.kind === 'group' ? { group: c.group } : {}
    for (const m of answer.messages || []) if (m && typeof m === 'object') ingest({ ...m, ...extra }, { keys: [key] })
    if (firstPage) c.historyLoaded = true
    c.hasMore = !!answer.more
  }

  /** The id to page back from: the oldest item with an id in this conversation. */
  function oldestId(key) {
    return state.convs.get(key)?.messages.find(hasId)?.id
  }

  function setActive(key) {
    state.active = key
    if (key) {
      const c = byKey(key)
      if (c && state.visible) c.unread = 0
    }
  }

  function setVisible(v) {
    state.visible = v
    const c = state.active && state.convs.get(state.active)
    if (v && c) c.unread = 0
  }

  function setUsers(names) {
    state.users = [...new Set(names)].sort()
  }

  /** Unread counts kept across a reload: [[key, n]...]. A group's waits until it is known. */
  function restoreUnread(pairs) {
    for (const [key, n] of pairs) {
      if (typeof n !== 'number' || n <= 0) continue
      const k = parseKey(key)
      if (k?.kind === 'user') conv(k.name).unread = n
      else if (k?.kind === 'group') {
        if (state.convs.has(key)) state.convs.get(key).unread = n
        else pendingUnread.set(key, n)
      }
    }
  }

  function title(c) {
    if (c.kind === 'user') return c.peer
    return state.groups.get(c.group)?.name || '#' + c.group
  }

  const activity = (c) => c.messages[c.messages.length - 1]?.ts || c.since || 0

  /** Conversations, most recent activity first. */
  function sortedConversations() {
    return [...state.convs.values()]
      .map((c) => ({ c, at: activity(c), title: title(c) }))
      .sort((a, b) => b.at - a.at || a.title.localeCompare(b.title) || a.c.key.localeCompare(b.c.key))
      .map((x) => x.c)
  }

  return {
    state,
    conv,
    groupConv,
    byKey,
    ingest,
    applyFrame,
    addLocal,
    fail,
    pendingMessages,
    byCid,
    loadConversations,
    upsertGroup,
    setGroups,
    mark,
    mergeHistory,
    oldestId,
    setActive,
    setVisible,
    setUsers,
    restoreUnread,
    title,
    sortedConversations,
    lookup,
    setGroupReads,
    readTarget,
    markRead: (key, upto) => {
      const c = state.convs.get(key)
      if (c) noteMyRead(c, upto)
    },
    expireTyping
  }
}
