import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import element from '../../src/plugins/element.js'
import { setLocale } from '../../src/i18n/index.js'
import ConversationList from '../../src/components/ConversationList.vue'
import MessageList from '../../src/components/MessageList.vue'
import GroupMembers from '../../src/components/GroupMembers.vue'
import { createChatCore } from '../../src/stores/chat-core.js'

const global = { plugins: [element] }
const G = (over = {}) => ({ id: '7', name: 'Hikers', owner: 'alice', admins: ['bob'], members: ['alice', 'bob', 'carol', 'constructor'], ...over })

describe('ConversationList with groups', () => {
  it('shows a group with its name, the sender in the preview and its unread count', () => {
    setLocale('en')
    const core = createChatCore('carol')
    core.applyFrame({ type: 'group', id: 1, seq: 1, ts: Date.now() - 5000, event: 'created', by: 'alice', names: [], group: G() })
    core.applyFrame({ type: 'normal', id: 2, seq: 2, ts: Date.now(), from: 'alice', content: 'hello group', group: '7', to: [] })
    core.applyFrame({ type: 'normal', id: 3, seq: 3, ts: Date.now() - 1000, from: 'constructor', content: 'hi carol', to: [] })
    const chat = { state: core.state, core, conversations: core.sortedConversations }
    const w = mount(ConversationList, { global: { ...global, provide: { chat } } })
    const items = w.findAll('.conv-item')
    expect(items.map((i) => i.attributes('data-group') || i.attributes('data-peer'))).toEqual(['7', 'constructor'])
    expect(items[0].find('.name').text()).toBe('Hikers')
    expect(items[0].find('.preview').text()).toBe('alice: hello group')
    // the creation by alice and her message: the server counts events from others too
    expect(items[0].find('[data-test=unread]').text()).toBe('2')
    expect(items[0].attributes('aria-label')).toBe('Group Hikers, 2 unread')
    expect(items[1].find('.preview').text()).toBe('hi carol')
  })

  it('an empty list shows who is online, one click from a conversation', async () => {
    setLocale('en')
    const core = createChatCore('newbie')
    core.applyFrame({ type: 'loginlist', content: { names: ['newbie', 'zoe', 'constructor'] } })
    const chat = { state: core.state, core, conversations: core.sortedConversations }
    const w = mount(ConversationList, { global: { ...global, provide: { chat } } })
    const people = w.findAll('[data-online-person]')
    expect(people.map((p) => p.attributes('data-online-person'))).toEqual(['constructor', 'zoe'])
    await people[1].trigger('click')
    expect(w.emitted('open')).toEqual([['u:zoe']])
    core.applyFrame({ type: 'loginlist', content: { names: ['newbie'] } })
    await w.vm.$nextTick()
    expect(w.find('[data-test=online-now]').text()).toContain('Nobody else is online')
  })
})

describe('MessageList in a group', () => {
  it('shows events as centred lines and names the sender of each run', () => {
    setLocale('en')
    const core = createChatCore('carol')
    const now = Date.now()
    core.applyFrame({ type: 'group', id: 1, seq: 1, ts: now, event: 'created', by: 'alice', names: [], group: G() })
    core.applyFrame({ type: 'normal', id: 2, seq: 2, ts: now, from: 'alice', content: 'one', group: '7', to: [] })
    core.applyFrame({ type: 'normal', id: 3, seq: 3, ts: now, from: 'alice', content: 'two', group: '7', to: [] })
    core.applyFrame({ type: 'group', id: 4, seq: 4, ts: now, event: 'removed', by: 'alice', names: ['carol'], group: G({ members: ['alice', 'bob'] }) })
    const w = mount(MessageList, { props: { conv: core.state.convs.get('g:7'), me: 'carol', title: 'Hikers' }, global })
    const events = w.findAll('[data-test=group-event]')
    expect(events.map((e) => e.attributes('data-event'))).toEqual(['created', 'removed'])
    expect(events[1].text()).toMatch(/^alice removed you/)
    const bubbles = w.findAll('[data-test=message]')
    expect(bubbles.map((b) => b.find('.from').exists())).toEqual([true, false]) // a run names alice once
    expect(bubbles[0].find('.from').text()).toBe('alice')
    expect(w.find('.also').exists()).toBe(false) // no "to ..." line in a group
  })
})

