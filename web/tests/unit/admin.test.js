import { afterEach, describe, expect, it, vi } from 'vitest'
import { api } from '../../src/api/http.js'
import { createAdminStore, formatUptime, inviteLive } from '../../src/stores/admin.js'
import { adminError } from '../../src/utils/admin-error.js'
import { setLocale } from '../../src/i18n/index.js'

function respond(status, body) {
  return vi.fn(async () => ({ status, ok: status >= 200 && status < 300, json: async () => body }))
}

const user = (name, over = {}) => ({ name, display_name: '', role: 'user', banned: false, online: true, devices: 1, created: 1, ...over })

describe('admin HTTP calls', () => {
  afterEach(() => vi.unstubAllGlobals())

  it.each([
    [() => api.admin.kick('T', '__proto__'), 'POST', '/api/admin/users/__proto__/kick', undefined],
    [() => api.admin.ban('T', 'a b/c'), 'POST', '/api/admin/users/a%20b%2Fc/ban', undefined],
    [() => api.admin.unban('T', '张三'), 'POST', '/api/admin/users/%E5%BC%A0%E4%B8%89/unban', undefined],
    [() => api.admin.setPassword('T', 'constructor', 'pw123'), 'POST', '/api/admin/users/constructor/password', { password: 'pw123' }],
    [() => api.admin.setRole('T', 'bob', 'admin'), 'POST', '/api/admin/users/bob/role', { role: 'admin' }],
    [() => api.admin.deleteUser('T', 'x?y'), 'DELETE', '/api/admin/users/x%3Fy', undefined],
    [() => api.admin.revokeInvite('T', 'AB#1'), 'DELETE', '/api/admin/invites/AB%231', undefined],
    [() => api.admin.createInvite('T', 3, 86400), 'POST', '/api/admin/invites', { uses: 3, expires_in: 86400 }],
    [() => api.admin.notice('T', 'hi all'), 'POST', '/api/admin/notice', { content: 'hi all' }],
    [() => api.admin.notice('T', 'hi', 'bob'), 'POST', '/api/admin/notice', { content: 'hi', to: 'bob' }],
    [() => api.admin.createUser('T', 'new', 'pw1'), 'POST', '/api/admin/users', { name: 'new', password: 'pw1' }],
    [() => api.saveProfile('T', { display_name: 'D' }), 'POST', '/api/profile', { display_name: 'D' }],
    [() => api.profiles('T', ['a', '__proto__']), 'POST', '/api/profiles', { names: ['a', '__proto__'] }],
    [() => api.changePassword('T', 'o', 'n'), 'POST', '/api/password', { old: 'o', new: 'n' }],
    [() => api.deleteAccount('T', 'pw'), 'POST', '/api/account/delete', { password: 'pw' }],
    [() => api.register('bob', 'pw1', 'INV1'), 'POST', '/api/register', { name: 'bob', password: 'pw1', invite: 'INV1' }],
    [() => api.register('bob', 'pw1', ''), 'POST', '/api/register', { name: 'bob', password: 'pw1' }]
  ])('%#: %s %s', async (call, method, url, body) => {
    const f = respond(200, { code: '2000' })
    vi.stubGlobal('fetch', f)
    await call()
    const [u, opts] = f.mock.calls[0]
    expect(u).toBe(url)
    expect(opts.method).toBe(method)
    expect(opts.body === undefined ? undefined : JSON.parse(opts.body)).toEqual(body)
    if (!url.startsWith('/api/register')) expect(opts.headers['w-token']).toBe('T')
  })

  it('the user list query: q, after, limit', async () => {
    const f = respond(200, { code: '2000', users: [user('a')], more: true })
    vi.stubGlobal('fetch', f)
    expect(await api.admin.users('T', { q: 'al', after: 'alan', limit: 50 })).toEqual({ users: [user('a')], more: true })
    expect(f.mock.calls[0][0]).toBe('/api/admin/users?q=al&after=alan&limit=50')
  })

  it('registration mode, and "open" from a server without the endpoint', async () => {
    vi.stubGlobal('fetch', respond(200, { code: '2000', registration: 'invite' }))
    expect(await api.registration()).toBe('invite')
    vi.stubGlobal('fetch', respond(404, null))
    expect(await api.registration()).toBe('open')
  })

  it('403 4030 and 404 4003 keep their codes, and read as words', async () => {
    vi.stubGlobal('fetch', respond(403, { code: '4030', msg: 'admins only' }))
    const e = await api.admin.stats('T').catch((x) => x)
    expect(e).toMatchObject({ code: '4030', status: 403 })
    setLocale('en')
    expect(adminError(e)).toBe('Only administrators may do that.')
    vi.stubGlobal('fetch', respond(404, { code: '4003' }))
    const e2 = await api.admin.ban('T', 'ghost').catch((x) => x)
    expect(adminError(e2)).toBe('There is no account with that name.')
    setLocale('zh')
    expect(adminError(e2)).toBe('没有这个账号。')
    expect(adminError({ code: 'network' })).toContain('无法连接')
    setLocale('en')
  })
})

