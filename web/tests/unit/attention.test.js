import { describe, expect, it, vi } from 'vitest'
import { createAttention } from '../../src/stores/attention.js'
import { ASKED_KEY, createNotifier } from '../../src/utils/notifier.js'

function memoryStorage(init = {}) {
  const data = { ...init }
  return { data, get: (k) => (k in data ? data[k] : null), set: (k, v) => (data[k] = v), remove: (k) => delete data[k] }
}

function fakeNotification(permission = 'default') {
  const shown = []
  function N(title, opts) {
    this.title = title
    this.opts = opts
    this.close = vi.fn()
    shown.push(this)
  }
  N.permission = permission
  N.requestPermission = vi.fn(async () => 'granted')
  return { N, shown }
}

describe('tab title counter', () => {
  it('counts messages while hidden and clears when visible again', () => {
    const a = createAttention()
    a.incoming({ title: 'bob', body: 'visible: not counted' })
    expect(a.title()).toBe('parley')
    a.setHidden(true)
    a.incoming({ title: 'bob', body: 'one' })
    a.incoming({ title: 'bob', body: 'two' })
    a.incoming({ title: 'Hikers', body: 'carol: three' })
    expect(a.title()).toBe('(3) parley')
    a.setHidden(false)
    expect(a.title()).toBe('parley')
    a.setHidden(true)
    for (let i = 0; i < 120; i++) a.incoming({ title: 'bob' })
    expect(a.title()).toBe('(99+) parley')
  })

  it('notifies while hidden only, one tag per conversation, the text shortened and on one line', () => {
    const show = vi.fn()
    const a = createAttention({ notifier: { show, askOnce: vi.fn() } })
    a.incoming({ title: 'bob', body: 'seen', tag: 'u:bob' })
    expect(show).not.toHaveBeenCalled()
    a.setHidden(true)
    a.incoming({ title: 'bob', body: 'line one\nline two ' + 'x'.repeat(300), tag: 'u:bob' })
    const [title, opts] = show.mock.calls[0]
    expect(title).toBe('bob')
    expect(opts.tag).toBe('u:bob')
    expect(opts.body.startsWith('line one line two x')).toBe(true)
    expect(opts.body.length).toBe(140)
  })
})

describe('notifier', () => {
  it('asks for permission once per browser, and only while undecided', () => {
    const storage = memoryStorage()
    const { N } = fakeNotification('default')
    const n = createNotifier({ Notification: N, storage })
    n.askOnce()
    n.askOnce()
    expect(N.requestPermission).toHaveBeenCalledTimes(1)
    expect(storage.data[ASKED_KEY]).toBe(true)
    createNotifier({ Notification: N, storage }).askOnce() // a reload: not again
    expect(N.requestPermission).toHaveBeenCalledTimes(1)
    const denied = fakeNotification('denied')
    createNotifier({ Notification: denied.N, storage: memoryStorage() }).askOnce()
    expect(denied.N.requestPermission).not.toHaveBeenCalled()
  })

  it('shows a notification when granted; a click focuses the page and opens the conversation', () => {
    const { N, shown } = fakeNotification('granted')
    const focus = vi.fn()
    const onClick = vi.fn()
    createNotifier({ Notification: N, storage: memoryStorage(), focus }).show('bob', { body: 'hi', tag: 'u:bob', onClick })
    expect(shown[0]).toMatchObject({ title: 'bob', opts: { body: 'hi', tag: 'u:bob' } })
    shown[0].onclick()
    expect(focus).toHaveBeenCalled()
    expect(onClick).toHaveBeenCalled()
  })

  it('fails silently: no API, not granted, or a constructor that throws', () => {
    expect(createNotifier({ Notification: undefined, storage: memoryStorage() }).show('x')).toBe(null)
    expect(() => createNotifier({ Notification: undefined, storage: memoryStorage() }).askOnce()).not.toThrow()
    const { N, shown } = fakeNotification('default')
    expect(createNotifier({ Notification: N, storage: memoryStorage() }).show('x')).toBe(null)
    expect(shown).toHaveLength(0)
    function Throws() {
      throw new TypeError('Illegal constructor')
    }
    Throws.permission = 'granted'
    expect(createNotifier({ Notification: Throws, storage: memoryStorage() }).show('x')).toBe(null)
    const broken = fakeNotification('default')
    broken.N.requestPermission = () => {
      throw new Error('old API')
    }
    expect(() => createNotifier({ Notification: broken.N, storage: memoryStorage() }).askOnce()).not.toThrow()
  })
})
