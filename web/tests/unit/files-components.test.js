import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { nextTick, reactive } from 'vue'
import element from '../../src/plugins/element.js'
import { setLocale } from '../../src/i18n/index.js'
import MessageBubble from '../../src/components/MessageBubble.vue'
import MessageFiles from '../../src/components/MessageFiles.vue'
import AttachmentList from '../../src/components/AttachmentList.vue'
import MessageComposer from '../../src/components/MessageComposer.vue'
import ConversationList from '../../src/components/ConversationList.vue'
import { createChatCore } from '../../src/stores/chat-core.js'

const global = { plugins: [element] }
const png = { id: 'f1', name: 'cat.png', type: 'image/png', size: 2048, url: '/api/files/f1', width: 800, height: 600, thumb_url: '/api/files/f1/thumb' }
const txt = { id: 'f2', name: '截图.txt', type: 'text/plain', size: 1536, url: '/api/files/f2' }

describe('MessageFiles', () => {
  it('shows an image as its thumbnail in a reserved box, once the file cookie is there', async () => {
    setLocale('en')
    const chat = { net: reactive({ fileCookie: 'pending' }) }
    const w = mount(MessageFiles, { props: { files: [png] }, global: { ...global, provide: { chat } } })
    const box = w.find('[data-test=file-image]')
    expect(box.attributes('style')).toContain('width: 240px')
    expect(box.attributes('style')).toContain('height: 180px')
    expect(box.find('img').exists()).toBe(false) // its request would carry no cookie yet
    chat.net.fileCookie = 'ok'
    await nextTick()
    const img = w.find('[data-test=file-image] img')
    expect(img.attributes('src')).toBe('/api/files/f1/thumb')
    expect(img.attributes('width')).toBe('240')
    expect(img.attributes('alt')).toBe('Image cat.png')
    await img.trigger('error')
    expect(w.find('[data-test=image-broken]').text()).toBe('The image could not be loaded.')
  })

  it('opens the full image in the viewer, with a download link', async () => {
    setLocale('en')
    const w = mount(MessageFiles, { props: { files: [png] }, global, attachTo: document.body })
    await w.find('[data-test=file-image]').trigger('click')
    await nextTick()
    const viewer = document.querySelector('.el-image-viewer__wrapper')
    expect(viewer).not.toBe(null)
    expect(viewer.querySelector('.el-image-viewer__img').getAttribute('src')).toBe('/api/files/f1')
    const dl = viewer.querySelector('[data-test=viewer-download]')
    expect(dl.getAttribute('href')).toBe('/api/files/f1')
    expect(dl.getAttribute('download')).toBe('cat.png')
    w.unmount()
  })

  it('shows another file as a card: icon, name, size, a download link', () => {
    setLocale('zh')
    const w = mount(MessageFiles, { props: { files: [txt] }, global })
    const card = w.find('[data-test=file-card]')
    expect(card.attributes('href')).toBe('/api/files/f2')
    expect(card.attributes('download')).toBe('截图.txt')
    expect(card.find('[data-test=file-name]').text()).toBe('截图.txt')
    expect(card.find('[data-test=file-size]').text()).toBe('1.5 KB')
    expect(card.find('.file-icon').attributes('data-kind')).toBe('text')
    expect(card.attributes('title')).toBe('下载 截图.txt(1.5 KB)')
    setLocale('en')
  })

  it('a bubble of files only has no empty text line; a recalled one shows no files', async () => {
    setLocale('en')
    const msg = reactive({ key: 'm1', id: 1, from: 'bob', to: ['alice'], content: '', files: [png, txt], ts: Date.now(), status: 'sent' })
    const w = mount(MessageBubble, { props: { msg, me: 'alice', peer: 'bob' }, global })
    expect(w.find('[data-test=text]').exists()).toBe(false)
    expect(w.findAll('[data-test=file-image]')).toHaveLength(1)
    expect(w.findAll('[data-test=file-card]')).toHaveLength(1)
    expect(w.attributes('data-files')).toBe('2')
    msg.content = 'with words'
    await nextTick()
    expect(w.find('[data-test=text]').text()).toBe('with words')
    msg.recalled = true
    msg.files = []
    await nextTick()
    expect(w.find('[data-test=files]').exists()).toBe(false)
    expect(w.find('[data-test=recalled]').exists()).toBe(true)
  })
})

