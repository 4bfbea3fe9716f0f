import { describe, expect, it } from 'vitest'
import { createChatCore } from '../../src/stores/chat-core.js'

const G = (over = {}) => ({ id: '7', name: 'Hikers', owner: 'alice', admins: [], members: ['alice', 'bob', 'carol'], ...over })
const gmsg = (id, from, content, extra = {}) => ({ type: 'normal', id, seq: id, ts: 1000 + id, from, content, group: '7', to: [], ...extra })
const gevent = (id, event, by, names, group = G(), extra = {}) => ({ type: 'group', id, seq: id, ts: 1000 + id, event, by, names, group, ...extra })
const items = (core, key = 'g:7') => core.state.convs.get(key).messages.map((m) => (m.kind === 'event' ? `[${m.event}]` : `${m.from}: ${m.content}`))

describe('groups: the conversation model', () => {
  it('puts a group message in the group conversation, not the sender one, with its sender', () => {
    const core = createChatCore('bob')
    core.applyFrame(gmsg(3, 'alice', 'hello all'))
    expect([...core.state.convs.keys()]).toEqual(['g:7'])
    const m = core.state.convs.get('g:7').messages[0]
    expect(m.from).toBe('alice')
    expect(m.group).toBe('7')
    expect(core.state.convs.get('g:7').unread).toBe(1)
    expect(core.state.lastSeq).toBe(3)
  })

  it('a created event makes the group known, with a timeline line, unread as the server counts it', () => {
    const core = createChatCore('bob')
    core.applyFrame(gevent(1, 'created', 'alice', []))
    const c = core.state.convs.get('g:7')
    expect(core.state.groups.get('7')).toMatchObject({ name: 'Hikers', owner: 'alice', members: ['alice', 'bob', 'carol'] })
    expect(core.title(c)).toBe('Hikers')
    expect(items(core)).toEqual(['[created]'])
    // GET /api/conversations counts "messages and group events from others": a live tab too
    expect(c.unread).toBe(1)
    const mine = createChatCore('alice')
    mine.applyFrame(gevent(1, 'created', 'alice', []))
    expect(mine.state.convs.get('g:7').unread).toBe(0) // my own event
    expect(c.gone).toBe(null)
    expect(core.state.lastSeq).toBe(1)
  })

  it('orders messages and events by id and shows each once, whatever the source', () => {
    const core = createChatCore('bob')
    core.applyFrame(gmsg(5, 'alice', 'five'))
    core.applyFrame(gevent(4, 'added', 'alice', ['dave'], G({ members: ['alice', 'bob', 'carol', 'dave'] })))
    // the first history page repeats both and brings older ones; event ids have their own key space
    core.mergeHistory(
      'g:7',
      {
        messages: [
          { id: 2, ts: 1002, from: 'alice', event: 'created', names: [], group: '7' },
          { id: 3, ts: 1003, from: 'carol', to: [], content: 'three', group: '7' },
          { id: 4, ts: 1004, from: 'alice', event: 'added', names: ['dave'], group: '7' },
          { id: 5, ts: 1005, from: 'alice', to: [], content: 'five', group: '7' }
        ],
        more: false
      },
      { firstPage: true }
    )
    core.applyFrame(gmsg(5, 'alice', 'five')) // a resume replay
    expect(items(core)).toEqual(['[created]', 'carol: three', '[added]', 'alice: five'])
    expect(core.oldestId('g:7')).toBe(2)
    expect(core.state.convs.get('g:7').unread).toBe(2) // the live message and event; history never counts
  })

  it('a removal of me marks the group gone and keeps the line; other removals do not', () => {
    const core = createChatCore('carol')
    core.applyFrame(gevent(1, 'created', 'alice', []))
    core.applyFrame(gevent(2, 'removed', 'alice', ['dave'], G()))
    expect(core.state.convs.get('g:7').gone).toBe(null)
    core.applyFrame(gevent(3, 'removed', 'alice', ['carol'], G({ members: ['alice', 'bob'] })))
    const c = core.state.convs.get('g:7')
    expect(c.gone).toBe('removed')
    expect(items(core)).toEqual(['[created]', '[removed]', '[removed]'])
    expect(c.messages[2].names).toEqual(['carol'])
    // added back later: a member again
    core.applyFrame(gevent(4, 'added', 'alice', ['carol'], G()))
    expect(c.gone).toBe(null)
  })

  it('leaving, deleting and renaming', () => {
    const core = createChatCore('bob')
    core.applyFrame(gevent(1, 'renamed', 'alice', [], G({ name: 'Climbers' })))
    expect(core.title(core.state.convs.get('g:7'))).toBe('Climbers')
    expect(core.state.convs.get('g:7').messages[0].title).toBe('Climbers')
    core.applyFrame(gevent(2, 'left', 'bob', ['bob'], G({ members: ['alice', 'carol'] })))
    expect(core.state.convs.get('g:7').gone).toBe('left')
    core.applyFrame(gevent(3, 'deleted', 'alice', [], G({ members: [] })))
    expect(core.state.convs.get('g:7').gone).toBe('deleted')
  })

  it('sends to a group: the local copy waits in the group conversation and settles on the ack', () => {
    const core = createChatCore('alice')
    const m = core.addLocal('to the group', { group: '7' }, 'g1')
    expect([...core.state.convs.keys()]).toEqual(['g:7'])
    expect(m.status).toBe('sending')
    expect(m.group).toBe('7')
    core.applyFrame({ type: 'ack', cid: 'g1', id: 40, seq: 9, ts: 5, to: [], group: '7' })
    expect(m.status).toBe('sent')
    expect(m.id).toBe(40)
    // my other tab's copy (with the cid) does not add a second bubble
    core.applyFrame(gmsg(40, 'alice', 'to the group', { cid: 'g1' }))
    expect(core.state.convs.get('g:7').messages).toHaveLength(1)
    expect(core.state.convs.get('g:7').unread).toBe(0) // my own message
  })

  it('a not_a_member error fails the message with that reason', () => {
    const core = createChatCore('carol')
    const m = core.addLocal('still here?', { group: '7' }, 'g2')
    core.applyFrame({ type: 'error', code: 'not_a_member', cid: 'g2', content: 'not a member' })
    expect(m.status).toBe('failed')
    expect(m.error).toBe('not_a_member')
  })

  it('counts unread for group messages outside the open group only', () => {
    const core = createChatCore('bob')
    core.applyFrame(gevent(1, 'created', 'alice', []))
    core.setActive('g:7')
    core.applyFrame(gmsg(2, 'alice', 'seen'))
    core.setActive(null)
    core.applyFrame(gmsg(3, 'alice', 'unseen'))
    core.applyFrame(gmsg(3, 'alice', 'unseen')) // a duplicate does not count
    core.applyFrame(gevent(4, 'added', 'alice', ['dave'])) // an event from others counts, as on the server
    expect(core.state.convs.get('g:7').unread).toBe(2)
  })

  it('lists groups from /api/conversations with their name and last item', () => {
    const core = createChatCore('bob')
    core.loadConversations([
      { with: 'carol', last: { id: 3, ts: 3, from: 'carol', to: ['bob'], content: 'hi' } },
      { group: '7', name: 'Hikers', last: { id: 9, ts: 9, from: 'alice', to: [], content: 'newest' } },
      { group: '8', name: 'Old', last: { id: 1, ts: 1, from: 'alice', event: 'created', names: [] } },
      { group: { id: 'x' } }, // malformed: skipped
      null
    ])
    expect(core.sortedConversations().map((c) => c.key)).toEqual(['g:7', 'u:carol', 'g:8'])
    expect(core.title(core.state.convs.get('g:8'))).toBe('Old')
    expect(core.state.convs.get('g:8').messages[0].kind).toBe('event')
    expect(core.state.convs.get('g:7').messages[0].group).toBe('7')
  })

  it('setGroups gives details, a conversation per group, and marks groups I am no longer in', () => {
    const core = createChatCore('bob')
    core.loadConversations([{ group: '8', name: 'Old', last: { id: 1, ts: 1, from: 'alice', to: [], content: 'x' } }])
    core.setGroups([G()])
    expect(core.state.convs.get('g:7').gone).toBe(null)
    expect(core.state.convs.get('g:8').gone).toBe('removed')
    expect(core.state.groups.get('7').members).toEqual(['alice', 'bob', 'carol'])
  })

  it('a live event newer than an HTTP answer wins over it', () => {
    const core = createChatCore('bob')
    const since = core.mark() // the request goes out
    core.applyFrame(gevent(1, 'added', 'alice', ['bob'], G({ id: '9', name: 'New' }))) // meanwhile
    core.setGroups([G()], since) // the answer did not know group 9 yet
    expect(core.state.convs.get('g:9').gone).toBe(null)
    core.applyFrame(gevent(2, 'removed', 'alice', ['bob'], G({ members: ['alice'] })))
    core.setGroups([G()], since) // a stale answer still listing 7
    expect(core.state.convs.get('g:7').gone).toBe('removed')
  })

  it('frames from a classic socket do not move the resume point (it skips group events)', () => {
    const core = createChatCore('bob')
    core.applyFrame({ type: 'ok', seq: 10 }, { classic: true })
    core.applyFrame(gmsg(12, 'alice', 'live on the classic socket'), { classic: true })
    expect(core.state.lastSeq).toBe(10)
    core.applyFrame(gevent(11, 'added', 'alice', ['dave'])) // the resume replays it
    core.applyFrame(gmsg(12, 'alice', 'live on the classic socket'))
    expect(core.state.lastSeq).toBe(12)
    expect(items(core)).toEqual(['[added]', 'alice: live on the classic socket'])
  })

  it('restores unread counts for users at once and for groups when they appear', () => {
    const core = createChatCore('bob')
    core.restoreUnread([['u:carol', 2], ['g:7', 3], ['g:8', 0], ['junk', 4]])
    expect(core.state.convs.get('u:carol').unread).toBe(2)
    expect(core.state.convs.has('g:7')).toBe(false) // not shown before the server says it exists
    core.setGroups([G()])
    expect(core.state.convs.get('g:7').unread).toBe(3)
    expect(core.state.convs.has('g:8')).toBe(false)
  })
})

