import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { reactive } from 'vue'
import element from '../../src/plugins/element.js'
import { setLocale } from '../../src/i18n/index.js'
import LoginView from '../../src/components/LoginView.vue'
import MessageBubble from '../../src/components/MessageBubble.vue'
import ConversationList from '../../src/components/ConversationList.vue'
import ConversationPane from '../../src/components/ConversationPane.vue'
import PeopleList from '../../src/components/PeopleList.vue'
import SystemNotices from '../../src/components/SystemNotices.vue'
import AdminStats from '../../src/components/AdminStats.vue'
import AdminUsers from '../../src/components/AdminUsers.vue'
import DeleteAccountForm from '../../src/components/DeleteAccountForm.vue'
import { createChatCore } from '../../src/stores/chat-core.js'
import { createSession } from '../../src/stores/session.js'
import { createProfiles } from '../../src/stores/profiles.js'
import { createAdminStore } from '../../src/stores/admin.js'
import { ApiError } from '../../src/api/http.js'

const global = { plugins: [element] }
const noStorage = { get: () => null, set() {}, remove() {} }

describe('LoginView and the registration mode', () => {
  async function view(registration, { register } = {}) {
    setLocale('en')
    const api = {
      registration: vi.fn(async () => registration),
      register: register || vi.fn(async () => ({ code: '2000' })),
      login: vi.fn(async () => ({ code: '2000', token: 'T', name: 'bob', role: 'user' }))
    }
    const session = createSession({ api, storage: noStorage })
    session.end()
    const w = mount(LoginView, { props: { session, api }, global })
    await flushPromises()
    await w.find('[data-test=toggle-mode]').trigger('click')
    await flushPromises()
    return { w, api, session }
  }

  it('open: no invite field', async () => {
    const { w } = await view('open')
    expect(w.find('input[name=invite]').exists()).toBe(false)
    expect(w.find('[data-test=registration-invite]').exists()).toBe(false)
  })

  it('invite: asks for the code and sends it', async () => {
    const { w, api, session } = await view('invite')
    expect(w.find('[data-test=registration-invite]').text()).toContain('invite-only')
    await w.find('input[name=username]').setValue('bob')
    await w.find('input[name=password]').setValue('secret')
    await w.find('input[name=invite]').setValue(' CODE42 ')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(api.register).toHaveBeenCalledWith('bob', 'secret', 'CODE42')
    expect(session.state.status).toBe('in')
  })

  it('closed: says so and does not submit', async () => {
    const { w, api } = await view('closed')
    expect(w.find('[data-test=registration-closed]').text()).toContain('Registration is closed')
    expect(w.find('[data-test=submit]').attributes('disabled')).toBeDefined()
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(api.register).not.toHaveBeenCalled()
  })

  it.each([
    ['4031', 'Registration is closed on this server.', '此服务器已关闭注册。'],
    ['4032', 'invite code is missing, wrong, used up or expired', '邀请码缺失、错误、已用完或已过期'],
    ['4033', 'This account is banned', '该账号已被封禁']
  ])('explains %s in words, in both languages', async (code, en, zh) => {
    const { w } = await view('invite', { register: vi.fn(async () => Promise.reject(new ApiError(code))) })
    await w.find('input[name=username]').setValue('bob')
    await w.find('input[name=password]').setValue('secret')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.find('[data-test=login-error]').text()).toContain(en)
    setLocale('zh')
    await w.vm.$nextTick()
    expect(w.find('[data-test=login-error]').text()).toContain(zh)
    setLocale('en')
  })

  it('a deleted account lands on the login page with its notice', async () => {
    setLocale('en')
    const api = { registration: vi.fn(async () => 'open') }
    const session = createSession({ api, storage: noStorage })
    session.end('deleted')
    const w = mount(LoginView, { props: { session, api }, global })
    await flushPromises()
    expect(w.text()).toContain('Your account was deleted.')
  })
})

function profilesWith(map) {
  const api = { profiles: vi.fn(async (t, names) => names.filter((n) => map.has(n)).map((n) => ({ name: n, ...map.get(n) }))) }
  return createProfiles({ api, token: () => 'T', delay: 0 })
}

