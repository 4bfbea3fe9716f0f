import { describe, expect, it } from 'vitest'
import { canAdd, canDelete, canRemove, canRename, canToggleAdmin, roleOf } from '../../src/stores/group-roles.js'
import { eventText } from '../../src/utils/event-text.js'
import { groupError } from '../../src/utils/group-error.js'
import { errorText, locale, setLocale, t } from '../../src/i18n/index.js'
import { ApiError } from '../../src/api/http.js'

const g = { id: '1', name: 'G', owner: 'olga', admins: ['ada'], members: ['ada', 'mia', 'olga', 'constructor'] }

describe('group roles', () => {
  it('knows each role, and nobody outside', () => {
    expect(['olga', 'ada', 'mia', 'zed', 'constructor'].map((n) => roleOf(g, n))).toEqual(['owner', 'admin', 'member', null, 'member'])
    expect(roleOf(null, 'olga')).toBe(null)
  })

  it('owner and admins add and rename; only the owner deletes and names admins', () => {
    expect([canAdd(g, 'olga'), canAdd(g, 'ada'), canAdd(g, 'mia'), canAdd(g, 'zed')]).toEqual([true, true, false, false])
    expect([canRename(g, 'ada'), canRename(g, 'mia')]).toEqual([true, false])
    expect([canDelete(g, 'olga'), canDelete(g, 'ada')]).toEqual([true, false])
    expect([canToggleAdmin(g, 'olga', 'mia'), canToggleAdmin(g, 'olga', 'ada'), canToggleAdmin(g, 'ada', 'mia'), canToggleAdmin(g, 'olga', 'olga')]).toEqual([true, true, false, false])
  })

  it('an admin removes members only; the owner removes anyone; nobody removes themselves here', () => {
    expect([canRemove(g, 'ada', 'mia'), canRemove(g, 'ada', 'olga'), canRemove(g, 'ada', 'ada')]).toEqual([true, false, false])
    expect([canRemove(g, 'olga', 'ada'), canRemove(g, 'olga', 'mia'), canRemove(g, 'mia', 'constructor')]).toEqual([true, true, false])
    expect(canRemove(g, 'olga', 'zed')).toBe(false)
  })
})

describe('group event lines and errors', () => {
  const say = (item, me = 'bob') => eventText(item, { me, t, locale: locale.value })

  it('reads each event, with "you" for me, in both languages', () => {
    setLocale('en')
    expect(say({ event: 'created', by: 'alice', names: [] })).toBe('alice created the group')
    expect(say({ event: 'added', by: 'alice', names: ['bob', 'carol'] })).toBe('alice added you, carol')
    expect(say({ event: 'removed', by: 'alice', names: ['carol'] })).toBe('alice removed carol')
    expect(say({ event: 'left', by: 'carol', names: ['carol'] })).toBe('carol left')
    expect(say({ event: 'renamed', by: 'bob', names: [], title: 'Climbers' })).toBe('you renamed the group to “Climbers”')
    expect(say({ event: 'renamed', by: 'bob', names: [] })).toBe('you renamed the group')
    expect(say({ event: 'admin_added', by: 'alice', names: ['bob'] })).toBe('alice made you admin')
    expect(say({ event: 'something_new', by: 'alice', names: [] })).toBe('alice changed the group')
    expect(say({ event: 'constructor', by: 'alice', names: [] })).toBe('alice changed the group')
    setLocale('zh')
    expect(say({ event: 'removed', by: 'alice', names: ['carol'] })).toBe('alice 将 carol 移出了群聊')
    setLocale('en')
  })

  it('explains group errors, naming unknown members', () => {
    setLocale('en')
    const words = (e) => groupError(e, { t, locale: locale.value, errorText })
    expect(words(new ApiError('4001', '', 400, { code: '4001', unknown: ['zed', 'ghost'] }))).toBe('Unknown names: zed, ghost')
    expect(words(new ApiError('4030', '', 403))).toMatch(/not allowed/)
    expect(words(new ApiError('4001', '', 400, { code: '4001' }))).toMatch(/check the group name and the members/)
    expect(words(new ApiError('4013', '', 400))).toMatch(/Too many members/)
    expect(words(new ApiError('network'))).toMatch(/reach the server/)
    expect(words(new ApiError('4999', '', 400))).toBe('That did not work (4999).')
  })
})
