import { describe, expect, it } from 'vitest'
import { createChatCore } from '../../src/stores/chat-core.js'
import { receiptOf } from '../../src/stores/receipts.js'
import { typingNames, TYPING_SHOW_MS } from '../../src/stores/typing.js'

const msg = (id, from, to, content = 'x', extra = {}) => ({ type: 'normal', id, from, to, content, ts: 1000 + id, seq: id, ...extra })
const conv = (core, key) => core.state.convs.get(key)

describe('ticks: sending -> sent -> read', () => {
  it('follows the ack, then the peer read frame up to and including its id', () => {
    const core = createChatCore('alice')
    const m = core.addLocal('hi', ['bob'], 'c1')
    const c = conv(core, 'u:bob')
    expect(receiptOf(m, c, 'alice').tick).toBe('sending')
    core.applyFrame({ type: 'ack', cid: 'c1', id: 5, seq: 1, ts: 5, to: ['bob'] })
    expect(receiptOf(m, c, 'alice').tick).toBe('sent')
    core.applyFrame({ type: 'read', from: 'bob', with: 'alice', upto: 4 })
    expect(receiptOf(m, c, 'alice').tick).toBe('sent') // read up to an older message only
    core.applyFrame({ type: 'read', from: 'bob', with: 'alice', upto: 5 })
    expect(receiptOf(m, c, 'alice').tick).toBe('read')
    core.applyFrame({ type: 'read', from: 'bob', with: 'alice', upto: 3 }) // never goes back
    expect(receiptOf(m, c, 'alice').tick).toBe('read')
  })

  it('a failed message stays failed, and messages of others have no tick', () => {
    const core = createChatCore('alice')
    const m = core.addLocal('hi', ['bob'], 'c1')
    core.applyFrame({ type: 'error', code: 'rate_limited', cid: 'c1' })
    core.applyFrame({ type: 'read', from: 'bob', with: 'alice', upto: 99 })
    expect(receiptOf(m, conv(core, 'u:bob'), 'alice').tick).toBe('failed')
    const theirs = core.ingest(msg(7, 'bob', []), { live: true })
    expect(receiptOf(theirs, conv(core, 'u:bob'), 'alice')).toBe(null)
  })

  it('is per conversation: bob reading a message sent to bob and carol says nothing about carol', () => {
    const core = createChatCore('alice')
    const m = core.addLocal('to both', ['bob', 'carol'], 'c1')
    core.applyFrame({ type: 'ack', cid: 'c1', id: 5, seq: 1, to: ['bob', 'carol'] })
    core.applyFrame({ type: 'read', from: 'bob', with: 'alice', upto: 5 })
    expect(receiptOf(m, conv(core, 'u:bob'), 'alice').tick).toBe('read')
    expect(receiptOf(m, conv(core, 'u:carol'), 'alice').tick).toBe('sent')
  })

  it('in a group: how many other members have read it, unknown until the markers are fetched', () => {
    const core = createChatCore('alice')
    const m = core.ingest(msg(10, 'alice', [], 'hello', { group: '7' }))
    const c = conv(core, 'g:7')
    expect(receiptOf(m, c, 'alice')).toEqual({ tick: 'sent', readers: null })
    core.setGroupReads('7', [{ name: 'bob', upto: 10 }, { name: 'carol', upto: 9 }, { name: 'alice', upto: 10 }, { name: 'dave', upto: 12 }])
    expect(receiptOf(m, c, 'alice')).toEqual({ tick: 'sent', readers: 2 }) // bob and dave, not me
  })
})

