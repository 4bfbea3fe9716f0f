import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Connection } from '../../src/ws/connection.js'
import { backoffDelay } from '../../src/ws/backoff.js'
import { wsUrl } from '../../src/ws/url.js'
import { makeFakeWS } from './fake-ws.js'

function setup(extra = {}) {
  const ws = makeFakeWS()
  const frames = []
  const states = []
  const revoked = vi.fn()
  let seq = null
  const c = new Connection({
    url: 'ws://x/api/ws',
    token: 'T',
    getSeq: () => seq,
    onFrame: (f) => frames.push(f),
    onState: (s) => states.push(s),
    onRevoked: revoked,
    WebSocket: ws.FakeWS,
    backoff: { random: () => 1 },
    ...extra
  })
  return { c, ws, frames, states, revoked, setSeq: (s) => (seq = s) }
}

describe('backoff', () => {
  it('doubles from 250 ms and caps at 5 s', () => {
    const d = (n) => backoffDelay(n, { random: () => 1 })
    expect([0, 1, 2, 3, 4, 5, 6, 30].map(d)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000])
    expect(backoffDelay(10, { random: () => 0 })).toBe(2500) // jitter keeps at least half
  })
})

describe('wsUrl', () => {
  it('follows the page origin and scheme', () => {
    expect(wsUrl({ protocol: 'http:', host: 'chat.local:9288' })).toBe('ws://chat.local:9288/api/ws')
    expect(wsUrl({ protocol: 'https:', host: 'chat.example' })).toBe('wss://chat.example/api/ws')
  })
})

describe('Connection', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('authenticates without seq first, then is connected on ok', () => {
    const { c, ws, states, frames } = setup()
    c.start()
    expect(states).toEqual(['connecting'])
    ws.last().open()
    expect(ws.last().sent).toEqual([{ type: 'auth', content: 'T' }])
    ws.last().frame({ type: 'ok', seq: 3 })
    expect(states.at(-1)).toBe('connected')
    expect(frames[0]).toMatchObject({ type: 'ok', seq: 3 })
  })

  it('resumes with the last seq after a drop, with growing delays', () => {
    const { c, ws, states, setSeq } = setup()
    c.start()
    ws.last().open()
    ws.last().frame({ type: 'ok', seq: 0 })
    setSeq(17)
    ws.last().serverClose(1001)
    expect(states.at(-1)).toBe('offline')
    expect(ws.sockets).toHaveLength(1)
    vi.advanceTimersByTime(249)
    expect(ws.sockets).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(ws.sockets).toHaveLength(2)
    // server still down: next wait is longer
    ws.last().serverClose(1006)
    vi.advanceTimersByTime(499)
    expect(ws.sockets).toHaveLength(2)
    vi.advanceTimersByTime(1)
    expect(ws.sockets).toHaveLength(3)
    ws.last().open()
    expect(ws.last().sent[0]).toEqual({ type: 'auth', content: 'T', seq: 17 })
    ws.last().frame({ type: 'ok', seq: 20 })
    expect(c.attempt).toBe(0) // backoff resets once connected
  })

  it('stops and reports on close 4401', () => {
    const { c, ws, revoked } = setup()
    c.start()
    ws.last().open()
    ws.last().frame({ type: 'ok' })
    ws.last().serverClose(4401)
    vi.advanceTimersByTime(60000)
    expect(revoked).toHaveBeenCalledOnce()
    expect(ws.sockets).toHaveLength(1)
    expect(c.state).toBe('offline')
  })

  it('treats a `no` answer as revoked even if the close code is lost', () => {
    const { c, ws, revoked } = setup()
    c.start()
    ws.last().open()
    ws.last().frame({ type: 'no', content: 'bad token' })
    ws.last().serverClose(1006)
    expect(revoked).toHaveBeenCalledOnce()
  })

  it('refuses to send before auth succeeded', () => {
    const { c, ws } = setup()
    c.start()
    ws.last().open()
    expect(c.send({ type: 'normal' })).toBe(false)
    ws.last().frame({ type: 'ok' })
    expect(c.send({ type: 'normal', content: 'x', to: ['b'] })).toBe(true)
  })

  it('pings, and gives up on a silent link', () => {
    const { c, ws } = setup({ pingEvery: 1000, idleTimeout: 3500 })
    c.start()
    ws.last().open()
    ws.last().frame({ type: 'ok' })
    vi.advanceTimersByTime(2000)
    expect(ws.last().sent.filter((f) => f.type === 'ping')).toHaveLength(2)
    vi.advanceTimersByTime(1500) // 3.5 s without a frame
    expect(c.state).toBe('offline')
    vi.advanceTimersByTime(250)
    expect(ws.sockets).toHaveLength(2)
  })

  it('times out a socket that never opens', () => {
    const { c, ws } = setup({ openTimeout: 1000 })
    c.start()
    vi.advanceTimersByTime(1000)
    expect(c.state).toBe('offline')
    vi.advanceTimersByTime(250)
    expect(ws.sockets).toHaveLength(2)
  })

  it('stop() ends everything and never reconnects', () => {
    const { c, ws } = setup()
    c.start()
    ws.last().open()
    c.stop()
    vi.advanceTimersByTime(60000)
    expect(ws.sockets).toHaveLength(1)
  })

  it('retryNow skips the wait', () => {
    const { c, ws } = setup()
    c.start()
    ws.last().serverClose(1006)
    ws.last().serverClose(1006)
    c.retryNow()
    expect(ws.sockets).toHaveLength(2)
    expect(c.state).toBe('connecting')
  })
})
