// Who may do what in a group (docs/PROTOCOL.md, groups): the server decides; the client only
// uses these rules to show the buttons that can work.
//   add / remove others, rename: owner and admins (an admin cannot remove the owner or an admin)
//   make / unmake admin, delete: owner only
//   leave: any member
export function roleOf(group, name) {
  if (!group || !Array.isArray(group.members) || !group.members.includes(name)) return null
  if (group.owner === name) return 'owner'
  if ((group.admins || []).includes(name)) return 'admin'
  return 'member'
}

const manages = (role) => role === 'owner' || role === 'admin'

export function canAdd(group, me) {
  return manages(roleOf(group, me))
}

export function canRename(group, me) {
  return manages(roleOf(group, me))
}

export function canRemove(group, me, target) {
  const mine = roleOf(group, me)
  const theirs = roleOf(group, target)
  if (!theirs || target === me) return false // leaving is its own action
  if (mine === 'owner') return true
  return mine === 'admin' && theirs === 'member'
}

export function canToggleAdmin(group, me, target) {
  return roleOf(group, me) === 'owner' && target !== me && roleOf(group, target) !== null
}

export function canDelete(group, me) {
  return roleOf(group, me) === 'owner'
}
