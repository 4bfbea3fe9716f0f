import { describe, expect, it } from 'vitest'
import { createChatCore } from '../../src/stores/chat-core.js'

const msg = (id, from, to, content = 'x', extra = {}) => ({ type: 'normal', id, from, to, content, ts: 1000 + id, ...extra })
const texts = (core, peer) => core.state.convs.get('u:' + peer).messages.map((m) => m.content)
const keys = (core) => [...core.state.convs.keys()]

describe('chat core: bucketing', () => {
  it('puts a received message in the sender conversation', () => {
    const core = createChatCore('alice')
    core.applyFrame(msg(1, 'bob', [], 'hi'))
    expect(keys(core)).toEqual(['u:bob'])
    expect(texts(core, 'bob')).toEqual(['hi'])
  })

  it('puts a sync copy (from me, from another tab) in each recipient conversation', () => {
    const core = createChatCore('alice')
    core.applyFrame(msg(5, 'alice', ['bob', 'carol'], 'to both', { seq: 3, cid: 'other-tab' }))
    expect(texts(core, 'bob')).toEqual(['to both'])
    expect(texts(core, 'carol')).toEqual(['to both'])
    // the same object in both: one ack or edit updates both views
    expect(core.state.convs.get('u:bob').messages[0]).toBe(core.state.convs.get('u:carol').messages[0])
    expect(core.state.convs.get('u:bob').unread).toBe(0)
  })

  it('never makes a conversation with myself', () => {
    const core = createChatCore('alice')
    core.addLocal('hey', ['alice', 'bob', 'bob'], 'c1')
    expect(keys(core)).toEqual(['u:bob'])
    expect(core.state.convs.get('u:bob').messages[0].to).toEqual(['bob'])
  })

  it('multi-recipient send shows the local copy in every recipient conversation', () => {
    const core = createChatCore('alice')
    const m = core.addLocal('hello all', ['bob', 'carol', 'dave'], 'c2')
    for (const p of ['bob', 'carol', 'dave']) {
      expect(core.state.convs.get('u:' + p).messages).toHaveLength(1)
      expect(core.state.convs.get('u:' + p).messages[0].status).toBe('sending')
    }
    core.applyFrame({ type: 'ack', cid: 'c2', id: 42, seq: 1, ts: 5, to: ['bob', 'carol', 'dave'] })
    expect(m.status).toBe('sent')
    for (const p of ['bob', 'carol', 'dave']) expect(core.state.convs.get('u:' + p).messages[0].id).toBe(42)
  })

  it('history pages go only to the conversation asked for', () => {
    const core = createChatCore('alice')
    core.mergeHistory('u:bob', { messages: [msg(1, 'alice', ['bob', 'carol'], 'both')], more: false }, { firstPage: true })
    expect(keys(core)).toEqual(['u:bob'])
    expect(core.state.convs.get('u:bob').historyLoaded).toBe(true)
    expect(core.state.convs.get('u:bob').hasMore).toBe(false)
  })
})

