import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createChatStore, READ_DELAY } from '../../src/stores/chat.js'
import { createSession } from '../../src/stores/session.js'
import { TYPING_SHOW_MS } from '../../src/stores/typing.js'
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
    groups: vi.fn(async () => []),
    group: vi.fn(async () => null),
    groupReads: vi.fn(async () => []),
    history: vi.fn(async () => ({ code: '2000', messages: [], more: false })),
    logout: vi.fn(async () => ({ code: '2000' })),
    ...over
  }
}

async function setup({ api = fakeApi(), storage = memoryStorage() } = {}) {
  const ws = makeFakeWS()
  const session = createSession({ api, storage })
  session.set('TOKEN', 'alice', null)
  const chat = createChatStore({
    api,
    session,
    storage,
    url: () => 'ws://x/api/ws',
    ackTimeout: 5000,
    connectionOptions: { WebSocket: ws.FakeWS, backoff: { random: () => 1 }, upgradeClassic: false }
  })
  chat.start()
  const sock = () => ws.last()
  const connect = async (over = {}) => {
    sock().open()
    sock().frame({ type: 'ok', name: 'alice', seq: 0, to: [], recall_window: 120, edit_window: 900, ...over })
    await flushPromises()
  }
  const sent = (type) => sock().sent.filter((f) => f.type === type)
  return { chat, ws, sock, connect, api, sent }
}

const fromBob = (id, extra = {}) => ({ type: 'normal', id, seq: id, ts: Date.now(), from: 'bob', to: [], content: 'm' + id, ...extra })

describe('read markers', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('sends one read frame for the newest message of the open conversation, after a burst, only when it rises', async () => {
    const { chat, sock, connect, sent } = await setup()
    await connect()
    for (const id of [1, 2, 3]) sock().frame(fromBob(id))
    chat.open('u:bob')
    await flushPromises()
    expect(sent('read')).toHaveLength(0) // debounced
    vi.advanceTimersByTime(READ_DELAY)
    expect(sent('read')).toEqual([{ type: 'read', with: 'bob', upto: 3 }])
    chat.open('u:bob')
    vi.advanceTimersByTime(READ_DELAY)
    expect(sent('read')).toHaveLength(1) // nothing new
    sock().frame(fromBob(4))
    vi.advanceTimersByTime(READ_DELAY)
    expect(sent('read').at(-1)).toEqual({ type: 'read', with: 'bob', upto: 4 })
  })

  it('sends nothing while the tab is hidden, and catches up when it is visible again', async () => {
    const { chat, sock, connect, sent } = await setup()
    await connect()
    chat.open('u:bob')
    chat.setVisible(false)
    sock().frame(fromBob(7))
    vi.advanceTimersByTime(READ_DELAY * 3)
    expect(sent('read')).toHaveLength(0)
    expect(chat.state.convs.get('u:bob').unread).toBe(1)
    chat.setVisible(true)
    vi.advanceTimersByTime(READ_DELAY)
    expect(sent('read')).toEqual([{ type: 'read', with: 'bob', upto: 7 }])
    expect(chat.state.convs.get('u:bob').unread).toBe(0)
  })

  it('marks a group read with "group", and fetches who has read how far when it opens', async () => {
    const api = fakeApi({ groupReads: vi.fn(async () => [{ name: 'bob', upto: 12 }]) })
    const { chat, sock, connect, sent } = await setup({ api })
    await connect()
    sock().frame(fromBob(12, { group: '7' }))
    chat.open('g:7')
    await flushPromises()
    expect(api.groupReads).toHaveBeenCalledWith('TOKEN', '7')
    expect(chat.state.convs.get('g:7').reads.get('bob')).toBe(12)
    vi.advanceTimersByTime(READ_DELAY)
    expect(sent('read')).toEqual([{ type: 'read', group: '7', upto: 12 }])
  })

  it('tries again after a reconnect when the socket was down', async () => {
    const { chat, sock, connect, sent } = await setup()
    await connect()
    sock().frame(fromBob(3))
    chat.open('u:bob')
    sock().serverClose(1006)
    vi.advanceTimersByTime(READ_DELAY)
    vi.advanceTimersByTime(300) // the reconnect
    await connect()
    vi.advanceTimersByTime(READ_DELAY)
    expect(sent('read')).toEqual([{ type: 'read', with: 'bob', upto: 3 }])
  })
})

describe('typing', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('sends at most one typing frame per conversation every 3 s', async () => {
    const { chat, connect, sent } = await setup()
    await connect()
    chat.typing('u:bob')
    chat.typing('u:bob')
    chat.typing('g:7')
    vi.advanceTimersByTime(2999)
    chat.typing('u:bob')
    expect(sent('typing')).toEqual([{ type: 'typing', to: ['bob'] }, { type: 'typing', group: '7' }])
    vi.advanceTimersByTime(1)
    chat.typing('u:bob')
    expect(sent('typing')).toHaveLength(3)
    chat.send('done typing', ['bob'])
    chat.typing('u:bob') // the next message being typed is news at once
    expect(sent('typing')).toHaveLength(4)
  })

  it('shows a typing frame for about 5 s', async () => {
    const { chat, sock, connect } = await setup()
    await connect()
    sock().frame(fromBob(1))
    sock().frame({ type: 'typing', from: 'bob', to: ['alice'] })
    const c = chat.state.convs.get('u:bob')
    expect([...c.typing.keys()]).toEqual(['bob'])
    vi.advanceTimersByTime(TYPING_SHOW_MS - 100)
    expect(c.typing.size).toBe(1)
    vi.advanceTimersByTime(200)
    expect(c.typing.size).toBe(0)
  })
})