describe('display names and deleted accounts', () => {
  beforeEach(() => setLocale('en'))

  it('a bubble names its sender by display name; a deleted account reads "Deleted account"', async () => {
    const profiles = profilesWith(new Map([['bob', { display_name: 'Bobby', status: '' }]]))
    profiles.want(['bob'])
    await profiles.flush()
    const msg = (from) => ({ key: 'm' + from, id: 1, from, to: [], content: 'x', ts: Date.now(), status: 'sent' })
    const w = mount(MessageBubble, { props: { msg: msg('bob'), me: 'alice', peer: 'bob' }, global: { ...global, provide: { profiles } } })
    expect(w.find('.from').text()).toBe('Bobby')
    const d = mount(MessageBubble, { props: { msg: msg('~deleted-4'), me: 'alice', peer: '~deleted-4' }, global: { ...global, provide: { profiles } } })
    expect(d.find('.from').text()).toBe('Deleted account')
    expect(d.find('.from').attributes('data-deleted')).toBe('true')
  })

  it('the conversation list shows display names, and a deleted peer as such', async () => {
    const profiles = profilesWith(new Map([['constructor', { display_name: 'Connie', status: 'busy' }]]))
    const core = createChatCore('alice')
    core.loadConversations([
      { with: 'constructor', last: { id: 2, ts: 2, from: 'constructor', to: ['alice'], content: 'hi' } },
      { with: '~deleted-1', last: { id: 1, ts: 1, from: '~deleted-1', to: ['alice'], content: 'old' } }
    ])
    profiles.want(['constructor', '~deleted-1'])
    await profiles.flush()
    const chat = { state: core.state, core, conversations: core.sortedConversations }
    const w = mount(ConversationList, { global: { ...global, provide: { chat, profiles } } })
    const items = w.findAll('.conv-item')
    expect(items.map((i) => i.find('[data-test=conv-title]').text())).toEqual(['Connie', 'Deleted account'])
    expect(items[0].attributes('title')).toBe('busy')
    expect(items[1].attributes('data-deleted')).toBe('true')
    expect(items[1].attributes('data-peer')).toBe('~deleted-1')
  })

  it('a deleted peer\'s conversation can be read but has no composer', async () => {
    const profiles = profilesWith(new Map())
    const core = createChatCore('alice')
    core.mergeHistory('u:~deleted-1', { messages: [{ id: 1, ts: 1, from: '~deleted-1', to: ['alice'], content: 'old one' }], more: false }, { firstPage: true })
    const chat = reactive({
      state: core.state,
      core,
      net: { conn: 'connected', notice: null },
      lookup: core.lookup,
      typing: vi.fn(),
      loadOlder: vi.fn(),
      reloadHistory: vi.fn()
    })
    const w = mount(ConversationPane, { props: { convKey: 'u:~deleted-1' }, global: { ...global, provide: { chat, profiles, drafts: reactive(new Map()) } } })
    expect(w.find('[data-test=pane-title]').text()).toBe('Deleted account')
    expect(w.find('[data-test=peer-deleted]').text()).toContain('This account was deleted')
    expect(w.find('textarea').exists()).toBe(false)
    expect(w.find('[data-test=text]').text()).toBe('old one')
  })

  it('People: display name with the name beside it, the status line, filtered by either; no deleted accounts', async () => {
    const profiles = profilesWith(new Map([['__proto__', { display_name: 'Proto', status: 'on holiday' }]]))
    profiles.want(['__proto__'])
    await profiles.flush()
    const core = createChatCore('alice')
    core.setUsers(['alice', '__proto__', 'zed', '~deleted-2'])
    const chat = { state: core.state, core }
    const w = mount(PeopleList, { global: { ...global, provide: { chat, profiles } } })
    const people = w.findAll('[data-person]')
    expect(people.map((p) => p.attributes('data-person'))).toEqual(['__proto__', 'zed'])
    expect(people[0].find('[data-test=person-name]').text()).toBe('Proto__proto__')
    expect(people[0].find('[data-test=person-status]').text()).toBe('on holiday')
    await w.find('input').setValue('prot')
    expect(w.findAll('[data-person]').map((p) => p.attributes('data-person'))).toEqual(['__proto__'])
  })
})