describe('chat core: dedupe by id', () => {
  it('shows a message once whatever the number of sources', () => {
    const core = createChatCore('alice')
    core.loadConversations([{ with: 'bob', last: msg(7, 'bob', ['alice'], 'last') }])
    core.applyFrame(msg(7, 'bob', [], 'last', { seq: 4 }))
    core.mergeHistory('u:bob', { messages: [msg(6, 'alice', ['bob'], 'a'), msg(7, 'bob', ['alice'], 'last')], more: true }, { firstPage: true })
    core.applyFrame(msg(7, 'bob', [], 'last', { seq: 4 }))
    expect(texts(core, 'bob')).toEqual(['a', 'last'])
  })

  it('keeps conversations ordered by id when older pages arrive', () => {
    const core = createChatCore('alice')
    core.applyFrame(msg(10, 'bob', [], 'ten'))
    core.mergeHistory('u:bob', { messages: [msg(3, 'bob', ['alice'], 'three'), msg(9, 'alice', ['bob'], 'nine')], more: true }, { firstPage: true })
    core.mergeHistory('u:bob', { messages: [msg(1, 'bob', ['alice'], 'one')], more: false }, { firstPage: false })
    expect(texts(core, 'bob')).toEqual(['one', 'three', 'nine', 'ten'])
    expect(core.oldestId('u:bob')).toBe(1)
  })

  it('matches a resumed copy of my own message to the local one by cid', () => {
    const core = createChatCore('alice')
    const m = core.addLocal('mine', ['bob'], 'c9')
    core.fail('c9', 'offline')
    // After a reconnect the server replays the sender copy (its ack was lost).
    core.applyFrame(msg(20, 'alice', ['bob'], 'mine', { seq: 8, cid: 'c9' }))
    expect(core.state.convs.get('u:bob').messages).toHaveLength(1)
    expect(m.status).toBe('sent')
    expect(m.id).toBe(20)
    // and the ack of the retry then changes nothing
    core.applyFrame({ type: 'ack', cid: 'c9', id: 20, seq: 8, ts: 1, to: ['bob'] })
    expect(core.state.convs.get('u:bob').messages).toHaveLength(1)
  })

  it('keeps one object when a sync copy with the same id arrives before the ack', () => {
    const core = createChatCore('alice')
    core.addLocal('race', ['bob'], 'c10')
    core.applyFrame(msg(30, 'alice', ['bob'], 'race', { seq: 2 })) // no cid on this copy
    core.applyFrame({ type: 'ack', cid: 'c10', id: 30, seq: 2, ts: 1, to: ['bob'] })
    expect(core.state.convs.get('u:bob').messages).toHaveLength(1)
    expect(core.state.convs.get('u:bob').messages[0].status).toBe('sent')
  })
})

describe('chat core: seq tracking', () => {
  it('takes the head from ok when no seq is known', () => {
    const core = createChatCore('alice')
    core.applyFrame({ type: 'ok', name: 'alice', seq: 12 })
    expect(core.state.lastSeq).toBe(12)
  })

  it('keeps its own seq on resume, and follows message seqs upward', () => {
    const core = createChatCore('alice')
    core.state.lastSeq = 5
    core.applyFrame({ type: 'ok', name: 'alice', seq: 9 })
    expect(core.state.lastSeq).toBe(5) // 6..9 are on their way
    core.applyFrame(msg(1, 'bob', [], 'a', { seq: 6 }))
    core.applyFrame(msg(2, 'bob', [], 'b', { seq: 7 }))
    expect(core.state.lastSeq).toBe(7)
    core.applyFrame(msg(1, 'bob', [], 'a', { seq: 6 })) // a replay never moves it back
    expect(core.state.lastSeq).toBe(7)
  })

  it('resets when the server head is behind (server data was reset)', () => {
    const core = createChatCore('alice')
    core.state.lastSeq = 50
    core.applyFrame({ type: 'ok', seq: 3 })
    expect(core.state.lastSeq).toBe(3)
  })

  it('moves with an ack only when nothing can be missing before it', () => {
    const core = createChatCore('alice')
    core.state.lastSeq = 4
    core.addLocal('a', ['bob'], 'x1')
    core.addLocal('b', ['bob'], 'x2')
    core.applyFrame({ type: 'ack', cid: 'x1', id: 1, seq: 5, to: ['bob'] })
    expect(core.state.lastSeq).toBe(5)
    core.applyFrame({ type: 'ack', cid: 'x2', id: 3, seq: 7, to: ['bob'] }) // 6 not seen yet
    expect(core.state.lastSeq).toBe(5)
  })
})

