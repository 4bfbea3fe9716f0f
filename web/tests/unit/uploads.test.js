import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { uploadFile } from '../../src/api/upload.js'
import { createAttachments } from '../../src/stores/attachments.js'
import { createChatStore } from '../../src/stores/chat.js'
import { createSession } from '../../src/stores/session.js'
import { makeFakeXHR } from './fake-xhr.js'
import { makeFakeWS } from './fake-ws.js'

const FILE = { id: 'f1', name: '截图 1.png', type: 'image/png', size: 5, url: '/api/files/f1', width: 2, height: 2, thumb_url: '/api/files/f1/thumb' }
const blob = (name, type, size) => {
  const f = new File([new Uint8Array(size)], name, { type })
  return f
}

describe('uploadFile (XMLHttpRequest)', () => {
  it('posts the raw bytes with the token, type and encoded name; reports progress; resolves the FILE', async () => {
    const x = makeFakeXHR()
    const progress = []
    const file = blob('截图 1.png', 'image/png', 5)
    const job = uploadFile({ file, token: 'TOK', XHR: x.FakeXHR, onProgress: (l, t) => progress.push([l, t]) })
    const req = x.last()
    expect(req.method).toBe('POST')
    expect(req.url).toBe('/api/files')
    expect(req.headers).toEqual({ 'w-token': 'TOK', 'Content-Type': 'image/png', 'X-File-Name': encodeURIComponent('截图 1.png') })
    expect(req.body).toBe(file)
    req.progress(2, 5)
    req.progress(5, 5)
    expect(progress).toEqual([
      [2, 5],
      [5, 5]
    ])
    req.answer(200, { code: '2000', file: FILE })
    await expect(job.promise).resolves.toEqual(FILE)
  })

  it('sends a file without a type as application/octet-stream, under the name given', async () => {
    const x = makeFakeXHR()
    uploadFile({ file: blob('a', '', 1), token: 't', name: 'other name.bin', XHR: x.FakeXHR })
    expect(x.last().headers['Content-Type']).toBe('application/octet-stream')
    expect(x.last().headers['X-File-Name']).toBe('other%20name.bin')
  })

  it.each([
    [413, { code: '4013' }, '4013'],
    [413, { code: '4034' }, '4034'],
    [415, { code: '4015' }, '4015'],
    [429, { code: '4029' }, '4029'],
    [401, { code: '4010' }, '401'],
    [500, 'oops', '5000'],
    [413, '<html>proxy</html>', '4013'],
    [200, { code: '4001' }, '4001']
  ])('HTTP %i %j rejects with code %s', async (status, body, code) => {
    const x = makeFakeXHR()
    const job = uploadFile({ file: blob('a.png', 'image/png', 1), token: 't', XHR: x.FakeXHR })
    x.last().answer(status, body)
    await expect(job.promise).rejects.toMatchObject({ code, status })
  })

  it('an answer without a file is a bad response; a network error is "network"', async () => {
    const x = makeFakeXHR()
    const a = uploadFile({ file: blob('a', 'text/plain', 1), token: 't', XHR: x.FakeXHR })
    x.last().answer(200, { code: '2000' })
    await expect(a.promise).rejects.toMatchObject({ code: 'bad_response' })
    const b = uploadFile({ file: blob('a', 'text/plain', 1), token: 't', XHR: x.FakeXHR })
    x.last().networkError()
    await expect(b.promise).rejects.toMatchObject({ code: 'network' })
  })

  it('abort cancels the request and rejects with "aborted"', async () => {
    const x = makeFakeXHR()
    const job = uploadFile({ file: blob('a', 'text/plain', 1), token: 't', XHR: x.FakeXHR })
    job.abort()
    job.abort() // twice: harmless
    expect(x.last().aborted).toBe(true)
    await expect(job.promise).rejects.toMatchObject({ code: 'aborted' })
  })
})

function attachmentsWith({ max = 100 } = {}) {
  const x = makeFakeXHR()
  const urls = { made: [], revoked: [] }
  const uploaded = []
  const store = createAttachments({
    upload: (b, name, onProgress) => uploadFile({ file: b, token: 't', name, onProgress, XHR: x.FakeXHR }),
    maxBytes: () => max,
    onUploaded: (f) => uploaded.push(f),
    objectUrls: { create: (b) => (urls.made.push(b.name), 'blob:' + b.name), revoke: (u) => urls.revoked.push(u) }
  })
  return { x, store, urls, uploaded }
}