describe('GroupMembers', () => {
  function mountPanel(me, group = G()) {
    const chat = {
      state: { me, users: ['alice', 'bob', 'carol', 'constructor', 'dave'], online: new Set(['alice']) },
      addMembers: vi.fn(async () => {}),
      removeMember: vi.fn(async () => {}),
      setAdmin: vi.fn(async () => {}),
      renameGroup: vi.fn(async () => {}),
      leaveGroup: vi.fn(async () => {}),
      deleteGroup: vi.fn(async () => {})
    }
    const w = mount(GroupMembers, { props: { group }, global: { ...global, provide: { chat } } })
    return { w, chat }
  }
  const row = (w, name) => w.find(`[data-member="${name}"]`)

  it('the owner sees every action', async () => {
    setLocale('en')
    const { w, chat } = mountPanel('alice')
    expect(w.findAll('[data-member]').map((m) => m.attributes('data-role'))).toEqual(['owner', 'admin', 'member', 'member'])
    expect(row(w, 'bob').find('[data-test=toggle-admin]').text()).toBe('Remove admin')
    expect(row(w, 'carol').find('[data-test=toggle-admin]').text()).toBe('Make admin')
    expect(row(w, 'alice').find('[data-test=remove-member]').exists()).toBe(false)
    expect(w.find('[data-test=delete-group]').exists()).toBe(true)
    expect(w.find('[data-test=rename]').exists()).toBe(true)
    await row(w, 'constructor').find('[data-test=remove-member]').trigger('click')
    expect(chat.removeMember).toHaveBeenCalledWith('7', 'constructor')
    await flushPromises()
    await row(w, 'carol').find('[data-test=toggle-admin]').trigger('click')
    expect(chat.setAdmin).toHaveBeenCalledWith('7', 'carol', true)
    await flushPromises()
    await w.find('[data-test=delete-group]').trigger('click')
    expect(chat.deleteGroup).not.toHaveBeenCalled() // a second, explicit step
    await w.find('[data-test=confirm-delete]').trigger('click')
    expect(chat.deleteGroup).toHaveBeenCalledWith('7')
  })

  it('an admin removes members but not the owner or admins, and cannot delete', () => {
    const { w } = mountPanel('bob')
    expect(row(w, 'carol').find('[data-test=remove-member]').exists()).toBe(true)
    expect(row(w, 'alice').find('[data-test=remove-member]').exists()).toBe(false)
    expect(w.findAll('[data-test=toggle-admin]')).toHaveLength(0)
    expect(w.find('[data-test=delete-group]').exists()).toBe(false)
    expect(w.find('[data-test=add-members]').exists()).toBe(true)
  })

  it('a member can only leave', async () => {
    const { w, chat } = mountPanel('carol')
    expect(w.findAll('[data-test=remove-member]')).toHaveLength(0)
    expect(w.find('[data-test=add-members]').exists()).toBe(false)
    expect(w.find('[data-test=rename]').exists()).toBe(false)
    await w.find('[data-test=leave-group]').trigger('click')
    await w.find('[data-test=confirm-leave]').trigger('click')
    expect(chat.leaveGroup).toHaveBeenCalledWith('7')
  })

  it('says why a change was refused', async () => {
    setLocale('en')
    const { w, chat } = mountPanel('alice')
    chat.removeMember.mockRejectedValueOnce(Object.assign(new Error('x'), { code: '4030', status: 403 }))
    await row(w, 'carol').find('[data-test=remove-member]').trigger('click')
    await flushPromises()
    expect(w.find('[data-test=group-error]').text()).toMatch(/not allowed/)
  })
})