describe('system notices', () => {
  it('show as a banner, as text, until dismissed', async () => {
    setLocale('en')
    const net = reactive({ systemNotices: [{ content: '<b>maintenance</b> at 5', ts: Date.now(), n: 1 }] })
    const chat = { net, dismissNotice: vi.fn((n) => net.systemNotices.splice(net.systemNotices.findIndex((x) => x.n === n), 1)) }
    const w = mount(SystemNotices, { global: { ...global, provide: { chat } } })
    expect(w.find('[data-test=system-notice-text]').text()).toBe('<b>maintenance</b> at 5')
    expect(w.find('b').exists()).toBe(false)
    expect(w.text()).toContain('Notice from the administrators')
    await w.find('[data-test=dismiss-notice]').trigger('click')
    expect(chat.dismissNotice).toHaveBeenCalledWith(1)
    expect(w.find('[data-test=system-notice]').exists()).toBe(false)
  })
})

describe('admin views', () => {
  const users = [
    { name: 'constructor', display_name: 'C', role: 'admin', banned: false, online: true, devices: 2, created: 1 },
    { name: 'bob', display_name: '', role: 'user', banned: true, online: false, devices: 0, created: 1 }
  ]
  const adminApi = () => ({
    admin: {
      stats: vi.fn(async () => ({ users: 2, online_users: 1, connections: 2, uptime_s: 3700, registration: 'closed', store: 'sqlite', version: '9.9' })),
      users: vi.fn(async () => ({ users: users.map((u) => ({ ...u })), more: true }))
    }
  })

  it('stats in words', async () => {
    setLocale('en')
    const admin = createAdminStore({ api: adminApi(), token: () => 'T' })
    await admin.loadStats()
    const w = mount(AdminStats, { global: { ...global, provide: { admin } } })
    expect(w.find('[data-stat=registration] dd').text()).toBe('closed')
    expect(w.find('[data-stat=uptime] dd').text()).toBe('1h 1m')
    expect(w.find('[data-stat=version] dd').text()).toBe('9.9')
  })

  it('the user table: role, banned / online, devices, and the right buttons', async () => {
    setLocale('en')
    const admin = createAdminStore({ api: adminApi(), token: () => 'T' })
    await admin.search('')
    const session = { state: { name: 'constructor' } }
    const w = mount(AdminUsers, { global: { ...global, provide: { admin, session } } })
    const row = (n) => w.find(`tr[data-user="${n}"]`)
    expect(row('constructor').find('[data-test=user-role]').text()).toBe('admin')
    expect(row('constructor').find('[data-test=user-state]').text()).toBe('online')
    expect(row('constructor').find('[data-test=user-devices]').text()).toBe('2')
    expect(row('constructor').find('[data-test=delete-user]').attributes('disabled')).toBeDefined() // not myself
    expect(row('bob').find('[data-test=user-state]').text()).toBe('banned')
    expect(row('bob').find('[data-test=unban]').exists()).toBe(true)
    expect(row('bob').find('[data-test=ban]').exists()).toBe(false)
    expect(w.find('[data-test=admin-more]').exists()).toBe(true)
  })
})

describe('deleting my account', () => {
  afterEach(() => setLocale('en'))

  it('warns, asks for the password, and explains a wrong one', async () => {
    setLocale('en')
    const account = { deleteAccount: vi.fn(async () => Promise.reject(new ApiError('4005', 'wrong', 403))) }
    const w = mount(DeleteAccountForm, { global: { ...global, provide: { account } } })
    await w.find('[data-test=delete-account]').trigger('click')
    expect(w.find('[data-test=delete-warning]').text()).toContain('cannot be undone')
    await w.find('input[name=delete_password]').setValue('nope')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(account.deleteAccount).toHaveBeenCalledWith('nope')
    expect(w.find('[data-test=delete-error]').text()).toBe('Wrong password.')
  })
})
