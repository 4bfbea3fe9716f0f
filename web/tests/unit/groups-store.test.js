import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createChatStore } from '../../src/stores/chat.js'
import { createSession } from '../../src/stores/session.js'
import { ApiError } from '../../src/api/http.js'
import { makeFakeWS } from './fake-ws.js'

const G = (over = {}) => ({ id: '7', name: 'Hikers', owner: 'alice', admins: [], members: ['alice', 'bob', 'carol'], ...over })

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
    groups: vi.fn(async () => []),
    group: vi.fn(async () => G()),
    createGroup: vi.fn(async (t, name, members) => G({ id: '9', name, members: ['alice', ...members] })),
    groupMembers: vi.fn(async () => G()),
    groupAdmins: vi.fn(async () => G({ admins: ['bob'] })),
    renameGroup: vi.fn(async (t, id, name) => G({ name })),
    deleteGroup: vi.fn(async () => ({ code: '2000' })),
    logout: vi.fn(async () => ({ code: '2000' })),
    ...over
  }
}

function setup({ api = fakeApi(), storage = memoryStorage(), upgradeClassic = false } = {}) {
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
  return { chat, ws, sock, connect, api, storage }
}

describe('chat store: groups', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('loads my groups at start and lists them', async () => {
    const { chat, api } = setup({ api: fakeApi({ groups: vi.fn(async () => [G()]) }) })
    await flushPromises()
    expect(api.groups).toHaveBeenCalledWith('TOKEN')
    expect(chat.conversations().map((c) => c.key)).toEqual(['g:7'])
    expect(chat.core.title(chat.state.convs.get('g:7'))).toBe('Hikers')
  })

  it('sends to a group with "group" and a cid (no "to") and settles on the ack', async () => {
    const { chat, sock, connect } = setup()
    await connect()
    const m = chat.send('hi all', { group: '7' })
    const frame = sock().sent.at(-1)
    expect(frame).toEqual({ type: 'normal', content: 'hi all', group: '7', cid: frame.cid })
    expect(frame.cid).toMatch(/^[0-9a-f]{24}$/)
    sock().frame({ type: 'ack', cid: frame.cid, id: 12, seq: 1, ts: 5, to: [], group: '7' })
    expect(m.status).toBe('sent')
    vi.advanceTimersByTime(10000)
    expect(m.status).toBe('sent')
    expect(chat.send('nowhere', {})).toBe(null)
  })

  it('a group message from an unknown group fetches its details once', async () => {
    const { chat, sock, connect, api } = setup()
    await connect()
    sock().frame({ type: 'normal', id: 3, seq: 1, ts: 1, from: 'bob', content: 'a', group: '7', to: [] })
    sock().frame({ type: 'normal', id: 4, seq: 2, ts: 2, from: 'bob', content: 'b', group: '7', to: [] })
    await flushPromises()
    expect(api.group).toHaveBeenCalledTimes(1)
    expect(api.group).toHaveBeenCalledWith('TOKEN', '7')
    expect(chat.state.groups.get('7').name).toBe('Hikers')
    expect(chat.state.convs.get('g:7').unread).toBe(2)
  })

  it('pages a group history with ?group and before = the oldest id', async () => {
    const history = vi.fn(async (t, target, { before }) =>
      before
        ? { messages: [{ id: 1, ts: 1, from: 'alice', event: 'created', names: [], group: '7' }], more: false }
        : {
            messages: [
              { id: 2, ts: 2, from: 'bob', to: [], content: 'two', group: '7' },
              { id: 3, ts: 3, from: 'alice', event: 'added', names: ['carol'], group: '7' }
            ],
            more: true
          }
    )
    const { chat } = setup({ api: fakeApi({ history, groups: vi.fn(async () => [G()]) }) })
    await flushPromises()
    chat.open('g:7')
    await flushPromises()
    expect(history).toHaveBeenCalledWith('TOKEN', { group: '7' }, { before: undefined, limit: 30 })
    await chat.loadOlder('g:7')
    expect(history).toHaveBeenLastCalledWith('TOKEN', { group: '7' }, { before: 2, limit: 30 })
    expect(chat.state.convs.get('g:7').messages.map((m) => m.event || m.content)).toEqual(['created', 'two', 'added'])
  })

  it('a former member reading the history (403) sees what they have, not an error', async () => {
    const history = vi.fn(async () => Promise.reject(new ApiError('4030', 'no', 403)))
    const { chat } = setup({ api: fakeApi({ history }) })
    chat.open('g:7')
    await flushPromises()
    const c = chat.state.convs.get('g:7')
    expect(c.historyError).toBe(false)
    expect(c.historyLoaded).toBe(true)
    expect(c.gone).toBe('removed')
  })

  it('creates a group and changes it through the API', async () => {
    const { chat, api } = setup()
    await flushPromises()
    const key = await chat.createGroup('Weekend', ['bob', 'constructor'])
    expect(api.createGroup).toHaveBeenCalledWith('TOKEN', 'Weekend', ['bob', 'constructor'])
    expect(key).toBe('g:9')
    expect(chat.state.groups.get('9').members).toEqual(['alice', 'bob', 'constructor'])
    await chat.addMembers('7', ['dave'])
    expect(api.groupMembers).toHaveBeenLastCalledWith('TOKEN', '7', { add: ['dave'] })
    await chat.removeMember('7', 'carol')
    expect(api.groupMembers).toHaveBeenLastCalledWith('TOKEN', '7', { remove: ['carol'] })
    await chat.setAdmin('7', 'bob', true)
    expect(api.groupAdmins).toHaveBeenLastCalledWith('TOKEN', '7', { add: ['bob'] })
    expect(chat.state.groups.get('7').admins).toEqual(['bob'])
    await chat.setAdmin('7', 'bob', false)
    expect(api.groupAdmins).toHaveBeenLastCalledWith('TOKEN', '7', { remove: ['bob'] })
    await chat.renameGroup('7', 'Climbers')
    expect(chat.state.groups.get('7').name).toBe('Climbers')
    await chat.leaveGroup('7')
    expect(api.groupMembers).toHaveBeenLastCalledWith('TOKEN', '7', { remove: ['alice'] })
    expect(chat.state.convs.get('g:7').gone).toBe('left')
    await chat.deleteGroup('9')
    expect(api.deleteGroup).toHaveBeenCalledWith('TOKEN', '9')
    expect(chat.state.convs.get('g:9').gone).toBe('deleted')
  })

  it('passes a refused change on to the view', async () => {
    const err = new ApiError('4001', 'unknown', 400, { code: '4001', unknown: ['ghost'] })
    const { chat } = setup({ api: fakeApi({ createGroup: vi.fn(async () => Promise.reject(err)) }) })
    await expect(chat.createGroup('X', ['ghost'])).rejects.toBe(err)
    expect(chat.state.convs.size).toBe(0)
  })

  it('keeps unread counts of users with awkward names and of groups across a reload', async () => {
    // the old format, as JSON.parse gives it back from localStorage ("__proto__" an own key)
    const storage = memoryStorage({ 'parley.unread.alice': JSON.parse('{"constructor":2,"__proto__":1}') })
    const first = setup({ storage, api: fakeApi({ groups: vi.fn(async () => [G()]) }) })
    expect(first.chat.state.convs.get('u:constructor').unread).toBe(2)
    expect(first.chat.state.convs.get('u:__proto__').unread).toBe(1)
    await first.connect()
    first.sock().frame({ type: 'normal', id: 3, seq: 1, ts: 1, from: 'bob', content: 'a', group: '7', to: [] })
    await flushPromises()
    expect(storage.data['parley.unread.alice']).toEqual([['u:constructor', 2], ['u:__proto__', 1], ['g:7', 1]])
    first.chat.stop()
    const second = setup({ storage, api: fakeApi({ groups: vi.fn(async () => [G()]) }) })
    await flushPromises()
    expect(second.chat.state.convs.get('g:7').unread).toBe(1)
    expect(second.chat.state.convs.get('u:constructor').unread).toBe(2)
  })

  it('loads conversations with names like constructor and __proto__ and opens them', async () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty']
    const api = fakeApi({ conversations: vi.fn(async () => names.map((n, i) => ({ with: n, last: { id: i + 1, ts: i + 1, from: n, to: ['alice'], content: n } }))) })
    const { chat, sock, connect } = setup({ api })
    await connect()
    expect(chat.conversations().map((c) => c.peer)).toEqual(['hasOwnProperty', 'toString', '__proto__', 'constructor'])
    chat.open('u:__proto__')
    await flushPromises()
    expect(api.history).toHaveBeenCalledWith('TOKEN', '__proto__', { before: undefined, limit: 30 })
    chat.send('hi proto', ['__proto__'])
    expect(sock().sent.at(-1)).toMatchObject({ to: ['__proto__'], content: 'hi proto' })
    chat.open('__proto__') // a bare name is not a key: ignored, nothing breaks
    expect(chat.state.active).toBe('u:__proto__')
  })
})

