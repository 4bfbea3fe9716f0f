// The administration page's state: server stats, the user table (search, paging by name),
// invites and system notices. Every call goes with my token; a refusal is kept as an error
// code (shown in words by the view) and thrown for the caller that waits on it.
import { reactive } from 'vue'

export const ADMIN_PAGE = 50
export const INVITE_EXPIRIES = [3600, 86400, 7 * 86400, 30 * 86400] // seconds offered

export function createAdminStore({ api, token }) {
  const admin = api.admin
  const state = reactive({
    stats: null,
    statsError: null,
    users: [], // the rows loaded so far, sorted by name
    more: false,
    query: '',
    loading: false,
    usersError: null,
    invites: [],
    invitesError: null
  })
  let searchId = 0

  async function loadStats() {
    try {
      state.stats = await admin.stats(token())
      state.statsError = null
    } catch (e) {
      state.statsError = e.code || 'network'
    }
  }

  /** The first page for `query` (a new search drops what was loaded). */
  async function search(query = state.query) {
    const id = ++searchId
    state.query = query
    state.loading = true
    try {
      const r = await admin.users(token(), { q: query.trim(), limit: ADMIN_PAGE })
      if (id !== searchId) return
      state.users = r.users
      state.more = r.more
      state.usersError = null
    } catch (e) {
      if (id === searchId) state.usersError = e.code || 'network'
    } finally {
      if (id === searchId) state.loading = false
    }
  }

  /** The next page, after the last name loaded. */
  async function loadMore() {
    if (state.loading || !state.more || !state.users.length) return
    const id = ++searchId
    state.loading = true
    try {
      const after = state.users[state.users.length - 1].name
      const r = await admin.users(token(), { q: state.query.trim(), after, limit: ADMIN_PAGE })
      if (id !== searchId) return
      const have = new Set(state.users.map((u) => u.name))
      state.users.push(...r.users.filter((u) => !have.has(u.name)))
      state.more = r.more
      state.usersError = null
    } catch (e) {
      if (id === searchId) state.usersError = e.code || 'network'
    } finally {
      if (id === searchId) state.loading = false
    }
  }

  function patchUser(name, change) {
    const u = state.users.find((x) => x.name === name)
    if (u) Object.assign(u, change)
  }

  function dropUser(name) {
    const i = state.users.findIndex((x) => x.name === name)
    if (i >= 0) state.users.splice(i, 1)
  }

  // What each action changes in the row once the server said yes.
  const actions = {
    kick: (name) => admin.kick(token(), name).then(() => patchUser(name, { online: false, devices: 0 })),
    ban: (name) => admin.ban(token(), name).then(() => patchUser(name, { banned: true, online: false, devices: 0 })),
    unban: (name) => admin.unban(token(), name).then(() => patchUser(name, { banned: false })),
    password: (name, password) => admin.setPassword(token(), name, password),
    role: (name, role) => admin.setRole(token(), name, role).then(() => patchUser(name, { role })),
    remove: (name) => admin.deleteUser(token(), name).then(() => dropUser(name))
  }

  async function createUser(name, password, role) {
    const u = await admin.createUser(token(), name, password, role === 'admin' ? 'admin' : undefined)
    const row = u && typeof u === 'object' ? u : { name, display_name: '', role: role || 'user', banned: false, online: false, devices: 0 }
    if (!state.users.some((x) => x.name === row.name)) {
      state.users.push(row)
      state.users.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    }
    return row
  }

  async function loadInvites() {
    try {
      state.invites = await admin.invites(token())
      state.invitesError = null
    } catch (e) {
      state.invitesError = e.code || 'network'
    }
  }

  async function createInvite(uses, expiresIn) {
    const inv = await admin.createInvite(token(), uses, expiresIn)
    if (inv?.code) state.invites.unshift(inv)
    return inv
  }

  async function revokeInvite(code) {
    await admin.revokeInvite(token(), code)
    const i = state.invites.findIndex((x) => x.code === code)
    if (i >= 0) state.invites.splice(i, 1)
  }

  /** `to`: one user, or empty for everyone. Returns how many connections got it. */
  async function sendNotice(content, to) {
    const r = await admin.notice(token(), content, to || undefined)
    return typeof r?.delivered === 'number' ? r.delivered : 0
  }

  return { state, loadStats, search, loadMore, actions, createUser, loadInvites, createInvite, revokeInvite, sendNotice }
}

/** Whether an invite can still be used at `now` (ms). */
export function inviteLive(inv, now = Date.now()) {
  if (!inv) return false
  if (typeof inv.uses_left === 'number' && inv.uses_left <= 0) return false
  return !(typeof inv.expires === 'number' && inv.expires > 0 && inv.expires <= now)
}

/** Uptime in words-free units: "3d 4h", "5h 12m", "42s". */
export function formatUptime(s) {
  s = Math.max(0, Math.floor(Number(s) || 0))
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d) return `${d}d ${h}h`
  if (h) return `${h}h ${m}m`
  if (m) return `${m}m ${s % 60}s`
  return `${s}s`
}