describe('unread counts: the server, live messages and read frames', () => {
  it('takes the server count and adds what arrived live after its snapshot', () => {
    const core = createChatCore('bob')
    core.applyFrame(msg(9, 'alice', [], 'live, after the snapshot'))
    core.loadConversations([{ with: 'alice', unread: 4, read_upto: 2, last: msg(8, 'alice', ['bob'], 'newest in the answer') }])
    expect(conv(core, 'u:alice').unread).toBe(5)
    expect(conv(core, 'u:alice').readUpto).toBe(2)
  })

  it('does not add twice what the snapshot already counted (a resume replay after the answer)', () => {
    const core = createChatCore('bob')
    core.loadConversations([{ with: 'alice', unread: 2, read_upto: 0, last: msg(8, 'alice', ['bob'], 'b') }])
    core.applyFrame(msg(7, 'alice', [], 'a')) // the socket replays what the answer counted
    core.applyFrame(msg(8, 'alice', [], 'b'))
    expect(conv(core, 'u:alice').unread).toBe(2)
    core.applyFrame(msg(9, 'alice', [], 'c')) // and then something new
    expect(conv(core, 'u:alice').unread).toBe(3)
    core.loadConversations([{ with: 'alice', unread: 3, read_upto: 0, last: msg(9, 'alice', ['bob'], 'c') }])
    expect(conv(core, 'u:alice').unread).toBe(3) // a later answer that includes it: the same
  })

  it('keeps the client count for a server without unread', () => {
    const core = createChatCore('bob')
    core.applyFrame(msg(3, 'alice', []))
    core.loadConversations([{ with: 'alice', last: msg(3, 'alice', ['bob']) }])
    expect(conv(core, 'u:alice').unread).toBe(1)
  })

  it('a read frame from my other device lowers the count to what is newer than its marker', () => {
    const core = createChatCore('bob')
    for (const id of [1, 2, 3]) core.applyFrame(msg(id, 'alice', []))
    core.applyFrame(msg(4, 'bob', ['alice'], 'mine', { cid: 'other-tab' }))
    expect(conv(core, 'u:alice').unread).toBe(3)
    core.applyFrame({ type: 'read', from: 'bob', with: 'alice', upto: 2 })
    expect(conv(core, 'u:alice').unread).toBe(1)
    core.applyFrame({ type: 'read', from: 'bob', with: 'alice', upto: 4 })
    expect(conv(core, 'u:alice').unread).toBe(0)
    expect(conv(core, 'u:alice').readUpto).toBe(4)
  })

  it('a read frame never raises the count (the server counted more than is loaded here)', () => {
    const core = createChatCore('bob')
    core.loadConversations([{ with: 'alice', unread: 1, read_upto: 5, last: msg(8, 'alice', ['bob']) }])
    core.mergeHistory('u:alice', { messages: [msg(6, 'alice', ['bob']), msg(7, 'alice', ['bob']), msg(8, 'alice', ['bob'])], more: false }, { firstPage: true })
    core.applyFrame({ type: 'read', from: 'bob', with: 'alice', upto: 6 })
    expect(conv(core, 'u:alice').unread).toBe(1)
  })

  it('a read frame from me for a group lowers the group count', () => {
    const core = createChatCore('bob')
    core.applyFrame(msg(1, 'alice', [], 'a', { group: '7' }))
    core.applyFrame(msg(2, 'carol', [], 'b', { group: '7' }))
    core.applyFrame({ type: 'read', from: 'bob', group: '7', upto: 2 })
    expect(conv(core, 'g:7').unread).toBe(0)
  })

  it('says what to mark read: the open, visible conversation, only when something from others is newer', () => {
    const core = createChatCore('bob')
    core.applyFrame(msg(3, 'alice', []))
    expect(core.readTarget()).toBe(null) // nothing open
    core.setActive('u:alice')
    expect(core.readTarget()).toMatchObject({ key: 'u:alice', upto: 3 })
    core.setVisible(false)
    expect(core.readTarget()).toBe(null) // a hidden tab reads nothing
    core.setVisible(true)
    core.markRead('u:alice', 3)
    expect(core.readTarget()).toBe(null) // only when it rises
    core.applyFrame(msg(4, 'bob', ['alice'], 'mine', { cid: 'x' }))
    expect(core.readTarget()).toBe(null) // my own message is not news
    core.applyFrame(msg(5, 'alice', []))
    expect(core.readTarget()).toMatchObject({ upto: 5 })
  })
})