describe('attachments waiting in the composer', () => {
  it('uploads each file at once, shows progress, is ready when all are done', async () => {
    const { x, store, uploaded } = attachmentsWith()
    const [a, b] = store.add('u:bob', [blob('a.png', 'image/png', 10), blob('b.txt', 'text/plain', 4)])
    expect(x.all).toHaveLength(2)
    expect(a.preview).toBe('blob:a.png')
    expect(b.preview).toBe(null)
    expect(store.uploading('u:bob')).toBe(true)
    x.all[0].progress(5, 10)
    expect(a.loaded).toBe(5)
    x.all[0].answer(200, { code: '2000', file: { ...FILE, id: 'A' } })
    await flushPromises()
    expect(a.status).toBe('done')
    expect(store.uploading('u:bob')).toBe(true) // b still going
    expect(store.ready('u:bob').map((f) => f.id)).toEqual(['A'])
    x.all[1].answer(200, { code: '2000', file: { id: 'B', name: 'b.txt', type: 'text/plain', size: 4, url: '/api/files/B' } })
    await flushPromises()
    expect(store.uploading('u:bob')).toBe(false)
    expect(store.ready('u:bob').map((f) => f.id)).toEqual(['A', 'B'])
    expect(uploaded.map((f) => f.id)).toEqual(['A', 'B'])
    expect(store.list('u:carol')).toEqual([]) // per conversation
  })

  it('refuses a file over the limit before sending a byte', () => {
    const { x, store } = attachmentsWith({ max: 100 })
    const [big] = store.add('u:bob', [blob('big.bin', 'application/octet-stream', 101)])
    expect(x.all).toHaveLength(0)
    expect(big.status).toBe('failed')
    expect(big.error).toBe('too_large')
    const [ok] = store.add('u:bob', [blob('ok.bin', '', 100)])
    expect(ok.status).toBe('uploading')
  })

  it('at most 10 files a message', () => {
    const { x, store } = attachmentsWith()
    const items = store.add('g:1', Array.from({ length: 11 }, (_, i) => blob(`f${i}.txt`, 'text/plain', 1)))
    expect(x.all).toHaveLength(10)
    expect(items[10].error).toBe('too_many')
  })

  it('cancel aborts the upload and takes it off; the object URL is freed', async () => {
    const { x, store, urls } = attachmentsWith()
    const [a] = store.add('u:bob', [blob('a.png', 'image/png', 10)])
    store.remove('u:bob', a)
    expect(x.last().aborted).toBe(true)
    expect(store.list('u:bob')).toEqual([])
    expect(urls.revoked).toEqual(['blob:a.png'])
    await flushPromises()
    expect(store.uploading('u:bob')).toBe(false)
  })

  it('a server refusal stays on the list with its code; a network failure can be retried', async () => {
    const { x, store } = attachmentsWith()
    const [a, b] = store.add('u:bob', [blob('fake.png', 'image/png', 3), blob('n.txt', 'text/plain', 3)])
    x.all[0].answer(415, { code: '4015' })
    x.all[1].networkError()
    await flushPromises()
    expect([a.status, a.error]).toEqual(['failed', '4015'])
    expect([b.status, b.error]).toEqual(['failed', 'network'])
    expect(store.uploading('u:bob')).toBe(false)
    expect(store.ready('u:bob')).toEqual([])
    expect(store.retry('u:bob', b)).toBe(true)
    expect(b.status).toBe('uploading')
    x.last().answer(200, { code: '2000', file: { id: 'N', name: 'n.txt', type: 'text/plain', size: 3, url: '/api/files/N' } })
    await flushPromises()
    expect(store.ready('u:bob').map((f) => f.id)).toEqual(['N'])
  })

  it('clear after sending empties the list; clearAll stops every upload', () => {
    const { x, store } = attachmentsWith()
    store.add('u:bob', [blob('a.txt', 'text/plain', 1)])
    store.add('u:carol', [blob('b.txt', 'text/plain', 1)])
    store.clear('u:bob')
    expect(store.list('u:bob')).toEqual([])
    expect(x.all[0].aborted).toBe(true)
    store.clearAll()
    expect(x.all[1].aborted).toBe(true)
    expect(store.lists.size).toBe(0)
  })
})

function memoryStorage() {
  const data = {}
  return { data, get: (k) => (k in data ? data[k] : null), set: (k, v) => (data[k] = v), remove: (k) => delete data[k] }
}

async function chatSetup(over = {}) {
  const ws = makeFakeWS()
  const api = {
    list: vi.fn(async () => ['alice', 'bob']),
    loginlist: vi.fn(async () => []),
    conversations: vi.fn(async () => []),
    history: vi.fn(async () => ({ code: '2000', messages: [], more: false })),
    user: vi.fn(async () => ({ code: '2000', name: 'alice' })),
    fileCookie: vi.fn(async () => ({ code: '2000' })),
    fileLimits: vi.fn(async () => ({ code: '2000', max_file_bytes: 1000, quota_bytes: 5000, used_bytes: 100 })),
    ...over
  }
  const storage = memoryStorage()
  const session = createSession({ api, storage })
  session.set('TOKEN', 'alice', null)
  const chat = createChatStore({ api, session, storage, url: () => 'ws://x/api/ws', ackTimeout: 5000, connectionOptions: { WebSocket: ws.FakeWS, backoff: { random: () => 1 } } })
  chat.start()
  const connect = async (extra = {}) => {
    ws.last().open()
    ws.last().frame({ type: 'ok', name: 'alice', seq: 0, ...extra })
    await flushPromises()
  }
  return { chat, ws, api, session, connect }
}

