// One logical connection to /api/ws that survives server restarts and network drops:
// it authenticates (resuming from the last seen inbox seq), keeps itself alive with
// application pings, and reconnects with capped exponential backoff. Close code 4401
// (token refused or revoked) is final: the session is over.
//
// Without a seq (the first connection of a new browser) the server treats the socket as a
// classic one, which gets no group events. With `upgradeClassic`, once the classic backlog
// has gone quiet a second socket resumes from the HEAD that `ok` gave, and replaces the first
// once it is authenticated: nothing is missed (the resume replays everything after HEAD), the
// user never looks offline to others, and sends keep working on the old socket meanwhile.
import { backoffDelay } from './backoff.js'

export const CLOSE_REVOKED = 4401

export class Connection {
  /**
   * @param {object} o
   * @param {string} o.url            WebSocket URL
   * @param {string} o.token          JWT for the auth frame
   * @param {() => number|null} o.getSeq  last inbox seq seen (null: none yet)
   * @param {(frame: object) => void} o.onFrame   every frame after auth, including `ok`
   * @param {(state: string, info: object) => void} [o.onState]  'connecting' | 'connected' | 'offline'
   * @param {() => void} [o.onRevoked] token refused or revoked (close 4401 / `no`)
   * @param {boolean} [o.upgradeClassic] replace a classic (seq-less) socket by a resuming one
   */
  constructor(o) {
    this.url = o.url
    this.token = o.token
    this.getSeq = o.getSeq || (() => null)
    this.onFrame = o.onFrame
    this.onState = o.onState || (() => {})
    this.onRevoked = o.onRevoked || (() => {})
    this.WS = o.WebSocket || globalThis.WebSocket
    this.backoff = { base: 250, cap: 5000, ...(o.backoff || {}) }
    this.pingEvery = o.pingEvery ?? 20000
    this.idleTimeout = o.idleTimeout ?? 50000 // no frame at all for this long: the link is dead
    this.openTimeout = o.openTimeout ?? 10000 // socket open + auth answered within this
    this.state = 'offline'
    this.attempt = 0
    this.ws = null
    this.stopped = true
    this.timers = {}
    this.nextRetryAt = 0
    this.lastCloseCode = null
    this.upgradeClassic = !!o.upgradeClassic
    this.quietMs = o.quietMs ?? 250 // the classic backlog is over when nothing came for this long
    this.classic = false // the current socket authenticated without seq
    this.next = null // the resuming socket being set up to replace a classic one
    this._onOnline = () => this.retryNow()
  }

  start() {
    if (!this.stopped) return
    this.stopped = false
    globalThis.addEventListener?.('online', this._onOnline)
    this._open()
  }

  stop() {
    this.stopped = true
    globalThis.removeEventListener?.('online', this._onOnline)
    this._clearTimers()
    this._drop()
    this._setState('offline')
  }

  /** Send a frame; false when not authenticated (the caller keeps it for later). */
  send(frame) {
    if (this.state !== 'connected' || !this.ws) return false
    try {
      this.ws.send(JSON.stringify(frame))
      return true
    } catch {
      return false
    }
  }

  /** Skip the backoff wait (the browser says the network is back, or the user asked). */
  retryNow() {
    if (this.stopped || this.state !== 'offline') return
    this.attempt = 0
    this._open()
  }

  _setState(state) {
    if (this.state === state) return
    this.state = state
    this.onState(state, { nextRetryAt: this.nextRetryAt, closeCode: this.lastCloseCode })
  }

  _clearTimers() {
    for (const k of Object.keys(this.timers)) {
      clearTimeout(this.timers[k])
      clearInterval(this.timers[k])
    }
    this.timers = {}
  }

