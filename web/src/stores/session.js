// Who is logged in: the token lives in localStorage so a reload keeps the session,
// until logout, expiry, or the server refusing it (HTTP 401 / close 4401). Also my role
// ('user' | 'admin', from the login answer and GET /api/user) and my display name.
import { reactive } from 'vue'
import { makeStorage } from '../utils/storage.js'

export const SESSION_KEY = 'parley.session'
// Device proofs from the login answers, per account name (kept across logouts): a login that
// sends its proof back is not locked out by others guessing the password (docs/PROTOCOL.md).
export const DEVICES_KEY = 'parley.devices'
const MAX_DEVICES = 20

const roleOf = (r) => (r === 'admin' ? 'admin' : 'user')

export function createSession({ api, storage = makeStorage(), now = () => Date.now() } = {}) {
  const state = reactive({
    status: 'checking', // 'checking' | 'out' | 'in'
    token: null,
    name: null,
    expires: null,
    role: 'user',
    displayName: '',
    notice: null // why we are back at the login screen ('expired' | 'revoked' | 'deleted')
  })

  function save() {
    storage.set(SESSION_KEY, { token: state.token, name: state.name, expires: state.expires, role: state.role, display_name: state.displayName })
  }

  function set(token, name, expires, extra = {}) {
    Object.assign(state, {
      token,
      name,
      expires: expires ?? null,
      status: 'in',
      notice: null,
      role: extra.role !== undefined ? roleOf(extra.role) : state.role,
      displayName: typeof extra.display_name === 'string' ? extra.display_name : state.displayName
    })
    save()
  }

  function end(notice = null) {
    // Another tab of this browser may have stored a newer token (a password change there):
    // only forget the stored session when it is the one that ended.
    const saved = storage.get(SESSION_KEY)
    const mine = !saved?.token || !state.token || saved.token === state.token
    Object.assign(state, { token: null, name: null, expires: null, status: 'out', notice, role: 'user', displayName: '' })
    if (mine) storage.remove(SESSION_KEY)
  }

  function expired(expires) {
    return typeof expires === 'number' && expires * 1000 <= now()
  }

  /** On page load: reuse a stored token if the server still accepts it. */
  async function restore() {
    const saved = storage.get(SESSION_KEY)
    if (!saved?.token) return end()
    if (expired(saved.expires)) return end('expired')
    const extra = { role: saved.role, display_name: saved.display_name }
    try {
      const u = await api.user(saved.token)
      set(saved.token, u.name || saved.name, saved.expires, { ...extra, ...known(u) })
    } catch (e) {
      if (e.code === 'network' || e.status >= 500) {
        // Server down right now: stay logged in; the connection retries and will tell.
        set(saved.token, saved.name, saved.expires, extra)
      } else {
        end('expired')
      }
    }
  }

  // The fields of a login / user answer that are there (an older server sends no role).
  function known(u) {
    const out = {}
    if (typeof u?.role === 'string') out.role = u.role
    if (typeof u?.display_name === 'string') out.display_name = u.display_name
    return out
  }

  /** Ask the server again who I am (my role may have changed); errors are ignored. */
  async function refresh() {
    const token = state.token
    if (!token) return
    try {
      const u = await api.user(token)
      if (state.token !== token) return
      const k = known(u)
      if (k.role !== undefined) state.role = roleOf(k.role)
      if (k.display_name !== undefined) state.displayName = k.display_name
      save()
    } catch {
      /* the connection tells when the session is over */
    }
  }

  /** A new token for the same user (after a password change). */
  function replaceToken(token, expires) {
    state.token = token
    if (expires !== undefined) state.expires = expires ?? null
    save()
  }

  function setDisplayName(v) {
    state.displayName = typeof v === 'string' ? v : ''
    if (state.token) save()
  }

  async function login(name, password) {
    const saved = storage.get(DEVICES_KEY)
    const devices = new Map(Array.isArray(saved) ? saved.filter((e) => Array.isArray(e) && e.length === 2) : [])
    const device = devices.get(name)
    const r = await (device ? api.login(name, password, device) : api.login(name, password))
    if (typeof r.device === 'string') {
      devices.delete(name)
      devices.set(name, r.device)
      storage.set(DEVICES_KEY, [...devices].slice(-MAX_DEVICES))
    }
    set(r.token, r.name || name, r.expires, { role: 'user', display_name: '', ...known(r) })
  }

  async function logout() {
    const token = state.token
    end()
    if (token) {
      try {
        await api.logout(token)
      } catch {
        /* already invalid or server down: the local session is gone either way */
      }
    }
  }

  return { state, set, end, restore, login, logout, expired, refresh, replaceToken, setDisplayName, isAdmin: () => state.role === 'admin' }
}
