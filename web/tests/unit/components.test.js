import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { reactive } from 'vue'
import element from '../../src/plugins/element.js'
import { setLocale } from '../../src/i18n/index.js'
import MessageBubble from '../../src/components/MessageBubble.vue'
import MessageComposer from '../../src/components/MessageComposer.vue'
import LoginView from '../../src/components/LoginView.vue'
import ConversationList from '../../src/components/ConversationList.vue'
import ConnectionStatus from '../../src/components/ConnectionStatus.vue'
import { createChatCore } from '../../src/stores/chat-core.js'
import { createSession } from '../../src/stores/session.js'
import { ApiError } from '../../src/api/http.js'

const global = { plugins: [element] }

describe('MessageBubble', () => {
  it('renders content as text, never as HTML', () => {
    setLocale('en')
    const msg = { key: 'a', id: 1, from: 'bob', to: [], content: '<img src=x onerror=alert(1)><b>hi</b> 你好 😀', ts: Date.now(), status: 'sent' }
    const w = mount(MessageBubble, { props: { msg, me: 'alice', peer: 'bob' }, global })
    expect(w.find('img').exists()).toBe(false)
    expect(w.find('b').exists()).toBe(false)
    expect(w.find('[data-test=text]').text()).toBe('<img src=x onerror=alert(1)><b>hi</b> 你好 😀')
    expect(w.find('.from').text()).toBe('bob')
    expect(w.classes()).toContain('theirs')
  })

  it('shows sending / sent and a retry button when failed', async () => {
    setLocale('en')
    const msg = reactive({ key: 'c', cid: 'c', from: 'alice', to: ['bob'], content: 'x', ts: Date.now(), status: 'sending' })
    const w = mount(MessageBubble, { props: { msg, me: 'alice', peer: 'bob' }, global })
    expect(w.classes()).toContain('mine')
    expect(w.find('.status').attributes('aria-label')).toBe('Sending')
    msg.status = 'failed'
    msg.error = 'timeout'
    await w.vm.$nextTick()
    expect(w.find('.failed-row').text()).toContain('no answer from the server')
    await w.find('[data-test=retry]').trigger('click')
    expect(w.emitted('retry')[0][0]).toStrictEqual(msg)
    msg.status = 'sent'
    await w.vm.$nextTick()
    expect(w.find('[data-test=retry]').exists()).toBe(false)
  })

  it('names the other recipients of a multi-recipient message', () => {
    setLocale('en')
    const msg = { key: 'm', id: 3, from: 'alice', to: ['bob', 'carol'], content: 'all', ts: Date.now(), status: 'sent' }
    const w = mount(MessageBubble, { props: { msg, me: 'alice', peer: 'bob' }, global })
    expect(w.find('.also').text()).toBe('to bob, carol')
  })
})

describe('MessageComposer', () => {
  const mountComposer = (value = 'hello') => mount(MessageComposer, { props: { modelValue: value, placeholder: 'Message bob' }, global })

  it('sends on Enter', async () => {
    const w = mountComposer()
    await w.find('textarea').trigger('keydown', { key: 'Enter' })
    expect(w.emitted('send')).toEqual([['hello']])
  })

  it('does not send on Shift+Enter or while an IME is composing', async () => {
    const w = mountComposer()
    await w.find('textarea').trigger('keydown', { key: 'Enter', shiftKey: true })
    await w.find('textarea').trigger('keydown', { key: 'Enter', isComposing: true })
    await w.find('textarea').trigger('keydown', { key: 'Enter', keyCode: 229 })
    expect(w.emitted('send')).toBeUndefined()
  })

  it('does not send blank text; the button is labelled', async () => {
    setLocale('en')
    const w = mountComposer('   ')
    await w.find('textarea').trigger('keydown', { key: 'Enter' })
    expect(w.emitted('send')).toBeUndefined()
    expect(w.find('[data-test=send]').attributes('aria-label')).toBe('Send')
    expect(w.find('textarea').attributes('aria-label')).toBe('Message bob')
  })
})