  _open() {
    this._clearTimers()
    this._drop()
    this._setState('connecting')
    let ws
    try {
      ws = new this.WS(this.url)
    } catch {
      this._closed(1006)
      return
    }
    this.ws = ws
    ws.onopen = () => {
      const seq = this.getSeq()
      const auth = { type: 'auth', content: this.token }
      if (seq !== null && seq !== undefined) auth.seq = seq
      this.classic = auth.seq === undefined
      ws.send(JSON.stringify(auth))
    }
    ws.onmessage = (ev) => this._message(ev.data)
    ws.onclose = (ev) => {
      if (this.ws === ws) this._closed(ev.code)
    }
    ws.onerror = () => {} // a close event always follows
    this.timers.open = setTimeout(() => this._dead(), this.openTimeout)
  }

  _message(data) {
    let frame
    try {
      frame = JSON.parse(data)
    } catch {
      return
    }
    this._alive()
    if (frame.type === 'ok') {
      clearTimeout(this.timers.open)
      this.attempt = 0
      this._setState('connected')
      this.timers.ping = setInterval(() => this.send({ type: 'ping' }), this.pingEvery)
      if (this.classic && this.upgradeClassic) this.upgradeBy = Date.now() + 12 * this.quietMs
    } else if (frame.type === 'no') {
      this.revoked = true
    }
    if (this.upgradeBy && !this.next) {
      // Wait for a pause in the backlog, but not forever on a busy socket.
      clearTimeout(this.timers.upgrade)
      const wait = Math.max(0, Math.min(this.quietMs, this.upgradeBy - Date.now()))
      this.timers.upgrade = setTimeout(() => this._upgrade(), wait)
    }
    if (frame.type !== 'pong') this.onFrame(frame, { classic: this.classic })
  }

  _upgrade() {
    this.upgradeBy = 0
    const seq = this.getSeq()
    if (this.stopped || !this.ws || this.state !== 'connected' || seq === null || seq === undefined) return
    let next
    try {
      next = new this.WS(this.url)
    } catch {
      return // stay classic; the next reconnect resumes anyway
    }
    this.next = next
    next.onopen = () => next.send(JSON.stringify({ type: 'auth', content: this.token, seq }))
    next.onerror = () => {}
    next.onclose = () => {
      if (this.next === next) this.next = null
    }
    next.onmessage = (ev) => {
      let f
      try {
        f = JSON.parse(ev.data)
      } catch {
        return
      }
      if (f.type !== 'ok') return
      // Authenticated: it takes over. Its `ok` is not news to the caller.
      const old = this.ws
      this.next = null
      this.ws = next
      this.classic = false
      next.onmessage = (e) => this._message(e.data)
      next.onclose = (e) => {
        if (this.ws === next) this._closed(e.code)
      }
      if (old) {
        old.onopen = old.onmessage = old.onclose = old.onerror = null
        try {
          old.close()
        } catch {
          /* already closing */
        }
      }
      this._alive()
    }
  }

  _dropNext() {
    const next = this.next
    this.next = null
    this.upgradeBy = 0
    if (!next) return
    next.onopen = next.onmessage = next.onclose = next.onerror = null
    try {
      next.close()
    } catch {
      /* already closing */
    }
  }

  // Any frame proves the link works; a silent link for too long is treated as dead,
  // because a dropped network may never deliver a close event.
  _alive() {
    clearTimeout(this.timers.idle)
    this.timers.idle = setTimeout(() => this._dead(), this.idleTimeout)
  }

  _dead() {
    this._drop()
    this._closed(4408)
  }

  _drop() {
    this._dropNext()
    const ws = this.ws
    this.ws = null
    if (!ws) return
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null
    try {
      ws.close()
    } catch {
      /* already closing */
    }
  }

  _closed(code) {
    this.ws = null
    this.lastCloseCode = code
    this._clearTimers()
    if (this.stopped) return
    if (code === CLOSE_REVOKED || this.revoked) {
      this.stopped = true
      this._setState('offline')
      this.onRevoked()
      return
    }
    const delay = backoffDelay(this.attempt++, this.backoff)
    this.nextRetryAt = Date.now() + delay
    this.state = 'connecting' // force a state event even if it was already offline
    this._setState('offline')
    this.timers.retry = setTimeout(() => this._open(), delay)
  }
}