describe('chat store: files', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('asks for the file cookie and the limits on start, the cookie again after a token change', async () => {
    const { chat, api, session, connect } = await chatSetup()
    await flushPromises()
    expect(api.fileCookie).toHaveBeenCalledWith('TOKEN')
    expect(chat.net.fileCookie).toBe('ok')
    expect(chat.net.files).toEqual({ maxBytes: 1000, quota: 5000, used: 100 })
    await connect({ max_file_bytes: 2000 })
    expect(chat.net.files.maxBytes).toBe(2000) // the ok frame says so too
    chat.noteUpload({ size: 50 })
    expect(chat.net.files.used).toBe(150)
    session.replaceToken('NEW')
    chat.reconnect()
    await flushPromises()
    expect(api.fileCookie).toHaveBeenLastCalledWith('NEW')
  })

  it('an older server without the endpoints: images do not wait, the default limit applies', async () => {
    const { chat } = await chatSetup({ fileCookie: vi.fn(async () => Promise.reject(Object.assign(new Error('404'), { status: 404, code: '404' }))), fileLimits: undefined })
    await flushPromises()
    expect(chat.net.fileCookie).toBe('failed')
    expect(chat.net.files.maxBytes).toBe(25 * 1024 * 1024)
  })

  it('sends file ids (text may be empty), shows the files at once, settles on the ack', async () => {
    const { chat, ws, connect } = await chatSetup()
    await connect()
    const files = [FILE, { id: 'f2', name: 'a.txt', type: 'text/plain', size: 3, url: '/api/files/f2' }]
    const m = chat.send('', ['bob'], { files })
    expect(m).not.toBe(null)
    const frame = ws.last().sent.at(-1)
    expect(frame).toMatchObject({ type: 'normal', content: '', to: ['bob'], files: ['f1', 'f2'] })
    expect(m.files.map((f) => f.id)).toEqual(['f1', 'f2'])
    ws.last().frame({ type: 'ack', cid: frame.cid, id: 5, seq: 1, to: ['bob'] })
    expect(m.status).toBe('sent')
    expect(chat.send('   ', ['bob'])).toBe(null) // nothing at all: nothing sent
    expect(chat.send('', ['bob'], { files: Array.from({ length: 11 }, (_, i) => ({ id: 'x' + i })) })).toBe(null)
  })

  it('a group message with files; bad_file fails it in words, a retry sends the same ids', async () => {
    const { chat, ws, connect } = await chatSetup()
    await connect()
    const m = chat.send('pics', { group: '9' }, { files: [FILE] })
    const frame = ws.last().sent.at(-1)
    expect(frame).toMatchObject({ type: 'normal', content: 'pics', group: '9', files: ['f1'] })
    ws.last().frame({ type: 'error', code: 'bad_file', cid: frame.cid })
    expect(m.status).toBe('failed')
    expect(m.error).toBe('bad_file')
    chat.retry(m)
    expect(ws.last().sent.at(-1)).toMatchObject({ cid: frame.cid, files: ['f1'] })
  })

  it('received messages, history and the conversation list carry FILE objects', async () => {
    const { chat, ws, connect, api } = await chatSetup({
      conversations: vi.fn(async () => [{ with: 'carol', last: { id: 3, from: 'carol', to: ['alice'], content: '', files: [FILE] } }])
    })
    await connect()
    expect(chat.state.convs.get('u:carol').messages[0].files).toEqual([FILE])
    ws.last().frame({ type: 'normal', id: 8, seq: 1, from: 'bob', to: ['alice'], content: '', files: [{ ...FILE, id: 'g', url: 'https://elsewhere/x' }] })
    const got = chat.state.convs.get('u:bob').messages[0]
    expect(got.files[0].url).toBe('/api/files/g')
    api.history.mockResolvedValueOnce({ code: '2000', messages: [{ id: 2, from: 'bob', to: ['alice'], content: 'old', files: [FILE] }], more: false })
    chat.open('u:bob')
    await flushPromises()
    expect(chat.state.convs.get('u:bob').messages.map((m) => m.files.length)).toEqual([1, 1])
    ws.last().frame({ type: 'recall', id: 8, seq: 2 })
    expect(got.recalled).toBe(true)
    expect(got.files).toEqual([]) // a recalled message shows no attachment
  })
})