describe('names that are Object.prototype properties', () => {
  const awkward = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'u:bob', 'g:7']

  it('each gets its own conversation, from live messages, history and the conversation list', () => {
    const core = createChatCore('alice')
    core.loadConversations(awkward.map((n, i) => ({ with: n, last: { id: 100 + i, ts: 100 + i, from: n, to: ['alice'], content: `from ${n}` } })))
    awkward.forEach((n, i) => core.applyFrame({ type: 'normal', id: 200 + i, seq: i + 1, ts: 200 + i, from: n, to: [], content: `live ${n}` }))
    core.mergeHistory('u:constructor', { messages: [{ id: 1, ts: 1, from: 'alice', to: ['constructor'], content: 'first' }], more: false }, { firstPage: true })
    for (const n of awkward) {
      const c = core.state.convs.get('u:' + n)
      expect(c.peer).toBe(n)
      expect(c.messages.map((m) => m.content).slice(-2)).toEqual([`from ${n}`, `live ${n}`])
      expect(c.unread).toBe(1)
    }
    expect(core.state.convs.get('u:constructor').messages[0].content).toBe('first')
    expect(core.sortedConversations()).toHaveLength(awkward.length)
    expect(core.state.convs.has('g:7')).toBe(false) // the user 'g:7' is not group 7
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'messages')).toBe(false) // nothing leaked
  })

  it('I can send to them and they can be group members', () => {
    const core = createChatCore('__proto__')
    const m = core.addLocal('hi', ['constructor', 'toString'], 'n1')
    expect(m.to).toEqual(['constructor', 'toString'])
    core.applyFrame({ type: 'ack', cid: 'n1', id: 5, seq: 1, to: ['constructor', 'toString'] })
    expect(core.state.convs.get('u:constructor').messages[0].status).toBe('sent')
    core.applyFrame(gevent(6, 'created', 'constructor', [], G({ owner: 'constructor', members: ['__proto__', 'constructor'] })))
    expect(core.state.convs.get('g:7').gone).toBe(null)
    core.setActive('u:toString')
    expect(core.state.active).toBe('u:toString')
  })
})