function fakeAdminApi() {
  const all = ['__proto__', 'alice', 'bob', 'constructor', 'zed'].map((n) => user(n))
  const admin = {
    stats: vi.fn(async () => ({ users: 5, online_users: 2, connections: 3, uptime_s: 90061, registration: 'invite', store: 'sqlite', version: '1.0' })),
    users: vi.fn(async (t, { q = '', after, limit }) => {
      const hits = all.filter((u) => u.name.includes(q) && (!after || u.name > after))
      return { users: hits.slice(0, limit).map((u) => ({ ...u })), more: hits.length > limit }
    }),
    createUser: vi.fn(async (t, name, password, role) => user(name, { role: role || 'user', online: false, devices: 0 })),
    kick: vi.fn(async () => ({ code: '2000' })),
    ban: vi.fn(async () => ({ code: '2000' })),
    unban: vi.fn(async () => ({ code: '2000' })),
    setPassword: vi.fn(async () => ({ code: '2000' })),
    setRole: vi.fn(async () => ({ code: '2000' })),
    deleteUser: vi.fn(async () => ({ code: '2000' })),
    invites: vi.fn(async () => [{ code: 'OLD1', uses_left: 1, uses: 0, expires: Date.now() + 1e6, created_by: 'root', created: 1 }]),
    createInvite: vi.fn(async (t, uses, exp) => ({ code: 'NEW1', uses_left: uses, uses: 0, expires: Date.now() + exp * 1000, created_by: 'root', created: 2 })),
    revokeInvite: vi.fn(async () => ({ code: '2000' })),
    notice: vi.fn(async () => ({ code: '2000', delivered: 4 }))
  }
  return { admin }
}

