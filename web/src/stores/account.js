// My account: profile (display name, status line), password change and account deletion.
// A password change closes every connection of mine (the server revokes all my tokens) and
// answers a new token: this tab goes on with it on a new socket. A deletion closes them for
// good: the session ends here and the login page says why.
import { DISPLAY_NAME_MAX, STATUS_MAX } from './profiles.js'

export const PASSWORD_MIN = 3
export const PASSWORD_MAX = 20

const chars = (s) => Array.from(s || '').length

/** A client-side check before asking the server (which checks again): null or an i18n key. */
export function profileProblem({ display_name: name = '', status = '' }) {
  if (chars(name) > DISPLAY_NAME_MAX) return 'account.errors.displayName'
  if (chars(status) > STATUS_MAX) return 'account.errors.status'
  return null
}

export function passwordProblem(next, again) {
  const n = chars(next)
  if (n < PASSWORD_MIN || n > PASSWORD_MAX) return 'account.errors.passwordLength'
  if (again !== undefined && next !== again) return 'account.errors.passwordMismatch'
  return null
}

export function createAccount({ api, session, chat, profiles }) {
  const token = () => session.state.token
  const call = (fn) => (chat?.authed ? chat.authed(fn) : fn(token()))

  /** `change`: {display_name?, status?}; returns the saved profile. */
  async function saveProfile(change) {
    const p = await call((t) => api.saveProfile(t, change))
    const saved = p && typeof p === 'object' ? p : { name: session.state.name, display_name: '', status: '', ...change }
    session.setDisplayName(saved.display_name || '')
    profiles?.put({ ...saved, name: saved.name || session.state.name })
    return saved
  }

  async function changePassword(old, next) {
    const run = async () => {
      const r = await call((t) => api.changePassword(t, old, next))
      if (r?.token) {
        session.replaceToken(r.token, r.expires)
        chat?.reconnect()
      }
      return r
    }
    return chat?.holdRevoke ? chat.holdRevoke(run) : run()
  }

  async function deleteAccount(password) {
    const run = async () => {
      await call((t) => api.deleteAccount(t, password))
      chat?.stop()
      session.end('deleted')
    }
    return chat?.holdRevoke ? chat.holdRevoke(run) : run()
  }

  return { saveProfile, changePassword, deleteAccount }
}
