// Attachments waiting in the composer, per conversation (a Map keyed like the drafts, so a
// conversation can be left and found again with its uploads going on). Each file starts
// uploading as soon as it is picked, dropped or pasted; a file over the server's limit is
// refused here, before any byte is sent. The message goes once nothing is uploading, with the
// ids of the finished ones (at most MAX_FILES).
//
// item: {n, name, type, size, status: 'uploading' | 'done' | 'failed', loaded, file (FILE once
// done), error (a code for files.errors.*), preview (an object URL for a local image)}
import { reactive } from 'vue'
import { DEFAULT_MAX_FILE_BYTES, MAX_FILES } from '../utils/files.js'

/**
 * @param {object} o
 * @param {(blob: Blob, name: string, onProgress: Function) => {promise: Promise<object>, abort: Function}} o.upload
 * @param {() => number} [o.maxBytes]  the server's max_file_bytes
 * @param {(file: object) => void} [o.onUploaded]
 * @param {{create: Function, revoke: Function}} [o.objectUrls]
 */
export function createAttachments({ upload, maxBytes = () => DEFAULT_MAX_FILE_BYTES, onUploaded, objectUrls = browserUrls() }) {
  const lists = reactive(new Map()) // conversation key -> [item...]
  const running = new Map() // item n -> {abort}
  const blobs = new Map() // item n -> the Blob (for a retry)
  let counter = 0

  function list(key) {
    return lists.get(key) || []
  }

  function listFor(key) {
    if (!lists.has(key)) lists.set(key, [])
    return lists.get(key)
  }

  /** Add picked / dropped / pasted files to conversation `key`; returns the new items. */
  function add(key, files) {
    const l = listFor(key)
    const added = []
    for (const blob of files || []) {
      if (!blob) continue
      const name = blob.uploadName || blob.name || 'file'
      const item = reactive({
        n: ++counter,
        name,
        type: blob.type || '',
        size: blob.size || 0,
        status: 'uploading',
        loaded: 0,
        file: null,
        error: null,
        preview: null
      })
      l.push(item)
      added.push(item)
      const live = l.filter((x) => x.status !== 'failed').length
      if (live > MAX_FILES) {
        fail(item, 'too_many')
        continue
      }
      const max = maxBytes()
      if (typeof max === 'number' && max > 0 && item.size > max) {
        fail(item, 'too_large') // refused here: nothing is sent
        continue
      }
      if (/^image\//.test(item.type)) item.preview = objectUrls.create(blob)
      blobs.set(item.n, blob)
      start(key, item, blob)
    }
    return added
  }

  function start(key, item, blob) {
    item.status = 'uploading'
    item.error = null
    item.loaded = 0
    let job
    try {
      job = upload(blob, item.name, (loaded) => {
        item.loaded = Math.min(loaded, item.size || loaded)
      })
    } catch (e) {
      return fail(item, e?.code || 'network')
    }
    running.set(item.n, job)
    job.promise.then(
      (file) => {
        if (running.get(item.n) !== job) return
        running.delete(item.n)
        item.status = 'done'
        item.loaded = item.size
        item.file = file
        onUploaded?.(file)
      },
      (e) => {
        if (running.get(item.n) !== job) return // cancelled: already gone
        running.delete(item.n)
        fail(item, e?.code || 'network')
      }
    )
  }

  function fail(item, code) {
    item.status = 'failed'
    item.error = code
  }

  /** Cancel an upload in progress, or take a file off the list. */
  function remove(key, item) {
    const job = running.get(item.n)
    running.delete(item.n)
    blobs.delete(item.n)
    job?.abort()
    const l = lists.get(key)
    const i = l ? l.findIndex((x) => x.n === item.n) : -1
    if (i >= 0) l.splice(i, 1)
    if (item.preview) objectUrls.revoke(item.preview)
    item.preview = null
    if (l && !l.length) lists.delete(key)
  }

  /** Upload a failed file again (a network error, too many at once...). */
  function retry(key, item) {
    const blob = blobs.get(item.n)
    if (!blob || item.status !== 'failed' || item.error === 'too_large' || item.error === 'too_many') return false
    start(key, item, blob)
    return true
  }

  function uploading(key) {
    return list(key).some((x) => x.status === 'uploading')
  }

  /** The FILEs ready to go with a message from `key`. */
  function ready(key) {
    return list(key)
      .filter((x) => x.status === 'done' && x.file)
      .map((x) => x.file)
      .slice(0, MAX_FILES)
  }

  /** The message went: the list is emptied (failed files included: their error was shown). */
  function clear(key) {
    for (const item of [...list(key)]) remove(key, item)
  }

  /** Logging out, or the chat going away: every upload stops. */
  function clearAll() {
    for (const key of [...lists.keys()]) clear(key)
  }

  return { lists, list, add, remove, retry, uploading, ready, clear, clearAll }
}

function browserUrls() {
  return {
    create: (blob) => {
      try {
        return globalThis.URL?.createObjectURL?.(blob) || null
      } catch {
        return null
      }
    },
    revoke: (url) => {
      try {
        globalThis.URL?.revokeObjectURL?.(url)
      } catch {
        /* nothing to free */
      }
    }
  }
}
