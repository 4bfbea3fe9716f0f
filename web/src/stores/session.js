// Who is logged in: the token lives in localStorage so a reload keeps the session,
// until logout, expiry, or the server refusing it (HTTP 401 / close 4401).
import { reactive } from 'vue'
import { makeStorage } from '../utils/storage.js'

export const SESSION_KEY = 'parley.session'

export function createSession({ api, storage = makeStorage(), now = () => Date.now() } = {}) {
  const state = reactive({
    status: 'checking', // 'checking' | 'out' | 'in'
    token: null,
    name: null,
    expires: null,
    notice: null // why we are back at the login screen ('expired' | 'revoked')
  })

  function set(token, name, expires) {
    Object.assign(state, { token, name, expires: expires ?? null, status: 'in', notice: null })
    storage.set(SESSION_KEY, { token, name, expires: expires ?? null })
  }

  function end(notice = null) {
    Object.assign(state, { token: null, name: null, expires: null, status: 'out', notice })
    storage.remove(SESSION_KEY)
  }

  function expired(expires) {
    return typeof expires === 'number' && expires * 1000 <= now()
  }

  /** On page load: reuse a stored token if the server still accepts it. */
  async function restore() {
    const saved = storage.get(SESSION_KEY)
    if (!saved?.token) return end()
    if (expired(saved.expires)) return end('expired')
    try {
      const u = await api.user(saved.token)
      set(saved.token, u.name || saved.name, saved.expires)
    } catch (e) {
      if (e.code === 'network' || e.status >= 500) {
        // Server down right now: stay logged in; the connection retries and will tell.
        set(saved.token, saved.name, saved.expires)
      } else {
        end('expired')
      }
    }
  }

  async function login(name, password) {
    const r = await api.login(name, password)
    set(r.token, r.name || name, r.expires)
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

  return { state, set, end, restore, login, logout, expired }
}