describe('recall and edit', () => {
  it('a recall frame replaces the text of the one shared message, and it stays recalled', () => {
    const core = createChatCore('alice')
    core.applyFrame(msg(5, 'alice', ['bob', 'carol'], 'oops', { cid: 'other' }))
    core.applyFrame({ type: 'recall', seq: 6, id: 5, eid: 6, ts: 2, from: 'alice' })
    for (const k of ['u:bob', 'u:carol']) expect(conv(core, k).messages[0]).toMatchObject({ recalled: true, content: '' })
    expect(core.state.lastSeq).toBe(6) // an inbox entry: the resume point moves
    core.mergeHistory('u:bob', { messages: [{ id: 5, from: 'alice', to: ['bob'], content: 'oops', ts: 1 }], more: false }, { firstPage: true })
    expect(conv(core, 'u:bob').messages[0].recalled).toBe(true) // an older HTTP copy does not bring it back
  })

  it('history items say recalled (without content) or edited', () => {
    const core = createChatCore('bob')
    core.mergeHistory(
      'u:alice',
      { messages: [{ id: 1, from: 'alice', to: ['bob'], recalled: true, edited: true, ts: 1 }, { id: 2, from: 'alice', to: ['bob'], content: 'new text', edited: true, ts: 2 }], more: false },
      { firstPage: true }
    )
    const [a, b] = conv(core, 'u:alice').messages
    expect(a).toMatchObject({ recalled: true, content: '' })
    expect(b).toMatchObject({ recalled: false, edited: true, content: 'new text' })
  })

  it('an edit frame replaces the text and marks it edited; an older edit or an HTTP copy does not undo it', () => {
    const core = createChatCore('bob')
    core.applyFrame(msg(1, 'alice', [], 'first'))
    core.applyFrame({ type: 'edit', seq: 3, id: 1, eid: 3, from: 'alice', content: 'second' })
    core.applyFrame({ type: 'edit', seq: 2, id: 1, eid: 2, from: 'alice', content: 'older' })
    const m = conv(core, 'u:alice').messages[0]
    expect(m).toMatchObject({ content: 'second', edited: true })
    core.mergeHistory('u:alice', { messages: [{ id: 1, from: 'alice', to: ['bob'], content: 'stale', edited: true, ts: 1 }], more: false }, { firstPage: true })
    expect(m.content).toBe('second')
    core.applyFrame({ type: 'recall', seq: 4, id: 1, eid: 4, from: 'alice' })
    core.applyFrame({ type: 'edit', seq: 5, id: 1, eid: 5, from: 'alice', content: 'after the recall' })
    expect(m).toMatchObject({ recalled: true, content: '' })
  })

  it('a recall or edit of a message not loaded yet applies when it loads', () => {
    const core = createChatCore('bob')
    core.applyFrame({ type: 'edit', seq: 3, id: 1, eid: 3, from: 'alice', content: 'edited' })
    core.applyFrame({ type: 'recall', seq: 4, id: 2, eid: 4, from: 'alice' })
    core.loadConversations([{ with: 'alice', last: { id: 2, from: 'alice', to: ['bob'], content: 'stale answer', ts: 2 } }])
    core.mergeHistory('u:alice', { messages: [{ id: 1, from: 'alice', to: ['bob'], content: 'before', ts: 1 }], more: true }, { firstPage: true })
    const [a, b] = conv(core, 'u:alice').messages
    expect(a).toMatchObject({ content: 'edited', edited: true })
    expect(b).toMatchObject({ recalled: true, content: '' })
  })

  it('recall and edit frames on a classic socket do not move the resume point', () => {
    const core = createChatCore('bob')
    core.state.lastSeq = 2
    core.applyFrame({ type: 'recall', seq: 9, id: 1, eid: 9, from: 'alice' }, { classic: true })
    expect(core.state.lastSeq).toBe(2)
  })

  it('takes the windows from ok, and none from a server that does not say', () => {
    const core = createChatCore('bob')
    core.applyFrame({ type: 'ok', name: 'bob', seq: 0, recall_window: 120, edit_window: 900 })
    expect(core.state.windows).toEqual({ recall: 120, edit: 900 })
    core.applyFrame({ type: 'ok', name: 'bob', seq: 0 })
    expect(core.state.windows).toEqual({ recall: 0, edit: 0 })
  })
})

