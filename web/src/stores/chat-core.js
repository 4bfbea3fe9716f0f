// The chat state and the rules that turn server frames and HTTP answers into it.
// No network, no timers, no storage here: that keeps every rule unit-testable.
//
// Rules:
// - a message is shown once per conversation: deduplicated by its server `id`;
//   a local message (sent from this tab) is matched to the server's copy by `cid`;
// - one conversation per peer: a received message goes to its sender's conversation,
//   a message I sent (here, or a sync copy from another tab) goes to each recipient's;
// - `lastSeq` is the highest inbox seq seen, the resume point after a reconnect.
import { reactive } from 'vue'
import { compareMessages } from './order.js'

let localCounter = 0

export function createChatCore(me = '') {
  const state = reactive({
    me,
    users: [], // every registered name, sorted
    online: new Set(),
    convs: {}, // peer -> conversation
    active: null, // the peer whose conversation is open
    lastSeq: null,
    visible: true // the page is visible (unread counts grow in the open conversation when hidden)
  })
  const byId = new Map() // server id -> message object (shared between conversations)
  const byCid = new Map() // cid -> my message object

  function conv(peer) {
    let c = state.convs[peer]
    if (!c) {
      c = state.convs[peer] = {
        peer,
        messages: [],
        unread: 0,
        historyLoaded: false,
        hasMore: true,
        loading: false,
        historyError: false
      }
    }
    return c
  }

  function place(c, msg) {
    if (c.messages.includes(msg)) return false
    // Most messages are newest: scan from the end.
    let i = c.messages.length
    while (i > 0 && compareMessages(c.messages[i - 1], msg) > 0) i--
    c.messages.splice(i, 0, msg)
    return true
  }

  function resort(c) {
    c.messages.sort(compareMessages)
  }

  /** Which conversations a server message belongs to. */
  function peersOf(m) {
    if (m.from === state.me) return [...new Set((m.to || []).filter((n) => n && n !== state.me))]
    return m.from ? [m.from] : []
  }

  /**
   * Put a server message into conversations. `peers` overrides the bucketing (history
   * pages belong to the conversation that was asked for). Returns the message object.
   */
  function ingest(m, { peers, live = false } = {}) {
    let msg = m.id !== undefined && m.id !== null ? byId.get(m.id) : undefined
    let fresh = false
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
        content: typeof m.content === 'string' ? m.content : String(m.content ?? ''),
        ts: m.ts || Date.now(),
        status: 'sent'
      })
      if (m.id !== undefined && m.id !== null) byId.set(m.id, msg)
      fresh = true
    }
    for (const peer of peers || peersOf(m)) {
      const c = conv(peer)
      const added = place(c, msg)
      if (added && fresh && live && msg.from !== state.me && !(state.active === peer && state.visible)) c.unread++
    }
    return msg
  }

  function settle(msg, server) {
    msg.id = server.id
    if (server.ts) msg.ts = server.ts
    msg.status = 'sent'
    msg.error = undefined
    if (server.id !== undefined && server.id !== null) byId.set(server.id, msg)
    for (const c of Object.values(state.convs)) if (c.messages.includes(msg)) resort(c)
  }

  function noteSeq(seq) {
    if (typeof seq !== 'number') return
    if (state.lastSeq === null || seq > state.lastSeq) state.lastSeq = seq
  }

  /** Apply one frame from the WebSocket. Returns a short tag for the caller's side effects. */
  function applyFrame(f) {
    switch (f.type) {
      case 'ok':
        if (f.name) state.me = f.name
        // HEAD when we had no resume point; a HEAD behind ours means the server's
        // inbox was reset, and ours would skip everything new.
        if (typeof f.seq === 'number' && (state.lastSeq === null || f.seq < state.lastSeq)) state.lastSeq = f.seq
        return 'ok'
      case 'normal':
        ingest(f, { live: true })
        noteSeq(f.seq)
        return 'message'
      case 'ack': {
        const msg = byCid.get(f.cid)
        if (msg) {
          const other = byId.get(f.id)
          if (other && other !== msg) {
            // The sync copy got here first: keep one object.
            for (const c of Object.values(state.convs)) {
              const i = c.messages.indexOf(other)
              if (i >= 0) c.messages.splice(i, 1)
            }
          }
          settle(msg, f)
          msg.to = f.to && f.to.length ? f.to : msg.to
        }
        // Our own copy's seq only moves the resume point when nothing can be missing before it.
        if (typeof f.seq === 'number' && state.lastSeq !== null && f.seq === state.lastSeq + 1) state.lastSeq = f.seq
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
      default:
        return f.type
    }
  }

  /** A message typed here: shown at once in every recipient's conversation, 'sending'. */
  function addLocal(content, to, cid) {
    const peers = [...new Set(to.filter((n) => n && n !== state.me))]
    const msg = reactive({
      key: 'c' + cid,
      cid,
      id: undefined,
      from: state.me,
      to: peers,
      content,
      ts: Date.now(),
      status: 'sending',
      localOrder: ++localCounter
    })
    byCid.set(cid, msg)
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

  function loadConversations(list) {
    for (const item of list) {
      if (!item?.with) continue
      conv(item.with)
      if (item.last) ingest(item.last, { peers: [item.with] })
    }
  }

  function mergeHistory(peer, answer, { firstPage }) {
    const c = conv(peer)
    for (const m of answer.messages || []) ingest(m, { peers: [peer] })
    if (firstPage) c.historyLoaded = true
    c.hasMore = !!answer.more
  }

  /** The id to page back from: the oldest message with an id in this conversation. */
  function oldestId(peer) {
    const c = state.convs[peer]
    return c?.messages.find((m) => m.id !== undefined && m.id !== null)?.id
  }

  function setActive(peer) {
    state.active = peer
    if (peer) {
      const c = conv(peer)
      if (state.visible) c.unread = 0
    }
  }

  function setVisible(v) {
    state.visible = v
    if (v && state.active && state.convs[state.active]) state.convs[state.active].unread = 0
  }

  function setUsers(names) {
    state.users = [...new Set(names)].sort()
  }

  /** Conversations, most recent activity first. */
  function sortedConversations() {
    return Object.values(state.convs)
      .map((c) => ({ c, last: c.messages[c.messages.length - 1] }))
      .sort((a, b) => (b.last?.ts || 0) - (a.last?.ts || 0) || a.c.peer.localeCompare(b.c.peer))
      .map((x) => x.c)
  }

  return {
    state,
    conv,
    ingest,
    applyFrame,
    addLocal,
    fail,
    pendingMessages,
    byCid,
    loadConversations,
    mergeHistory,
    oldestId,
    setActive,
    setVisible,
    setUsers,
    sortedConversations
  }
}
