import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createChatStore } from '../../src/stores/chat.js'
import { createSession } from '../../src/stores/session.js'
import { makeFakeWS } from './fake-ws.js'

function memoryStorage(init = {}) {
  const data = { ...init }
  return { data, get: (k) => (k in data ? data[k] : null), set: (k, v) => (data[k] = v), remove: (k) => delete data[k] }
}

function fakeApi(over = {}) {
  return {
    list: vi.fn(async () => ['alice', 'bob', 'carol']),
    loginlist: vi.fn(async () => ['alice']),
    conversations: vi.fn(async () => []),
    history: vi.fn(async () => ({ code: '2000', messages: [], more: false })),
    logout: vi.fn(async () => ({ code: '2000' })),
    user: vi.fn(async () => ({ code: '2000', name: 'alice' })),
    ...over
  }
}

async function setup({ api = fakeApi(), storage = memoryStorage(), upgradeClassic = false } = {}) {
  const ws = makeFakeWS()
  const session = createSession({ api, storage })
  session.set('TOKEN', 'alice', null)
  const chat = createChatStore({
    api,
    session,
    storage,
    url: () => 'ws://x/api/ws',
    ackTimeout: 5000,
    connectionOptions: { WebSocket: ws.FakeWS, backoff: { random: () => 1 }, upgradeClassic }
  })
  chat.start()
  const sock = () => ws.last()
  const connect = async (seq = 0) => {
    sock().open()
    sock().frame({ type: 'ok', name: 'alice', seq, to: [] })
    await flushPromises()
  }
  return { chat, ws, sock, connect, api, session, storage }
}