describe('groups over 500 members (frames without member lists)', () => {
  const big = (over = {}) => ({ id: '5', name: 'Everyone', owner: 'alice', member_count: 800, ...over })

  it('keeps the known lists, marks them partial, and reads membership from the event names', () => {
    const core = createChatCore('bob')
    core.setGroups([{ ...big(), admins: ['carol'], members: ['alice', 'bob', 'carol'] }]) // GET gave the lists
    expect(core.state.groups.get('5')).toMatchObject({ partial: false, count: 800 })
    core.applyFrame(gevent(1, 'added', 'alice', ['dave'], big({ member_count: 801 })))
    const g = core.state.groups.get('5')
    expect(g).toMatchObject({ partial: true, count: 801, members: ['alice', 'bob', 'carol'], admins: ['carol'], owner: 'alice' })
    expect(core.state.convs.get('g:5').gone).toBe(null) // not "removed" for lack of a list
    core.applyFrame(gevent(2, 'removed', 'alice', ['bob'], big({ member_count: 800 })))
    expect(core.state.convs.get('g:5').gone).toBe('removed')
    core.applyFrame(gevent(3, 'added', 'alice', ['bob'], big()))
    expect(core.state.convs.get('g:5').gone).toBe(null)
  })

  it('a big group I am added to is known from the event alone', () => {
    const core = createChatCore('bob')
    core.applyFrame(gevent(1, 'added', 'alice', ['bob'], big()))
    expect(core.state.convs.get('g:5').gone).toBe(null)
    expect(core.title(core.state.convs.get('g:5'))).toBe('Everyone')
    expect(core.state.groups.get('5')).toMatchObject({ partial: true, count: 800 })
  })
})
