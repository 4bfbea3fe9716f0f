// Display names and status lines of other people (POST /api/profiles), cached in a Map keyed
// by name (never a plain object: `constructor` or `__proto__` are ordinary names). Names are
// asked for in batches (at most 200 a request) once each, until refreshed; what is shown falls
// back to the name. An account that was deleted appears as `~deleted-<n>` (no registered name
// begins with `~`), with `deleted: true` in a profile, or left out of the answer (no such account
// any more, e.g. deleted while its conversation was open here): it reads "Deleted account".
import { reactive } from 'vue'
import { t } from '../i18n/index.js'

export const PROFILE_BATCH = 200
export const DISPLAY_NAME_MAX = 32
export const STATUS_MAX = 140

export const isDeletedName = (name) => typeof name === 'string' && name.startsWith('~')

const str = (v) => (typeof v === 'string' ? v : '')

/** Names as shown when no profile is known (tests, or before the first answer). */
export const plainNames = {
  label: (name) => (isDeletedName(name) ? t('account.deletedUser') : name || ''),
  status: () => '',
  isDeleted: isDeletedName,
  get: () => undefined,
  want() {},
  refresh() {},
  put() {}
}

export function createProfiles({ api, token, delay = 30 }) {
  const map = reactive(new Map()) // name -> {name, display_name, status, deleted}
  const asked = new Set() // names asked for (answered or under way): not asked again until refreshed
  const queue = new Set()
  let timer = null

  function wanted(name) {
    return typeof name === 'string' && name !== '' && !isDeletedName(name) && !asked.has(name)
  }

  /** Fetch the profiles of these names that were never asked for (batched, soon). */
  function want(names) {
    for (const n of names || []) if (wanted(n)) queue.add(n)
    if (queue.size && !timer) timer = setTimeout(flush, delay)
  }

  /** Ask again for these names (what they show may have changed). */
  function refresh(names) {
    for (const n of names || []) asked.delete(n)
    want(names)
  }

  async function flush() {
    timer = null
    const names = [...queue]
    queue.clear()
    for (const n of names) asked.add(n)
    const jobs = []
    for (let i = 0; i < names.length; i += PROFILE_BATCH) jobs.push(fetchBatch(names.slice(i, i + PROFILE_BATCH)))
    await Promise.all(jobs)
  }

  async function fetchBatch(names) {
    try {
      const list = await api.profiles(token(), names)
      const sent = new Set(names)
      for (const p of list || []) if (p && sent.delete(p.name)) put(p)
      // Omitted: no such account (any more). A conversation with it reads "Deleted account".
      for (const n of sent) map.set(n, { name: n, display_name: '', status: '', deleted: true, missing: true })
    } catch (e) {
      // Unreachable: try again with the next want(); refused (an older server): leave it.
      if (e?.code === 'network') for (const n of names) asked.delete(n)
    }
  }

  function put(p) {
    if (!p || typeof p.name !== 'string') return
    map.set(p.name, { name: p.name, display_name: str(p.display_name), status: str(p.status), deleted: !!p.deleted })
  }

  const get = (name) => map.get(name)
  const isDeleted = (name) => isDeletedName(name) || !!map.get(name)?.deleted

  /** What to call this person: "Deleted account", the display name, or the name. */
  function label(name) {
    if (isDeleted(name)) return t('account.deletedUser')
    return map.get(name)?.display_name || name || ''
  }

  const status = (name) => (isDeleted(name) ? '' : map.get(name)?.status || '')

  function stop() {
    clearTimeout(timer)
    timer = null
    queue.clear()
  }

  return { map, want, refresh, flush, put, get, label, status, isDeleted, stop }
}