describe('AttachmentList', () => {
  const item = (over) => ({ n: 1, name: 'big.zip', type: 'application/zip', size: 200000, status: 'uploading', loaded: 50000, file: null, error: null, preview: null, ...over })

  it('shows progress while uploading and a cancel button', async () => {
    setLocale('en')
    const it1 = item()
    const w = mount(AttachmentList, { props: { items: [it1], maxBytes: 100000 }, global })
    const bar = w.find('[data-test=attachment-progress]')
    expect(bar.attributes('aria-valuenow')).toBe('25')
    expect(bar.attributes('aria-label')).toBe('Uploading big.zip: 25%')
    const x = w.find('[data-test=attachment-remove]')
    expect(x.attributes('aria-label')).toBe('Cancel the upload of big.zip')
    await x.trigger('click')
    expect(w.emitted('remove')[0][0]).toBe(it1)
  })

  it.each([
    ['en', 'too_large', 'Too large: big.zip is 195 KB; the limit is 98 KB.'],
    ['zh', 'too_large', '文件过大:big.zip 为 195 KB,上限是 98 KB。'],
    ['en', '4013', 'Too large: the server accepts files up to 98 KB.'],
    ['en', '4034', 'Your storage is full: big.zip does not fit in your quota.'],
    ['en', '4015', 'big.zip is not an image the server can show (JPEG, PNG, GIF or WebP).'],
    ['zh', '4029', '上传太频繁,请稍后再试。'],
    ['en', 'too_many', 'At most 10 files in one message.'],
    ['en', 'network', 'The upload of big.zip failed: cannot reach the server.'],
    ['en', '4999', 'The upload of big.zip was refused (4999).']
  ])('[%s] explains %s in words', (lang, code, words) => {
    setLocale(lang)
    const w = mount(AttachmentList, { props: { items: [item({ status: 'failed', error: code })], maxBytes: 100000 }, global })
    expect(w.find('[data-test=attachment-error]').text().replace(/\s*(Try again|重试)$/, '')).toBe(words)
    setLocale('en')
  })

  it('offers a retry only where trying again can help', () => {
    setLocale('en')
    const w = mount(AttachmentList, { props: { items: [item({ n: 1, status: 'failed', error: 'network' }), item({ n: 2, status: 'failed', error: '4015' })] }, global })
    const rows = w.findAll('[data-test=attachment]')
    expect(rows[0].find('[data-test=attachment-retry]').exists()).toBe(true)
    expect(rows[1].find('[data-test=attachment-retry]').exists()).toBe(false)
    expect(rows[1].find('[data-test=attachment-remove]').attributes('aria-label')).toBe('Remove big.zip')
  })
})