describe('chat store', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('sends with a cid and settles on the matching ack', async () => {
    const { chat, sock, connect } = await setup()
    await connect()
    const m = chat.send('hello', ['bob'])
    const frame = sock().sent.at(-1)
    expect(frame).toMatchObject({ type: 'normal', content: 'hello', to: ['bob'] })
    expect(frame.cid).toMatch(/^[0-9a-f]{24}$/)
    expect(m.status).toBe('sending')
    sock().frame({ type: 'ack', cid: frame.cid, id: 9, seq: 1, ts: 1, to: ['bob'] })
    expect(m.status).toBe('sent')
    vi.advanceTimersByTime(10000)
    expect(m.status).toBe('sent') // the ack timer was cleared
  })

  it('fails after the ack timeout and retries with the same cid', async () => {
    const { chat, sock, connect } = await setup()
    await connect()
    const m = chat.send('lost ack', ['bob'])
    const cid = sock().sent.at(-1).cid
    vi.advanceTimersByTime(5000)
    expect(m.status).toBe('failed')
    expect(m.error).toBe('timeout')
    chat.retry(m)
    expect(m.status).toBe('sending')
    expect(sock().sent.at(-1).cid).toBe(cid)
    sock().frame({ type: 'ack', cid, id: 3, seq: 1, to: ['bob'] })
    expect(chat.state.convs.get('u:bob').messages).toHaveLength(1)
  })

  it('fails pending messages on disconnect and resends them after the reconnect', async () => {
    const { chat, sock, connect, ws } = await setup()
    await connect()
    const m = chat.send('in flight', ['bob'])
    const cid = sock().sent.at(-1).cid
    sock().serverClose(1001)
    expect(m.status).toBe('failed')
    expect(m.error).toBe('offline')
    const offline = chat.send('typed while offline', ['bob'])
    expect(offline.status).toBe('failed')
    vi.advanceTimersByTime(250)
    expect(ws.sockets).toHaveLength(2)
    await connect(0)
    const resent = sock().sent.filter((f) => f.type === 'normal')
    expect(resent.map((f) => f.cid)).toContain(cid)
    expect(resent).toHaveLength(2)
    expect(m.status).toBe('sending')
  })

  it('resumes from the seq kept in storage and keeps it up to date', async () => {
    const storage = memoryStorage({ 'parley.seq.alice': 7 })
    const { sock, connect } = await setup({ storage })
    sock().open()
    expect(sock().sent[0]).toEqual({ type: 'auth', content: 'TOKEN', seq: 7 })
    sock().frame({ type: 'ok', seq: 9 })
    sock().frame({ type: 'normal', from: 'bob', to: [], content: 'a', id: 1, seq: 8, ts: 1 })
    sock().frame({ type: 'normal', from: 'bob', to: [], content: 'b', id: 2, seq: 9, ts: 2 })
    await flushPromises()
    expect(storage.data['parley.seq.alice']).toBe(9)
    void connect
  })

  it('stores the head from ok when there was no seq', async () => {
    const { connect, storage, sock } = await setup()
    await connect(41)
    expect(sock().sent[0]).toEqual({ type: 'auth', content: 'TOKEN' })
    expect(storage.data['parley.seq.alice']).toBe(41)
  })

  it('asks for the online list after ok (a second tab gets no push)', async () => {
    const { chat, connect, api } = await setup({ api: fakeApi({ loginlist: vi.fn(async () => ['alice', 'bob']) }) })
    await connect()
    expect(api.loginlist).toHaveBeenCalled()
    expect(chat.state.online.has('bob')).toBe(true)
  })

  it('loads conversations and history, paging back from the oldest id', async () => {
    const api = fakeApi({
      conversations: vi.fn(async () => [{ with: 'bob', last: { id: 10, from: 'bob', to: ['alice'], content: 'latest', ts: 10 } }]),
      history: vi.fn(async (token, peer, { before }) =>
        before
          ? { messages: [{ id: 2, from: 'bob', to: ['alice'], content: 'older', ts: 2 }], more: false }
          : { messages: [{ id: 8, from: 'alice', to: ['bob'], content: 'mine', ts: 8 }, { id: 10, from: 'bob', to: ['alice'], content: 'latest', ts: 10 }], more: true }
      )
    })
    const { chat } = await setup({ api })
    await flushPromises()
    expect(chat.conversations().map((c) => c.key)).toEqual(['u:bob'])
    chat.open('u:bob')
    await flushPromises()
    expect(api.history).toHaveBeenCalledWith('TOKEN', 'bob', { before: undefined, limit: 30 })
    await chat.loadOlder('u:bob')
    expect(api.history).toHaveBeenLastCalledWith('TOKEN', 'bob', { before: 8, limit: 30 })
    expect(chat.state.convs.get('u:bob').messages.map((m) => m.content)).toEqual(['older', 'mine', 'latest'])
    expect(chat.state.convs.get('u:bob').hasMore).toBe(false)
  })

  it('ends the session on close 4401', async () => {
    const { session, sock, connect } = await setup()
    await connect()
    sock().serverClose(4401)
    expect(session.state.status).toBe('out')
    expect(session.state.notice).toBe('revoked')
  })

  it('ends the session when the API answers 401', async () => {
    const err = Object.assign(new Error('401'), { code: '401', status: 401 })
    const { session } = await setup({ api: fakeApi({ conversations: vi.fn(async () => Promise.reject(err)) }) })
    await flushPromises()
    expect(session.state.status).toBe('out')
  })

  it('logout revokes on the server and is not mistaken for a revocation', async () => {
    const { chat, session, sock, connect, api, ws } = await setup()
    await connect()
    await chat.logout()
    expect(api.logout).toHaveBeenCalledWith('TOKEN')
    expect(session.state.status).toBe('out')
    expect(session.state.notice).toBe(null)
    sock().serverClose(4401)
    vi.advanceTimersByTime(10000)
    expect(ws.sockets).toHaveLength(1)
  })

  it('keeps unread counts across a reload', async () => {
    const storage = memoryStorage()
    const first = await setup({ storage })
    await first.connect()
    first.sock().frame({ type: 'normal', from: 'bob', to: [], content: 'hi', id: 1, seq: 1, ts: 1 })
    await flushPromises()
    expect(storage.data['parley.unread.alice']).toEqual([['u:bob', 1]])
    first.chat.stop()
    const second = await setup({ storage })
    expect(second.chat.state.convs.get('u:bob').unread).toBe(1)
  })
})

describe('chat store limits', () => {
  it('does not send text over the content limit, nor a frame the server would close the socket for', async () => {
    const { chat, sock, connect } = await setup()
    await connect()
    expect(chat.send('x'.repeat(16 * 1024 + 1), ['bob'])).toBe(null)
    // within the content limit but escaped past the frame limit (control characters)
    const m = chat.send('\u0001'.repeat(16000), ['bob'])
    expect(m.status).toBe('failed')
    expect(m.error).toBe('too_large')
    expect(sock().sent.filter((f) => f.type === 'normal')).toHaveLength(0)
  })
})