describe('LoginView', () => {
  async function attempt(error, { mode = 'login', locale = 'en' } = {}) {
    setLocale(locale)
    const api = {
      login: vi.fn(async () => Promise.reject(error)),
      register: vi.fn(async () => Promise.reject(error))
    }
    const session = createSession({ api, storage: { get: () => null, set() {}, remove() {} } })
    session.end()
    const w = mount(LoginView, { props: { session, api }, global })
    if (mode === 'register') await w.find('[data-test=toggle-mode]').trigger('click')
    await w.find('input[name=username]').setValue('bob')
    await w.find('input[name=password]').setValue('secret')
    await w.find('form').trigger('submit')
    await flushPromises()
    return { w, api }
  }

  it.each([
    ['4005', 'Wrong password.'],
    ['4003', 'There is no user with that name.'],
    ['4029', 'Too many failed attempts'],
    ['4001', 'Name must be 1–20 characters'],
    ['network', 'Cannot reach the server']
  ])('explains login error %s in words', async (code, words) => {
    const { w, api } = await attempt(new ApiError(code))
    expect(api.login).toHaveBeenCalledWith('bob', 'secret')
    expect(w.find('[data-test=login-error]').text()).toContain(words)
  })

  it('explains a taken name when registering, in Chinese too', async () => {
    const { w, api } = await attempt(new ApiError('4000'), { mode: 'register', locale: 'zh' })
    expect(api.register).toHaveBeenCalled()
    expect(w.find('[data-test=login-error]').text()).toContain('该用户名已被占用')
    setLocale('en')
    await w.vm.$nextTick()
    expect(w.find('[data-test=login-error]').text()).toContain('already taken') // follows the language switch
  })

  it('has labelled inputs', () => {
    setLocale('en')
    const session = createSession({ api: {}, storage: { get: () => null, set() {}, remove() {} } })
    const w = mount(LoginView, { props: { session, api: {} }, global })
    expect(w.find('input[name=username]').attributes('aria-label')).toBe('Name')
    expect(w.find('input[name=password]').attributes('aria-label')).toBe('Password')
  })
})

describe('ConversationList', () => {
  it('lists conversations with the last message, unread badge and presence', () => {
    setLocale('en')
    const core = createChatCore('alice')
    core.applyFrame({ type: 'normal', id: 1, from: 'bob', to: [], content: 'older', ts: Date.now() - 1000 })
    core.applyFrame({ type: 'normal', id: 2, from: 'carol', to: [], content: '你好 carol here', ts: Date.now() })
    core.applyFrame({ type: 'normal', id: 3, from: 'carol', to: [], content: 'again', ts: Date.now() })
    core.addLocal('my reply', ['bob'], 'c1')
    core.applyFrame({ type: 'loginlist', content: { names: ['alice', 'carol'] } })
    const chat = { state: core.state, conversations: core.sortedConversations }
    const w = mount(ConversationList, { global: { ...global, provide: { chat } } })
    const items = w.findAll('.conv-item')
    expect(items.map((i) => i.attributes('data-peer'))).toEqual(['bob', 'carol'])
    expect(items[0].find('.preview').text()).toBe('You: my reply')
    expect(items[1].find('[data-test=unread]').text()).toBe('2')
    expect(items[1].attributes('aria-label')).toBe('Conversation with carol, 2 unread')
    expect(items[1].find('.dot').attributes('data-online')).toBe('true')
    expect(items[0].find('.dot').attributes('data-online')).toBe('false')
  })
})

describe('ConnectionStatus', () => {
  it('shows the state in words and offers a retry when offline', async () => {
    setLocale('en')
    const w = mount(ConnectionStatus, { props: { state: 'connected' }, global })
    expect(w.text()).toContain('Connected')
    await w.setProps({ state: 'offline', nextRetryAt: Date.now() + 3000 })
    expect(w.text()).toMatch(/retrying in 3 s/)
    await w.find('button').trigger('click')
    expect(w.emitted('retry')).toHaveLength(1)
    w.unmount()
  })
})

describe('MessageComposer limits', () => {
  it('refuses text over the server content limit and says why', async () => {
    setLocale('en')
    const w = mount(MessageComposer, { props: { modelValue: '汉'.repeat(6000) }, global }) // 18000 bytes
    expect(w.find('[data-test=too-long]').text()).toContain('18000 / 16384')
    expect(w.find('[data-test=send]').attributes('disabled')).toBeDefined()
    await w.find('textarea').trigger('keydown', { key: 'Enter' })
    expect(w.emitted('send')).toBeUndefined()
    await w.setProps({ modelValue: '汉'.repeat(5000) }) // 15000 bytes: fine
    expect(w.find('[data-test=too-long]').exists()).toBe(false)
  })
})
