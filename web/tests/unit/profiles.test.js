import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createProfiles, isDeletedName, plainNames, PROFILE_BATCH } from '../../src/stores/profiles.js'
import { setLocale } from '../../src/i18n/index.js'
import { ApiError } from '../../src/api/http.js'

const awkward = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']

function apiWith(profiles) {
  return {
    profiles: vi.fn(async (token, names) => names.filter((n) => profiles.has(n)).map((n) => ({ name: n, ...profiles.get(n) })))
  }
}

describe('profiles', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    setLocale('en')
  })
  afterEach(() => vi.useRealTimers())

  it('asks once per name, in one batch, and shows display names with the name as fallback', async () => {
    const api = apiWith(new Map([['bob', { display_name: 'Bobby', status: 'at lunch' }], ['carol', { display_name: '', status: '' }]]))
    const p = createProfiles({ api, token: () => 'T' })
    p.want(['bob', 'carol', 'nobody'])
    p.want(['bob'])
    expect(api.profiles).not.toHaveBeenCalled() // batched
    await vi.runAllTimersAsync()
    expect(api.profiles).toHaveBeenCalledTimes(1)
    expect(api.profiles.mock.calls[0]).toEqual(['T', ['bob', 'carol', 'nobody']])
    expect(p.label('bob')).toBe('Bobby')
    expect(p.status('bob')).toBe('at lunch')
    expect(p.label('carol')).toBe('carol') // empty display name: the name
    expect(p.label('nobody')).toBe('Deleted account') // omitted by the server: no such account (any more)
    p.want(['bob', 'nobody'])
    await vi.runAllTimersAsync()
    expect(api.profiles).toHaveBeenCalledTimes(1) // not asked again
    p.refresh(['bob'])
    await vi.runAllTimersAsync()
    expect(api.profiles).toHaveBeenCalledTimes(2)
    expect(api.profiles.mock.calls[1][1]).toEqual(['bob'])
  })

  it(`splits big requests into batches of ${PROFILE_BATCH}`, async () => {
    const api = apiWith(new Map())
    const p = createProfiles({ api, token: () => 'T' })
    p.want(Array.from({ length: 450 }, (_, i) => 'u' + i))
    await vi.runAllTimersAsync()
    expect(api.profiles.mock.calls.map((c) => c[1].length)).toEqual([200, 200, 50])
  })

  it('deleted accounts read "Deleted account" and are never asked for', async () => {
    const api = apiWith(new Map([['gone', { display_name: 'Was here', status: 'x', deleted: true }]]))
    const p = createProfiles({ api, token: () => 'T' })
    p.want(['~deleted-3', 'gone'])
    await vi.runAllTimersAsync()
    expect(api.profiles.mock.calls[0][1]).toEqual(['gone'])
    expect(p.label('~deleted-3')).toBe('Deleted account')
    expect(p.label('gone')).toBe('Deleted account')
    expect(p.status('gone')).toBe('')
    expect(p.isDeleted('~deleted-3') && p.isDeleted('gone')).toBe(true)
    setLocale('zh')
    expect(p.label('~deleted-3')).toBe('已注销用户')
    expect(plainNames.label('~deleted-9')).toBe('已注销用户')
    expect(plainNames.label('bob')).toBe('bob')
    setLocale('en')
    expect(isDeletedName('bob~')).toBe(false)
  })

  it('names that are Object.prototype keys are ordinary names', async () => {
    const api = apiWith(new Map(awkward.map((n) => [n, { display_name: `${n} shown`, status: `${n} status` }])))
    const p = createProfiles({ api, token: () => 'T' })
    expect(awkward.map((n) => p.label(n))).toEqual(awkward) // nothing inherited before the answer
    p.want(awkward)
    await vi.runAllTimersAsync()
    expect(api.profiles.mock.calls[0][1]).toEqual(awkward)
    for (const n of awkward) {
      expect(p.label(n)).toBe(`${n} shown`)
      expect(p.status(n)).toBe(`${n} status`)
    }
    expect(p.map).toBeInstanceOf(Map)
    expect(p.map.size).toBe(awkward.length)
  })

  it('a network failure asks again on the next want; a refusal does not', async () => {
    let fail = new ApiError('network')
    const api = { profiles: vi.fn(async (t, names) => (fail ? Promise.reject(fail) : names.map((n) => ({ name: n, display_name: 'D' })))) }
    const p = createProfiles({ api, token: () => 'T' })
    p.want(['bob'])
    await vi.runAllTimersAsync()
    fail = null
    p.want(['bob'])
    await vi.runAllTimersAsync()
    expect(api.profiles).toHaveBeenCalledTimes(2)
    expect(p.label('bob')).toBe('D')
    fail = new ApiError('404', 'no', 404)
    p.want(['zed'])
    await vi.runAllTimersAsync()
    p.want(['zed'])
    await vi.runAllTimersAsync()
    expect(api.profiles).toHaveBeenCalledTimes(3)
  })

  it('put() stores what my own save answered', async () => {
    const p = createProfiles({ api: apiWith(new Map()), token: () => 'T' })
    p.put({ name: 'me', display_name: 'Me!', status: 'hi' })
    expect(p.label('me')).toBe('Me!')
    p.put({ name: 'me', display_name: '', status: '' })
    expect(p.label('me')).toBe('me')
    await flushPromises()
  })
})
