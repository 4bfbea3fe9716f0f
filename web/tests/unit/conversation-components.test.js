import { describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { reactive } from 'vue'
import element from '../../src/plugins/element.js'
import { setLocale } from '../../src/i18n/index.js'
import MessageBubble from '../../src/components/MessageBubble.vue'
import MessageList from '../../src/components/MessageList.vue'
import MessageComposer from '../../src/components/MessageComposer.vue'
import ComposerContext from '../../src/components/ComposerContext.vue'
import TypingIndicator from '../../src/components/TypingIndicator.vue'
import ActionNotice from '../../src/components/ActionNotice.vue'
import { createChatCore } from '../../src/stores/chat-core.js'

const global = { plugins: [element] }
const mine = (over = {}) => reactive({ key: 'm1', id: 1, from: 'alice', to: ['bob'], content: 'hello', ts: Date.now(), status: 'sent', ...over })
const bubble = (props) => mount(MessageBubble, { props: { me: 'alice', peer: 'bob', ...props }, global })

describe('MessageBubble: conversation state', () => {
  it('shows the read tick only when the receipt says read', async () => {
    setLocale('en')
    const w = bubble({ msg: mine(), receipt: { tick: 'sent', readers: null } })
    expect(w.find('[data-test=tick]').attributes('aria-label')).toBe('Sent')
    expect(w.attributes('data-read')).toBe(undefined)
    await w.setProps({ receipt: { tick: 'read', readers: null } })
    expect(w.find('[data-test=tick]').attributes('aria-label')).toBe('Read')
    expect(w.attributes('data-read')).toBe('true')
  })

  it('shows "read by N" in a group when N is known and not zero', async () => {
    setLocale('en')
    const w = bubble({ msg: mine(), receipt: { tick: 'sent', readers: 0 } })
    expect(w.find('[data-test=read-by]').exists()).toBe(false)
    await w.setProps({ receipt: { tick: 'sent', readers: 2 } })
    expect(w.find('[data-test=read-by]').text()).toBe('Read by 2')
  })

  it('a recalled message shows the placeholder instead of its text, in both languages', async () => {
    setLocale('en')
    const msg = mine({ from: 'bob', recalled: true, content: '' })
    const w = bubble({ msg })
    expect(w.find('[data-test=text]').exists()).toBe(false)
    expect(w.find('[data-test=recalled]').text()).toBe('Message recalled')
    setLocale('zh')
    await w.vm.$nextTick()
    expect(w.find('[data-test=recalled]').text()).toBe('消息已撤回')
    setLocale('en')
  })

  it('marks an edited message', () => {
    setLocale('en')
    expect(bubble({ msg: mine({ edited: true }) }).find('[data-test=edited]').text()).toBe('edited')
    expect(bubble({ msg: mine() }).find('[data-test=edited]').exists()).toBe(false)
  })

  it('quotes the message it replies to, or says it is an earlier one; as text', () => {
    setLocale('en')
    const quoted = { id: 4, from: 'bob', content: '<b>lunch</b>\n at noon?', ts: 1 }
    const w = bubble({ msg: mine({ replyTo: 4 }), quoted })
    expect(w.find('[data-test=reply-quote] .q-from').text()).toBe('bob')
    expect(w.find('[data-test=quote-text]').text()).toBe('<b>lunch</b> at noon?')
    expect(w.find('b').exists()).toBe(false)
    const unknown = bubble({ msg: mine({ replyTo: 99 }), quoted: null })
    expect(unknown.find('[data-test=quote-text]').text()).toBe('Reply to an earlier message')
    const recalled = bubble({ msg: mine({ replyTo: 4 }), quoted: { ...quoted, recalled: true, content: '' } })
    expect(recalled.find('[data-test=quote-text]').text()).toBe('Message recalled')
  })

  it('offers reply on any settled message, edit and recall on mine within the windows', async () => {
    setLocale('en')
    const windows = { recall: 120, edit: 900 }
    const acts = (w) => ['reply', 'edit', 'recall'].filter((a) => w.find(`[data-test=action-${a}]`).exists())
    const fresh = bubble({ msg: mine(), actionable: true, windows })
    await fresh.trigger('mouseenter')
    expect(acts(fresh)).toEqual(['reply', 'edit', 'recall'])
    await fresh.find('[data-test=action-recall]').trigger('click')
    expect(fresh.emitted('recall')[0][0].id).toBe(1)
    const older = bubble({ msg: mine({ ts: Date.now() - 200_000 }), actionable: true, windows })
    await older.trigger('mouseenter')
    expect(acts(older)).toEqual(['reply', 'edit']) // past the 2 minutes of recall
    const off = bubble({ msg: mine(), actionable: true, windows: { recall: 0, edit: 0 } })
    await off.trigger('mouseenter')
    expect(acts(off)).toEqual(['reply'])
    const theirs = bubble({ msg: mine({ from: 'bob' }), actionable: true, windows })
    await theirs.trigger('mouseenter')
    expect(acts(theirs)).toEqual(['reply'])
    const sending = bubble({ msg: mine({ id: undefined, status: 'sending' }), actionable: true, windows })
    expect(sending.find('.msg-actions').exists()).toBe(false)
    const readOnly = bubble({ msg: mine(), windows })
    expect(readOnly.find('.msg-actions').exists()).toBe(false)
  })

  it('keeps a button under the pointer while it is clicked, even past the window (the server answers)', async () => {
    vi.useFakeTimers()
    setLocale('en')
    const w = bubble({ msg: mine(), actionable: true, windows: { recall: 2, edit: 0 } })
    await w.trigger('mouseenter')
    vi.advanceTimersByTime(3000)
    await w.find('[data-test=action-recall]').trigger('focusin') // a click focuses the button
    expect(w.find('[data-test=action-recall]').exists()).toBe(true)
    await w.trigger('mouseleave')
    await w.trigger('focusin') // keyboard focus from outside: checked again
    expect(w.find('[data-test=action-recall]').exists()).toBe(false)
    vi.useRealTimers()
  })

  it('explains a bad_reply refusal', () => {
    setLocale('en')
    const w = bubble({ msg: mine({ id: undefined, status: 'failed', error: 'bad_reply' }) })
    expect(w.find('.failed-row').text()).toContain('the quoted message is not part of this conversation')
  })
})

describe('MessageList: receipts and quotes from the conversation', () => {
  it('ticks my messages up to the peer marker and finds quotes through lookup', async () => {
    setLocale('en')
    const core = createChatCore('alice')
    core.ingest({ id: 1, from: 'alice', to: ['bob'], content: 'one', ts: Date.now() })
    core.ingest({ id: 2, from: 'alice', to: ['bob'], content: 'two', ts: Date.now(), reply_to: 1 })
    const c = core.state.convs.get('u:bob')
    const w = mount(MessageList, { props: { conv: c, me: 'alice', lookup: core.lookup }, global })
    expect(w.findAll('[data-read=true]')).toHaveLength(0)
    core.applyFrame({ type: 'read', from: 'bob', with: 'alice', upto: 1 })
    await w.vm.$nextTick()
    expect(w.findAll('[data-test=message]').map((m) => m.attributes('data-read'))).toEqual(['true', undefined])
    expect(w.find('[data-test=quote-text]').text()).toBe('one')
  })
})

describe('composer context, typing, notices', () => {
  it('shows what is being answered with a cancel button; Escape in the composer cancels', async () => {
    setLocale('en')
    const ctx = mount(ComposerContext, { props: { mode: 'reply', msg: { id: 3, from: 'bob', content: 'lunch?' }, me: 'alice' }, global })
    expect(ctx.text()).toContain('Replying to bob')
    expect(ctx.find('[data-test=quote-text]').text()).toBe('lunch?')
    await ctx.find('[data-test=cancel-reply]').trigger('click')
    expect(ctx.emitted('cancel')).toHaveLength(1)
    const edit = mount(ComposerContext, { props: { mode: 'edit', msg: { id: 3, from: 'alice', content: 'hi' }, me: 'alice' }, global })
    expect(edit.find('[data-test=editing]').text()).toContain('Editing your message')
    const composer = mount(MessageComposer, { props: { modelValue: 'x', cancelable: true }, global })
    await composer.find('textarea').trigger('keydown', { key: 'Escape' })
    expect(composer.emitted('cancel')).toHaveLength(1)
    const plain = mount(MessageComposer, { props: { modelValue: 'x' }, global })
    await plain.find('textarea').trigger('keydown', { key: 'Escape' })
    expect(plain.emitted('cancel')).toBe(undefined)
  })

  it('says who is typing', () => {
    setLocale('en')
    const say = (names, group = true) => mount(TypingIndicator, { props: { names, group }, global }).text()
    expect(say(['bob'], false)).toBe('typing…')
    expect(say(['bob'])).toBe('bob is typing…')
    expect(say(['bob', 'carol'])).toBe('bob and carol are typing…')
    expect(say(['a', 'b', 'c'])).toBe('3 people are typing…')
  })

  it('explains a refused recall and goes away by itself', async () => {
    vi.useFakeTimers()
    setLocale('en')
    const w = mount(ActionNotice, { props: { notice: { kind: 'recall', code: 'too_late', n: 1 } }, global })
    expect(w.text()).toContain('Could not recall the message: the time allowed for it has passed.')
    await w.setProps({ notice: { kind: 'edit', code: 'weird', n: 2 } })
    expect(w.text()).toContain('Could not edit the message: refused by the server (weird).')
    vi.advanceTimersByTime(8000)
    expect(w.emitted('close')).toHaveLength(1)
    vi.useRealTimers()
  })
})