describe('chat core: acks, errors, unread, presence', () => {
  it('marks a message failed on an error frame with its cid', () => {
    const core = createChatCore('alice')
    const m = core.addLocal('big', ['bob'], 'e1')
    core.applyFrame({ type: 'error', code: 'too_large', cid: 'e1', content: 'too large' })
    expect(m.status).toBe('failed')
    expect(m.error).toBe('too_large')
    expect(core.pendingMessages()).toEqual([m])
  })

  it('ignores acks and errors for unknown cids', () => {
    const core = createChatCore('alice')
    expect(() => core.applyFrame({ type: 'ack', cid: 'nope', id: 1 })).not.toThrow()
    expect(() => core.applyFrame({ type: 'error', code: 'bad_json' })).not.toThrow()
  })

  it('counts unread for live messages outside the open conversation only', () => {
    const core = createChatCore('alice')
    core.setActive('u:bob')
    core.applyFrame(msg(1, 'bob', [], 'seen'))
    core.applyFrame(msg(2, 'carol', [], 'unseen'))
    core.applyFrame(msg(3, 'carol', [], 'unseen 2'))
    core.applyFrame(msg(3, 'carol', [], 'unseen 2')) // duplicate does not count
    core.mergeHistory('u:carol', { messages: [msg(0, 'carol', ['alice'], 'old')], more: false }, { firstPage: true })
    expect(core.state.convs.get('u:bob').unread).toBe(0)
    expect(core.state.convs.get('u:carol').unread).toBe(2)
    core.setActive('u:carol')
    expect(core.state.convs.get('u:carol').unread).toBe(0)
  })

  it('counts a message that the conversation list showed before the socket replayed it', () => {
    const core = createChatCore('alice')
    core.state.lastSeq = 4 // resuming after a reload
    core.loadConversations([{ with: 'bob', last: msg(9, 'bob', ['alice'], 'newest') }]) // HTTP won the race
    core.applyFrame(msg(8, 'bob', [], 'older', { seq: 5 }))
    core.applyFrame(msg(9, 'bob', [], 'newest', { seq: 6 }))
    core.applyFrame(msg(9, 'bob', [], 'newest', { seq: 6 })) // and once only
    expect(core.state.convs.get('u:bob').unread).toBe(2)
    expect(texts(core, 'bob')).toEqual(['older', 'newest'])
  })

  it('counts unread in the open conversation while the page is hidden', () => {
    const core = createChatCore('alice')
    core.setActive('u:bob')
    core.setVisible(false)
    core.applyFrame(msg(1, 'bob', [], 'while away'))
    expect(core.state.convs.get('u:bob').unread).toBe(1)
    core.setVisible(true)
    expect(core.state.convs.get('u:bob').unread).toBe(0)
  })

  it('replaces the online list with each loginlist frame', () => {
    const core = createChatCore('alice')
    core.applyFrame({ type: 'loginlist', content: { names: ['alice', 'bob'] }, to: [] })
    expect([...core.state.online]).toEqual(['alice', 'bob'])
    core.applyFrame({ type: 'loginlist', content: { names: ['alice'] }, to: [] })
    expect(core.state.online.has('bob')).toBe(false)
  })

  it('sorts conversations by latest activity', () => {
    const core = createChatCore('alice')
    core.applyFrame(msg(1, 'bob', [], 'old'))
    core.applyFrame(msg(2, 'carol', [], 'new'))
    expect(core.sortedConversations().map((c) => c.key)).toEqual(['u:carol', 'u:bob'])
  })
})

describe('chat core: a message first seen on a classic socket', () => {
  it('takes the text and files of the resumed copy instead of the classic rendition', () => {
    const core = createChatCore('bob')
    const classic = 'the notes\n📎 截图.txt (33 B) http://h/api/files/f1?u=4&g=0&e=1&s=x'
    core.applyFrame(msg(7, 'alice', ['bob'], classic), { classic: true })
    expect(texts(core, 'alice')).toEqual([classic])
    const file = { id: 'f1', name: '截图.txt', size: 33, type: 'text/plain' }
    core.applyFrame(msg(7, 'alice', ['bob'], 'the notes', { seq: 9, files: [file] }))
    const m = core.state.convs.get('u:alice').messages
    expect(m).toHaveLength(1)
    expect(m[0].content).toBe('the notes')
    expect(m[0].files.map((f) => f.name)).toEqual(['截图.txt'])
  })
})
