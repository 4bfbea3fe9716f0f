import { describe, expect, it, vi } from 'vitest'
import { createSession, SESSION_KEY } from '../../src/stores/session.js'
import { ApiError } from '../../src/api/http.js'

function memoryStorage(init = {}) {
  const data = { ...init }
  return { data, get: (k) => (k in data ? data[k] : null), set: (k, v) => (data[k] = v), remove: (k) => delete data[k] }
}

describe('session', () => {
  it('restores a stored token the server accepts', async () => {
    const api = { user: vi.fn(async () => ({ code: '2000', name: 'alice' })) }
    const s = createSession({ api, storage: memoryStorage({ [SESSION_KEY]: { token: 'T', name: 'alice', expires: null } }) })
    await s.restore()
    expect(api.user).toHaveBeenCalledWith('T')
    expect(s.state).toMatchObject({ status: 'in', name: 'alice', token: 'T' })
  })

  it('goes to the login screen when the server says 401', async () => {
    const api = { user: vi.fn(async () => Promise.reject(new ApiError('401', 'no', 401))) }
    const storage = memoryStorage({ [SESSION_KEY]: { token: 'T', name: 'alice' } })
    const s = createSession({ api, storage })
    await s.restore()
    expect(s.state.status).toBe('out')
    expect(storage.data[SESSION_KEY]).toBeUndefined()
  })

  it('stays logged in when the server is unreachable on reload', async () => {
    const api = { user: vi.fn(async () => Promise.reject(new ApiError('network'))) }
    const s = createSession({ api, storage: memoryStorage({ [SESSION_KEY]: { token: 'T', name: 'alice' } }) })
    await s.restore()
    expect(s.state.status).toBe('in')
  })

  it('drops an expired token without asking', async () => {
    const api = { user: vi.fn() }
    const s = createSession({ api, now: () => 2000_000, storage: memoryStorage({ [SESSION_KEY]: { token: 'T', name: 'a', expires: 1000 } }) })
    await s.restore()
    expect(api.user).not.toHaveBeenCalled()
    expect(s.state).toMatchObject({ status: 'out', notice: 'expired' })
  })

  it('logs in and out, revoking on the server', async () => {
    const storage = memoryStorage()
    const api = {
      login: vi.fn(async () => ({ code: '2000', name: 'bob', token: 'B', expires: 99999999999 })),
      logout: vi.fn(async () => ({ code: '2000' }))
    }
    const s = createSession({ api, storage })
    await s.login('bob', 'pw1')
    expect(storage.data[SESSION_KEY]).toEqual({ token: 'B', name: 'bob', expires: 99999999999, role: 'user', display_name: '' })
    await s.logout()
    expect(api.logout).toHaveBeenCalledWith('B')
    expect(s.state.status).toBe('out')
    expect(storage.data[SESSION_KEY]).toBeUndefined()
  })

  it('keeps the role and display name from the login answer and GET /api/user', async () => {
    const storage = memoryStorage()
    const api = {
      login: vi.fn(async () => ({ code: '2000', name: 'root', token: 'R', role: 'admin', display_name: 'Boss' })),
      user: vi.fn(async () => ({ code: '2000', name: 'root', role: 'user', display_name: '' }))
    }
    const s = createSession({ api, storage })
    await s.login('root', 'pw1')
    expect(s.state).toMatchObject({ role: 'admin', displayName: 'Boss' })
    expect(s.isAdmin()).toBe(true)
    expect(storage.data[SESSION_KEY]).toMatchObject({ role: 'admin', display_name: 'Boss' })
    await s.refresh() // demoted meanwhile
    expect(s.state).toMatchObject({ role: 'user', displayName: '' })
    const again = createSession({ api, storage })
    await again.restore()
    expect(again.state).toMatchObject({ status: 'in', role: 'user' })
  })

  it('an older server without roles: a plain user', async () => {
    const api = { login: vi.fn(async () => ({ code: '2000', name: 'bob', token: 'B' })) }
    const s = createSession({ api, storage: memoryStorage() })
    await s.login('bob', 'pw1')
    expect(s.state.role).toBe('user')
    expect(s.isAdmin()).toBe(false)
  })

  it('a new token after a password change is stored; an ended older one does not erase it', async () => {
    const storage = memoryStorage()
    const s = createSession({ api: {}, storage })
    s.set('OLD', 'bob', null, { role: 'user' })
    s.replaceToken('NEW', 123)
    expect(storage.data[SESSION_KEY]).toMatchObject({ token: 'NEW', expires: 123 })
    // another tab still on the old token is told it was revoked: it leaves the new one alone
    const other = createSession({ api: {}, storage })
    Object.assign(other.state, { token: 'OLD', name: 'bob', status: 'in' })
    other.end('revoked')
    expect(storage.data[SESSION_KEY]).toMatchObject({ token: 'NEW' })
    s.end('deleted')
    expect(storage.data[SESSION_KEY]).toBeUndefined()
    expect(s.state).toMatchObject({ status: 'out', notice: 'deleted', role: 'user' })
  })
})
