// Thin client for parley's HTTP API. Same origin as the page, so paths are relative.
// Every failure becomes an ApiError whose `code` is the server's string code, or
// 'network' when the server could not be reached, so the UI can explain it in words.

export class ApiError extends Error {
  constructor(code, message, status = 0, data = null) {
    super(message || code)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.data = data // the server's answer, for details such as `unknown` names
  }
}

let base = ''
/** Tests point the client at another origin; the app itself never calls this. */
export function setApiBase(url) {
  base = url.replace(/\/$/, '')
}

async function request(method, path, { token, body, query } = {}) {
  let url = base + path
  if (query) {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) qs.set(k, String(v))
    const s = qs.toString()
    if (s) url += '?' + s
  }
  const headers = {}
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (token) headers['w-token'] = token
  let res
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch (e) {
    throw new ApiError('network', e?.message || 'network error')
  }
  let data = null
  try {
    data = await res.json()
  } catch {
    // Not JSON (a proxy error page, say): fall through with the HTTP status only.
  }
  const text = data?.msg || data?.message
  if (res.status === 401) throw new ApiError('401', text, 401, data)
  if (res.status === 429) throw new ApiError(data?.code || '4029', text, 429, data)
  if (!res.ok) throw new ApiError(data?.code || (res.status >= 500 ? '5000' : String(res.status)), text, res.status, data)
  if (data === null) throw new ApiError('bad_response', 'unexpected answer', res.status)
  // Classic endpoints answer HTTP 200 with an error code in the body.
  if (data.code !== undefined && data.code !== '2000') throw new ApiError(String(data.code), text, res.status, data)
  return data
}

export const api = {
  /** `invite`: the code an invite-only server asks for (left out when empty). */
  register: (name, password, invite) =>
    request('POST', '/api/register', { body: invite ? { name, password, invite } : { name, password } }),
  /** 'open' | 'invite' | 'closed' (a server without the endpoint, or none reached: 'open'). */
  registration: async () => {
    try {
      return (await request('GET', '/api/registration')).registration || 'open'
    } catch {
      return 'open' // an older server (404, or the web root's page): registration as before
    }
  },
  /** `device`: the proof an earlier login of this account on this device returned (optional). */
  login: (name, password, device) =>
    request('POST', '/api/login', { body: device ? { name, password, device } : { name, password } }),
  logout: (token) => request('POST', '/api/logout', { token }),
  user: (token) => request('GET', '/api/user', { token }),
  list: async () => (await request('GET', '/api/list')).names || [],
  loginlist: async () => (await request('GET', '/api/loginlist')).names || [],
  conversations: async (token) => (await request('GET', '/api/conversations', { token })).conversations || [],
  /** `target`: a user name, or {group: ID}. */
  history: (token, target, { before, limit } = {}) =>
    request('GET', '/api/history', {
      token,
      query: { ...(typeof target === 'object' && target ? { group: target.group } : { with: target }), before, limit }
    }),
  // Groups (docs/PROTOCOL.md): every change answers the group as it is after it.
  groups: async (token) => (await request('GET', '/api/groups', { token })).groups || [],
  group: async (token, id) => (await request('GET', groupPath(id), { token })).group,
  createGroup: async (token, name, members) => (await request('POST', '/api/groups', { token, body: { name, members } })).group,
  renameGroup: async (token, id, name) => (await request('POST', groupPath(id), { token, body: { name } })).group,
  /** `change`: {add: [NAME...]} or {remove: [NAME...]}; removing yourself is leaving. */
  groupMembers: async (token, id, change) => (await request('POST', groupPath(id) + '/members', { token, body: change })).group,
  groupAdmins: async (token, id, change) => (await request('POST', groupPath(id) + '/admins', { token, body: change })).group,
  deleteGroup: (token, id) => request('DELETE', groupPath(id), { token }),
  /** [{name, upto}...]: how far each member who has read anything has read. */
  groupReads: async (token, id) => (await request('GET', groupPath(id) + '/reads', { token })).reads || [],
  // My account.
  /** {display_name?, status?} -> {name, display_name, status} as saved. */
  saveProfile: async (token, change) => (await request('POST', '/api/profile', { token, body: change })).profile,
  /** [{name, display_name, status, deleted?}...] for the known names among `names` (at most 200). */
  profiles: async (token, names) => (await request('POST', '/api/profiles', { token, body: { names } })).profiles || [],
  /** -> {token, expires}: every other session of the user is closed. */
  changePassword: (token, old, next) => request('POST', '/api/password', { token, body: { old, new: next } }),
  deleteAccount: (token, password) => request('POST', '/api/account/delete', { token, body: { password } }),
  // Attachments (the upload itself is src/api/upload.js: XMLHttpRequest, for progress and abort).
  /** -> {max_file_bytes, quota_bytes, used_bytes} */
  fileLimits: (token) => request('GET', '/api/files/limits', { token }),
  /** Sets the HttpOnly cookie (Path=/api/files) that lets <img src> and download links through. */
  fileCookie: (token) => request('POST', '/api/files/cookie', { token }),
  // Administration (an admin's token; others get 403 "4030").
  admin: {
    stats: async (token) => (await request('GET', '/api/admin/stats', { token })).stats || {},
    /** -> {users: [USER...], more} sorted by name; page on with `after` = the last name. */
    users: async (token, { q, after, limit } = {}) => {
      const r = await request('GET', '/api/admin/users', { token, query: { q: q || undefined, after: after || undefined, limit } })
      return { users: r.users || [], more: !!r.more }
    },
    createUser: async (token, name, password, role) =>
      (await request('POST', '/api/admin/users', { token, body: role ? { name, password, role } : { name, password } })).user,
    kick: (token, name) => request('POST', adminUserPath(name) + '/kick', { token }),
    ban: (token, name) => request('POST', adminUserPath(name) + '/ban', { token }),
    unban: (token, name) => request('POST', adminUserPath(name) + '/unban', { token }),
    setPassword: (token, name, password) => request('POST', adminUserPath(name) + '/password', { token, body: { password } }),
    setRole: (token, name, role) => request('POST', adminUserPath(name) + '/role', { token, body: { role } }),
    deleteUser: (token, name) => request('DELETE', adminUserPath(name), { token }),
    invites: async (token) => (await request('GET', '/api/admin/invites', { token })).invites || [],
    /** `expiresIn`: seconds. */
    createInvite: async (token, uses, expiresIn) =>
      (await request('POST', '/api/admin/invites', { token, body: { uses, expires_in: expiresIn } })).invite,
    revokeInvite: (token, code) => request('DELETE', '/api/admin/invites/' + encodeURIComponent(code), { token }),
    /** `to`: one user's name, or nothing for everyone online. -> {delivered} */
    notice: (token, content, to) => request('POST', '/api/admin/notice', { token, body: to ? { content, to } : { content } })
  }
}

function adminUserPath(name) {
  return '/api/admin/users/' + encodeURIComponent(name)
}

function groupPath(id) {
  return '/api/groups/' + encodeURIComponent(String(id))
}