describe('replies', () => {
  it('keeps reply_to and finds the quoted message among the loaded ones, also when it loads later', () => {
    const core = createChatCore('bob')
    const reply = core.ingest(msg(9, 'alice', [], 'yes!', { reply_to: 4 }), { live: true })
    expect(reply.replyTo).toBe(4)
    expect(core.lookup(4)).toBe(undefined)
    core.mergeHistory('u:alice', { messages: [{ id: 4, from: 'bob', to: ['alice'], content: 'lunch?', ts: 4 }], more: false }, { firstPage: true })
    expect(core.lookup(4).content).toBe('lunch?')
    expect(core.lookup(undefined)).toBe(undefined)
  })

  it('a local message keeps what it replies to', () => {
    const core = createChatCore('bob')
    expect(core.addLocal('sure', ['alice'], 'c1', { replyTo: 4 }).replyTo).toBe(4)
  })
})

describe('typing', () => {
  it('shows who types for a few seconds, in conversations I have only', () => {
    const core = createChatCore('bob')
    core.applyFrame(msg(1, 'alice', []))
    core.applyFrame(msg(2, 'carol', [], 'g', { group: '7' }))
    core.applyFrame({ type: 'typing', from: 'alice', to: ['bob'] }, { now: 1000 })
    core.applyFrame({ type: 'typing', from: 'carol', group: '7' }, { now: 1000 })
    core.applyFrame({ type: 'typing', from: 'dave', group: '7' }, { now: 2000 })
    core.applyFrame({ type: 'typing', from: 'zoe', to: ['bob'] }, { now: 1000 }) // no conversation: none made
    core.applyFrame({ type: 'typing', from: 'bob', to: ['bob'] }, { now: 1000 }) // never myself
    expect(typingNames(conv(core, 'u:alice'))).toEqual(['alice'])
    expect(typingNames(conv(core, 'g:7'))).toEqual(['carol', 'dave'])
    expect(core.state.convs.has('u:zoe')).toBe(false)
    expect(core.expireTyping(1000 + TYPING_SHOW_MS - 1)).toBe(1000 + TYPING_SHOW_MS)
    expect(core.expireTyping(1000 + TYPING_SHOW_MS)).toBe(2000 + TYPING_SHOW_MS)
    expect(typingNames(conv(core, 'u:alice'))).toEqual([])
    expect(typingNames(conv(core, 'g:7'))).toEqual(['dave'])
    expect(core.expireTyping(2000 + TYPING_SHOW_MS)).toBe(null)
  })

  it('another typing frame extends it; a message from that person clears it', () => {
    const core = createChatCore('bob')
    core.applyFrame(msg(1, 'alice', []))
    core.applyFrame({ type: 'typing', from: 'alice', to: ['bob'] }, { now: 1000 })
    core.applyFrame({ type: 'typing', from: 'alice', to: ['bob'] }, { now: 4000 })
    core.expireTyping(1000 + TYPING_SHOW_MS)
    expect(typingNames(conv(core, 'u:alice'))).toEqual(['alice'])
    core.applyFrame(msg(2, 'alice', [], 'there it is'))
    expect(typingNames(conv(core, 'u:alice'))).toEqual([])
  })
})