describe('admin store', () => {
  it('loads stats, pages users by name and searches afresh', async () => {
    const api = fakeAdminApi()
    const a = createAdminStore({ api, token: () => 'T' })
    await a.loadStats()
    expect(a.state.stats.registration).toBe('invite')
    const limit = 2
    api.admin.users.mockImplementation(async (t, o) => {
      const names = ['__proto__', 'alice', 'bob', 'constructor', 'zed'].filter((n) => n.includes(o.q || '') && (!o.after || n > o.after))
      return { users: names.slice(0, limit).map((n) => user(n)), more: names.length > limit }
    })
    await a.search('')
    expect(a.state.users.map((u) => u.name)).toEqual(['__proto__', 'alice'])
    expect(a.state.more).toBe(true)
    await a.loadMore()
    expect(api.admin.users).toHaveBeenLastCalledWith('T', { q: '', after: 'alice', limit: 50 })
    expect(a.state.users.map((u) => u.name)).toEqual(['__proto__', 'alice', 'bob', 'constructor'])
    await a.loadMore()
    expect(a.state.users.map((u) => u.name)).toEqual(['__proto__', 'alice', 'bob', 'constructor', 'zed'])
    expect(a.state.more).toBe(false)
    await a.search('o')
    expect(a.state.query).toBe('o')
    expect(a.state.users.map((u) => u.name)).toEqual(['__proto__', 'bob'])
  })

  it('actions change the row once the server said yes; a refusal keeps it and throws', async () => {
    const api = fakeAdminApi()
    const a = createAdminStore({ api, token: () => 'T' })
    await a.search('')
    const row = (n) => a.state.users.find((u) => u.name === n)
    await a.actions.ban('constructor')
    expect(api.admin.ban).toHaveBeenCalledWith('T', 'constructor')
    expect(row('constructor')).toMatchObject({ banned: true, online: false, devices: 0 })
    await a.actions.unban('constructor')
    expect(row('constructor').banned).toBe(false)
    await a.actions.role('__proto__', 'admin')
    expect(row('__proto__').role).toBe('admin')
    await a.actions.kick('bob')
    expect(row('bob')).toMatchObject({ online: false, devices: 0 })
    await a.actions.password('bob', 'pw999')
    expect(api.admin.setPassword).toHaveBeenCalledWith('T', 'bob', 'pw999')
    await a.actions.remove('zed')
    expect(row('zed')).toBeUndefined()
    api.admin.ban.mockImplementationOnce(async () => Promise.reject(Object.assign(new Error('x'), { code: '4003' })))
    await expect(a.actions.ban('alice')).rejects.toMatchObject({ code: '4003' })
    expect(row('alice').banned).toBe(false)
    const made = await a.createUser('carol', 'pw1', 'admin')
    expect(api.admin.createUser).toHaveBeenCalledWith('T', 'carol', 'pw1', 'admin')
    expect(made.role).toBe('admin')
    expect(a.state.users.map((u) => u.name)).toEqual(['__proto__', 'alice', 'bob', 'carol', 'constructor'])
  })

  it('invites: list, create (newest first), revoke; notices report deliveries', async () => {
    const api = fakeAdminApi()
    const a = createAdminStore({ api, token: () => 'T' })
    await a.loadInvites()
    const inv = await a.createInvite(2, 3600)
    expect(api.admin.createInvite).toHaveBeenCalledWith('T', 2, 3600)
    expect(inv.code).toBe('NEW1')
    expect(a.state.invites.map((i) => i.code)).toEqual(['NEW1', 'OLD1'])
    await a.revokeInvite('OLD1')
    expect(a.state.invites.map((i) => i.code)).toEqual(['NEW1'])
    expect(await a.sendNotice('maintenance at 5', '')).toBe(4)
    expect(api.admin.notice).toHaveBeenCalledWith('T', 'maintenance at 5', undefined)
    await a.sendNotice('hi', 'bob')
    expect(api.admin.notice).toHaveBeenLastCalledWith('T', 'hi', 'bob')
  })

  it('errors are kept as codes for the view', async () => {
    const api = fakeAdminApi()
    api.admin.stats.mockImplementation(async () => Promise.reject(Object.assign(new Error('x'), { code: '4030' })))
    api.admin.users.mockImplementation(async () => Promise.reject(Object.assign(new Error('x'), { code: 'network' })))
    const a = createAdminStore({ api, token: () => 'T' })
    await a.loadStats()
    await a.search('x')
    expect(a.state.statsError).toBe('4030')
    expect(a.state.usersError).toBe('network')
    expect(a.state.loading).toBe(false)
  })
})

describe('admin helpers', () => {
  it('an invite is live while it has uses and has not expired', () => {
    expect(inviteLive({ uses_left: 1, expires: 2000 }, 1000)).toBe(true)
    expect(inviteLive({ uses_left: 0, expires: 2000 }, 1000)).toBe(false)
    expect(inviteLive({ uses_left: 1, expires: 500 }, 1000)).toBe(false)
  })

  it('uptime reads short', () => {
    expect([formatUptime(42), formatUptime(125), formatUptime(3 * 3600 + 60), formatUptime(90061)]).toEqual(['42s', '2m 5s', '3h 1m', '1d 1h'])
  })
})