describe('chat store: a classic first socket is replaced by a resuming one', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('resumes from the HEAD of ok, so group events on the way are not missed', async () => {
    const { chat, ws, connect } = setup({ upgradeClassic: true })
    await connect(10) // no stored seq: the first socket authenticated without one
    const first = ws.sockets[0]
    expect(first.sent[0]).toEqual({ type: 'auth', content: 'TOKEN' })
    first.frame({ type: 'normal', id: 50, seq: 12, ts: 1, from: 'bob', content: 'live', group: '7', to: [] })
    expect(chat.state.lastSeq).toBe(10) // seq 11 may be a group event this socket never gets
    vi.advanceTimersByTime(300) // quiet: the backlog is over
    expect(ws.sockets).toHaveLength(2)
    const second = ws.sockets[1]
    second.open()
    expect(second.sent[0]).toEqual({ type: 'auth', content: 'TOKEN', seq: 10 })
    const m = chat.send('still works', ['bob']) // meanwhile on the first socket
    expect(first.sent.at(-1)).toMatchObject({ content: 'still works' })
    second.frame({ type: 'ok', name: 'alice', seq: 12 })
    expect(first.readyState).toBe(3) // closed
    second.frame({ type: 'group', id: 49, seq: 11, ts: 1, event: 'added', by: 'bob', names: ['alice'], group: G() })
    second.frame({ type: 'normal', id: 50, seq: 12, ts: 1, from: 'bob', content: 'live', group: '7', to: [] })
    second.frame({ type: 'normal', id: 51, seq: 13, ts: 2, from: 'bob', content: 'mine', cid: m.cid, to: ['bob'] })
    expect(chat.state.lastSeq).toBe(13)
    expect(chat.state.convs.get('g:7').messages.map((x) => x.event || x.content)).toEqual(['added', 'live'])
    expect(chat.state.convs.get('g:7').unread).toBe(2) // the event and the message, once each
    expect(chat.net.conn).toBe('connected')
    chat.send('on the new socket', ['bob'])
    expect(second.sent.at(-1)).toMatchObject({ content: 'on the new socket' })
    vi.advanceTimersByTime(5000)
    expect(ws.sockets).toHaveLength(2) // no further upgrade
  })

  it('a socket that authenticated with a seq is left alone', async () => {
    const storage = memoryStorage({ 'parley.seq.alice': 4 })
    const { ws, connect } = setup({ upgradeClassic: true, storage })
    await connect(4)
    vi.advanceTimersByTime(5000)
    expect(ws.sockets).toHaveLength(1)
  })

  it('a failed upgrade keeps the classic socket', async () => {
    const { chat, ws, connect } = setup({ upgradeClassic: true })
    await connect(3)
    vi.advanceTimersByTime(300)
    ws.sockets[1].serverClose(1006)
    expect(chat.net.conn).toBe('connected')
    chat.send('still on the first', ['bob'])
    expect(ws.sockets[0].sent.at(-1)).toMatchObject({ content: 'still on the first' })
  })
})

describe('chat store: big groups', () => {
  it('opening a group whose lists an event left out fetches them', async () => {
    const api = fakeApi({ group: vi.fn(async () => ({ id: '5', name: 'Everyone', owner: 'alice', admins: [], members: ['alice', 'bob'], member_count: 2 })) })
    const { chat, sock, connect } = setup({ api })
    await connect()
    sock().frame({ type: 'group', id: 1, seq: 1, ts: 1, event: 'added', by: 'bob', names: ['alice'], group: { id: '5', name: 'Everyone', owner: 'bob', member_count: 900 } })
    expect(api.group).not.toHaveBeenCalled() // the name is known: a message needs no fetch
    chat.open('g:5')
    await flushPromises()
    expect(api.group).toHaveBeenCalledWith('TOKEN', '5')
    expect(chat.state.groups.get('5')).toMatchObject({ partial: false, members: ['alice', 'bob'] })
  })
})
