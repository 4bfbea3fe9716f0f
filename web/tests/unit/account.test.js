import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createChatStore } from '../../src/stores/chat.js'
import { createSession } from '../../src/stores/session.js'
import { createProfiles } from '../../src/stores/profiles.js'
import { createAccount, passwordProblem, profileProblem } from '../../src/stores/account.js'
import { ApiError } from '../../src/api/http.js'
import { makeFakeWS } from './fake-ws.js'

function memoryStorage() {
  const data = {}
  return { data, get: (k) => (k in data ? data[k] : null), set: (k, v) => (data[k] = v), remove: (k) => delete data[k] }
}

function setup(over = {}) {
  const api = {
    list: vi.fn(async () => []),
    loginlist: vi.fn(async () => []),
    conversations: vi.fn(async () => []),
    groups: vi.fn(async () => []),
    user: vi.fn(async () => ({ code: '2000', name: 'alice', role: 'user' })),
    profiles: vi.fn(async () => []),
    ...over
  }
  const ws = makeFakeWS()
  const storage = memoryStorage()
  const session = createSession({ api, storage })
  session.set('OLD', 'alice', null)
  const chat = createChatStore({ api, session, storage, url: () => 'ws://x/api/ws', connectionOptions: { WebSocket: ws.FakeWS, backoff: { random: () => 1 } } })
  const profiles = createProfiles({ api, token: () => session.state.token })
  const account = createAccount({ api, session, chat, profiles })
  chat.start()
  const connect = async () => {
    ws.last().open()
    ws.last().frame({ type: 'ok', name: 'alice', seq: 0 })
    await flushPromises()
  }
  return { api, ws, session, chat, profiles, account, storage, connect }
}

describe('account checks', () => {
  it('display name ≤ 32 and status ≤ 140 characters (emoji count as one)', () => {
    expect(profileProblem({ display_name: '😀'.repeat(32), status: 'x'.repeat(140) })).toBe(null)
    expect(profileProblem({ display_name: 'x'.repeat(33) })).toBe('account.errors.displayName')
    expect(profileProblem({ status: 'x'.repeat(141) })).toBe('account.errors.status')
  })

  it('a new password is 3–20 characters, typed twice the same', () => {
    expect(passwordProblem('ab', 'ab')).toBe('account.errors.passwordLength')
    expect(passwordProblem('abcd', 'abce')).toBe('account.errors.passwordMismatch')
    expect(passwordProblem('abcd', 'abcd')).toBe(null)
    expect(passwordProblem('abcd')).toBe(null)
  })
})

describe('account store', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('saves the profile: my display name and the cache follow', async () => {
    const { account, api, session, profiles } = setup({
      saveProfile: vi.fn(async () => ({ name: 'alice', display_name: 'Alice A.', status: 'hi' }))
    })
    const p = await account.saveProfile({ display_name: 'Alice A.', status: 'hi' })
    expect(api.saveProfile).toHaveBeenCalledWith('OLD', { display_name: 'Alice A.', status: 'hi' })
    expect(p.display_name).toBe('Alice A.')
    expect(session.state.displayName).toBe('Alice A.')
    expect(profiles.label('alice')).toBe('Alice A.')
    expect(profiles.status('alice')).toBe('hi')
  })

  it('a password change goes on with the new token on a new socket, despite the 4401 close', async () => {
    let answer
    const { account, api, session, ws, connect, storage } = setup({
      changePassword: vi.fn(() => new Promise((r) => (answer = r)))
    })
    await connect()
    const first = ws.last()
    const done = account.changePassword('old1', 'new1')
    first.serverClose(4401) // the server closes every connection before it answers
    await flushPromises()
    expect(session.state.status).toBe('in') // held: not logged out
    answer({ code: '2000', token: 'NEW', expires: null })
    await done
    expect(api.changePassword).toHaveBeenCalledWith('OLD', 'old1', 'new1')
    expect(session.state).toMatchObject({ status: 'in', token: 'NEW' })
    expect(storage.data['parley.session'].token).toBe('NEW')
    const second = ws.last()
    expect(second).not.toBe(first)
    second.open()
    expect(second.sent[0]).toMatchObject({ type: 'auth', content: 'NEW' })
  })

  it('a wrong old password changes nothing; a revocation during a failed call still logs out', async () => {
    const { account, session, ws, connect } = setup({
      changePassword: vi.fn(async () => Promise.reject(new ApiError('4005', 'wrong', 403)))
    })
    await connect()
    const sock = ws.last()
    await expect(account.changePassword('bad', 'new1')).rejects.toMatchObject({ code: '4005' })
    expect(session.state).toMatchObject({ status: 'in', token: 'OLD' })
    expect(ws.last()).toBe(sock)

    let reject
    const again = setup({ changePassword: vi.fn(() => new Promise((_, r) => (reject = r))) })
    await again.connect()
    const p = again.account.changePassword('x', 'new1')
    again.ws.last().serverClose(4401)
    reject(new ApiError('5000', 'oops', 500))
    await expect(p).rejects.toMatchObject({ code: '5000' })
    expect(again.session.state).toMatchObject({ status: 'out', notice: 'revoked' })
  })

  it('deleting the account ends the session with its own notice; a wrong password keeps it', async () => {
    let ok = false
    const { account, api, session, ws, connect } = setup({
      deleteAccount: vi.fn(async () => (ok ? { code: '2000' } : Promise.reject(new ApiError('4005', 'wrong', 403))))
    })
    await connect()
    await expect(account.deleteAccount('nope')).rejects.toMatchObject({ code: '4005' })
    expect(session.state.status).toBe('in')
    ok = true
    const done = account.deleteAccount('secret1')
    ws.last().serverClose(4401)
    await done
    expect(api.deleteAccount).toHaveBeenLastCalledWith('OLD', 'secret1')
    expect(session.state).toMatchObject({ status: 'out', notice: 'deleted' })
  })
})
