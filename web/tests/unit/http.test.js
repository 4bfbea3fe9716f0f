import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, ApiError } from '../../src/api/http.js'

function respond(status, body) {
  return vi.fn(async () => ({ status, ok: status >= 200 && status < 300, json: async () => body }))
}

describe('http client', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('posts JSON and returns the body on code 2000', async () => {
    const f = respond(200, { code: '2000', msg: 'ok', name: 'a', token: 't', expires: 1 })
    vi.stubGlobal('fetch', f)
    expect(await api.login('a', 'pw1')).toMatchObject({ token: 't' })
    const [url, opts] = f.mock.calls[0]
    expect(url).toBe('/api/login')
    expect(opts.method).toBe('POST')
    expect(JSON.parse(opts.body)).toEqual({ name: 'a', password: 'pw1' })
  })

  it.each([
    [200, { code: '4005', msg: 'wrong' }, '4005'],
    [200, { code: '4003' }, '4003'],
    [200, { code: '4000' }, '4000'],
    [429, { code: '4029' }, '4029'],
    [500, { code: '5000' }, '5000'],
    [401, { code: '4010' }, '401']
  ])('turns HTTP %i %j into code %s', async (status, body, code) => {
    vi.stubGlobal('fetch', respond(status, body))
    await expect(api.login('a', 'b')).rejects.toMatchObject({ code })
  })

  it('reports an unreachable server as network', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    const e = await api.list().catch((x) => x)
    expect(e).toBeInstanceOf(ApiError)
    expect(e.code).toBe('network')
  })

  it('sends the token header and history query', async () => {
    const f = respond(200, { code: '2000', with: 'bob', messages: [], more: false })
    vi.stubGlobal('fetch', f)
    await api.history('TOK', '张三', { before: 12, limit: 30 })
    const [url, opts] = f.mock.calls[0]
    expect(url).toBe('/api/history?with=%E5%BC%A0%E4%B8%89&before=12&limit=30')
    expect(opts.headers['w-token']).toBe('TOK')
  })
})