describe('MessageComposer with attachments', () => {
  it('the attach button opens the picker; picked files are given out', async () => {
    setLocale('en')
    const w = mount(MessageComposer, { props: { modelValue: '', attachable: true }, global })
    const input = w.find('[data-test=file-input]')
    let clicked = 0
    input.element.addEventListener('click', () => clicked++)
    await w.find('[data-test=attach]').trigger('click')
    expect(clicked).toBe(1)
    const f = new File(['x'], 'a.txt', { type: 'text/plain' })
    Object.defineProperty(input.element, 'files', { value: [f], configurable: true })
    await input.trigger('change')
    expect(w.emitted('files')[0][0]).toEqual([f])
  })

  it('no attach button without `attachable`', () => {
    const w = mount(MessageComposer, { props: { modelValue: '' }, global })
    expect(w.find('[data-test=attach]').exists()).toBe(false)
  })

  it('pasting a screenshot attaches it under a dated name; pasted text stays text', async () => {
    setLocale('zh')
    const w = mount(MessageComposer, { props: { modelValue: '', attachable: true }, global })
    const shot = new File([new Uint8Array([1])], 'image.png', { type: 'image/png' })
    const ev = new Event('paste', { bubbles: true, cancelable: true })
    ev.clipboardData = { files: [shot], items: [] }
    w.find('textarea').element.dispatchEvent(ev)
    expect(ev.defaultPrevented).toBe(true)
    const [files] = w.emitted('files')[0]
    expect(files[0].name).toMatch(/^截图-\d{4}-\d{2}-\d{2}-\d{4}\.png$/)
    const text = new Event('paste', { bubbles: true, cancelable: true })
    text.clipboardData = { files: [], items: [{ kind: 'string' }] }
    w.find('textarea').element.dispatchEvent(text)
    expect(text.defaultPrevented).toBe(false)
    expect(w.emitted('files')).toHaveLength(1)
    setLocale('en')
  })

  it('sends files without text once they are uploaded, not while uploading', async () => {
    setLocale('en')
    const w = mount(MessageComposer, { props: { modelValue: '', attachable: true, ready: 0, busy: true }, global })
    const send = () => w.find('[data-test=send]')
    expect(send().attributes('disabled')).toBeDefined()
    await w.setProps({ ready: 1, busy: true })
    expect(send().attributes('disabled')).toBeDefined()
    expect(send().attributes('title')).toBe('Wait for the uploads to finish')
    await w.find('textarea').trigger('keydown', { key: 'Enter' })
    expect(w.emitted('send')).toBeUndefined()
    await w.setProps({ busy: false })
    expect(send().attributes('disabled')).toBeUndefined()
    await w.find('textarea').trigger('keydown', { key: 'Enter' })
    expect(w.emitted('send')).toHaveLength(1)
  })
})

describe('ConversationList with files', () => {
  it('says [Image] or [File] name for a last message of files only', () => {
    setLocale('en')
    const core = createChatCore('alice')
    core.applyFrame({ type: 'normal', id: 1, from: 'bob', to: ['alice'], content: '', files: [png], ts: Date.now() - 1000 })
    core.applyFrame({ type: 'normal', id: 2, from: 'carol', to: ['alice'], content: '', files: [txt], ts: Date.now() })
    core.addLocal('', ['dave'], 'c1', { files: [png] })
    const chat = { state: core.state, conversations: core.sortedConversations }
    const w = mount(ConversationList, { global: { ...global, provide: { chat } } })
    const preview = (peer) => w.find(`.conv-item[data-peer="${peer}"] .preview`).text()
    expect(preview('bob')).toBe('[Image]')
    expect(preview('carol')).toBe('[File] 截图.txt')
    expect(preview('dave')).toBe('You: [Image]')
  })
})

describe('AttachmentList previews', () => {
  it('a local preview the browser cannot draw becomes an icon', async () => {
    const items = [{ n: 1, name: 'fake.png', type: 'image/png', size: 4, status: 'failed', loaded: 0, file: null, error: '4015', preview: 'blob:x' }]
    const w = mount(AttachmentList, { props: { items }, global })
    expect(w.find('.att-thumb').attributes('src')).toBe('blob:x')
    await w.find('.att-thumb').trigger('error')
    expect(w.find('.att-thumb').exists()).toBe(false)
    expect(w.find('.file-icon').attributes('data-kind')).toBe('image')
  })
})

describe('AccountDialog: file storage', () => {
  it('says how much of the quota is used, and asks again when opened', async () => {
    const { default: AccountDialog } = await import('../../src/components/AccountDialog.vue')
    setLocale('en')
    let asked = 0
    const chat = { net: reactive({ files: { maxBytes: 25 * 1024 * 1024, quota: 100 * 1024 * 1024, used: 1536 * 1024 } }), refreshFileLimits: () => asked++ }
    const stub = { template: '<div />' }
    const w = mount(AccountDialog, {
      props: { modelValue: false },
      global: { ...global, provide: { chat }, stubs: { ProfileForm: stub, PasswordForm: stub, DeleteAccountForm: stub, teleport: true } }
    })
    await w.setProps({ modelValue: true })
    expect(asked).toBe(1)
    expect(document.body.querySelector('[data-test=file-storage]')?.textContent || w.find('[data-test=file-storage]').text()).toBe(
      'Files: 1.5 MB used of 100 MB (up to 25 MB a file).'
    )
    w.unmount()
  })
})