describe('recall, edit, reply', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  async function withMine() {
    const t = await setup()
    await t.connect()
    const m = t.chat.send('hello', ['bob'])
    t.sock().frame({ type: 'ack', cid: m.cid, id: 20, seq: 1, ts: Date.now(), to: ['bob'] })
    return { ...t, m }
  }

  it('takes the windows from ok', async () => {
    const { chat } = await withMine()
    expect(chat.state.windows).toEqual({ recall: 120, edit: 900 })
  })

  it('recalls with the id and a cid; the recall frame that comes back changes the message', async () => {
    const { chat, sock, m, sent } = await withMine()
    expect(chat.recall(m)).toBe(true)
    const f = sent('recall')[0]
    expect(f).toMatchObject({ type: 'recall', id: 20 })
    expect(f.cid).toMatch(/^[0-9a-f]{24}$/)
    expect(m.recalled).toBe(false) // not before the server says so
    sock().frame({ type: 'recall', seq: 2, id: 20, eid: 21, ts: 1, from: 'alice' })
    expect(m).toMatchObject({ recalled: true, content: '' })
    vi.advanceTimersByTime(10000)
    expect(chat.net.notice).toBe(null) // confirmed: no timeout notice
  })

  it('explains a refused recall or edit by its code', async () => {
    const { chat, sock, m, sent } = await withMine()
    chat.recall(m)
    sock().frame({ type: 'error', code: 'too_late', cid: sent('recall')[0].cid, content: 'too late', to: [] })
    expect(chat.net.notice).toMatchObject({ kind: 'recall', code: 'too_late' })
    chat.edit(m, 'changed')
    sock().frame({ type: 'error', code: 'recalled', cid: sent('edit')[0].cid, to: [] })
    expect(chat.net.notice).toMatchObject({ kind: 'edit', code: 'recalled' })
    expect(m.status).toBe('sent') // the message itself is untouched
    chat.clearNotice()
    expect(chat.net.notice).toBe(null)
  })

  it('says so when the server does not answer, or the socket is down', async () => {
    const { chat, sock, m } = await withMine()
    chat.recall(m)
    vi.advanceTimersByTime(5000)
    expect(chat.net.notice).toMatchObject({ kind: 'recall', code: 'timeout' })
    sock().serverClose(1006)
    expect(chat.edit(m, 'offline edit')).toBe(false)
    expect(chat.net.notice).toMatchObject({ kind: 'edit', code: 'offline' })
  })

  it('edits with the new text; nothing is sent for the same text; the edit frame applies it', async () => {
    const { chat, sock, m, sent } = await withMine()
    expect(chat.edit(m, 'hello  ')).toBe(false) // the same once tidied
    expect(chat.edit(m, 'hello, bob')).toBe(true)
    expect(sent('edit')[0]).toMatchObject({ type: 'edit', id: 20, content: 'hello, bob' })
    sock().frame({ type: 'edit', seq: 2, id: 20, eid: 22, ts: 1, from: 'alice', content: 'hello, bob' })
    expect(m).toMatchObject({ content: 'hello, bob', edited: true })
  })

  it('sends reply_to on the normal frame, also on a retry, and shows a bad_reply refusal', async () => {
    const { chat, sock, sent } = await withMine()
    const r = chat.send('answer', ['bob'], { replyTo: 20 })
    expect(sent('normal').at(-1)).toMatchObject({ content: 'answer', to: ['bob'], reply_to: 20, cid: r.cid })
    sock().frame({ type: 'error', code: 'bad_reply', cid: r.cid, to: [] })
    expect(r).toMatchObject({ status: 'failed', error: 'bad_reply' })
    chat.retry(r)
    expect(sent('normal').at(-1)).toMatchObject({ reply_to: 20, cid: r.cid })
    expect(sent('normal')[0].reply_to).toBe(undefined) // a plain message has none
  })
})

describe('fresh messages (tab title, notifications)', () => {
  it('tells listeners once per new message from someone else', async () => {
    const { chat, sock, connect } = await setup()
    await connect()
    const seen = []
    const stop = chat.onFresh((m, key) => seen.push([m.id, key]))
    sock().frame(fromBob(1))
    sock().frame(fromBob(1)) // a duplicate
    sock().frame({ type: 'normal', id: 2, seq: 2, from: 'alice', to: ['bob'], content: 'mine', cid: 'x' })
    sock().frame(fromBob(3, { group: '7' }))
    stop()
    sock().frame(fromBob(4))
    expect(seen).toEqual([
      [1, 'u:bob'],
      [3, 'g:7']
    ])
  })
})
