import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createChatStore } from '../../src/stores/chat.js'
import { createSession } from '../../src/stores/session.js'
import { makeFakeWS } from './fake-ws.js'

function memoryStorage(init = {}) {
  const data = { ...init }
  return { data, get: (k) => (k in data ? data[k] : null), set: (k, v) => (data[k] = v), remove: (k) => delete data[k] }
}

async function setup({ me = 'alice', api: over = {}, storage = memoryStorage() } = {}) {
  const api = {
    list: vi.fn(async () => [me]),
    loginlist: vi.fn(async () => [me]),
    conversations: vi.fn(async () => []),
    groups: vi.fn(async () => []),
    history: vi.fn(async () => ({ code: '2000', messages: [], more: false })),
    user: vi.fn(async () => ({ code: '2000', name: me, role: 'user' })),
    ...over
  }
  const ws = makeFakeWS()
  const session = createSession({ api, storage })
  session.set('TOKEN', me, null)
  const chat = createChatStore({ api, session, storage, url: () => 'ws://x/api/ws', connectionOptions: { WebSocket: ws.FakeWS, backoff: { random: () => 1 } } })
  chat.start()
  const sock = () => ws.last()
  sock().open()
  sock().frame({ type: 'ok', name: me, seq: 0 })
  await flushPromises()
  return { chat, sock, api, session, storage }
}

describe('system notices', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('a notice frame is kept for the banner and told to listeners, once', async () => {
    const { chat, sock } = await setup()
    const heard = vi.fn()
    chat.onNotice(heard)
    sock().frame({ type: 'notice', content: 'Maintenance at 22:00', from: 'system', ts: 1000 })
    sock().frame({ type: 'notice', content: 'Maintenance at 22:00', from: 'system', ts: 1000 }) // replayed
    expect(chat.net.systemNotices.map((n) => n.content)).toEqual(['Maintenance at 22:00'])
    expect(heard).toHaveBeenCalledTimes(1)
    expect(heard.mock.calls[0][0]).toMatchObject({ content: 'Maintenance at 22:00', ts: 1000 })
    chat.dismissNotice(chat.net.systemNotices[0].n)
    expect(chat.net.systemNotices).toEqual([])
    // a notice is not a message: no conversation for "system"
    expect(chat.state.convs.size).toBe(0)
  })

  it('a classic socket\'s notice (a normal frame from 系统通知, no id) is a notice too, shown once', async () => {
    const { chat, sock } = await setup()
    sock().frame({ type: 'normal', content: 'Restart soon', from: '系统通知', to: [] })
    sock().frame({ type: 'notice', content: 'Restart soon', from: 'system', ts: 5 }) // the resuming socket's copy
    expect(chat.net.systemNotices.map((n) => n.content)).toEqual(['Restart soon'])
    expect(chat.state.convs.has('u:系统通知')).toBe(false)
    // a real user of that name sends messages with ids: those stay messages
    sock().frame({ type: 'normal', id: 77, seq: 1, ts: 9, content: 'hi', from: '系统通知', to: ['alice'] })
    expect(chat.state.convs.get('u:系统通知').messages.map((m) => m.content)).toEqual(['hi'])
  })

  it('keeps the last five', async () => {
    const { chat, sock } = await setup()
    for (let i = 0; i < 7; i++) sock().frame({ type: 'notice', content: 'n' + i, from: 'system', ts: i })
    expect(chat.net.systemNotices.map((n) => n.content)).toEqual(['n2', 'n3', 'n4', 'n5', 'n6'])
  })

  it('each ok asks who I am again (a role change shows after a reconnect)', async () => {
    const { api, session, sock } = await setup({ api: { user: vi.fn(async () => ({ code: '2000', name: 'alice', role: 'admin' })) } })
    expect(api.user).toHaveBeenCalled()
    expect(session.state.role).toBe('admin')
    sock().frame({ type: 'ok', name: 'alice', seq: 0 })
  })
})

describe('names that are Object.prototype keys, through the store', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())
  const awkward = ['constructor', '__proto__', 'toString', 'hasOwnProperty']

  it('conversations load past them, live messages both ways, unread counts, history', async () => {
    const { chat, sock } = await setup({
      api: {
        conversations: vi.fn(async () => [
          ...awkward.map((n, i) => ({ with: n, unread: i + 1, last: { id: 10 + i, ts: 10 + i, from: n, to: ['alice'], content: `last ${n}` } })),
          { with: 'zed', unread: 0, last: { id: 20, ts: 20, from: 'alice', to: ['zed'], content: 'after them' } }
        ]),
        history: vi.fn(async (t, peer) => ({ code: '2000', messages: [{ id: 1, ts: 1, from: 'alice', to: [peer], content: `first to ${peer}` }], more: false }))
      }
    })
    await flushPromises()
    expect(chat.conversations().map((c) => c.key).sort()).toEqual([...awkward.map((n) => 'u:' + n), 'u:zed'].sort())
    awkward.forEach((n, i) => expect(chat.state.convs.get('u:' + n).unread).toBe(i + 1))
    // a live message from each adds one; mine to each goes in its conversation
    awkward.forEach((n, i) => sock().frame({ type: 'normal', id: 30 + i, seq: i + 1, ts: 30 + i, from: n, to: ['alice'], content: `live ${n}` }))
    awkward.forEach((n, i) => expect(chat.state.convs.get('u:' + n).unread).toBe(i + 2))
    const m = chat.send('to all of them', awkward)
    for (const n of awkward) expect(chat.state.convs.get('u:' + n).messages).toContain(m)
    chat.open('u:__proto__')
    await flushPromises()
    const c = chat.state.convs.get('u:__proto__')
    expect(c.unread).toBe(0)
    expect(c.messages.map((x) => x.content)).toEqual(['first to __proto__', 'last __proto__', 'live __proto__', 'to all of them'])
    expect({}.messages).toBeUndefined() // nothing leaked onto Object.prototype
  })

  it('unread counts stored by an older version as {name: n} come back for these names too', async () => {
    const storage = memoryStorage({ 'parley.unread.alice': JSON.parse('{"constructor": 2, "__proto__": 3, "toString": 1}') })
    const { chat } = await setup({ storage })
    expect(chat.state.convs.get('u:constructor').unread).toBe(2)
    expect(chat.state.convs.get('u:__proto__').unread).toBe(3)
    expect(chat.state.convs.get('u:toString').unread).toBe(1)
  })

  it('typing from them shows in their conversation', async () => {
    const { chat, sock } = await setup()
    sock().frame({ type: 'normal', id: 5, seq: 1, ts: 5, from: 'constructor', to: ['alice'], content: 'hi' })
    sock().frame({ type: 'typing', from: 'constructor', to: ['alice'] })
    expect([...chat.state.convs.get('u:constructor').typing.keys()]).toEqual(['constructor'])
  })
})
