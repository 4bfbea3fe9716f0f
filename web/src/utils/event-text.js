// The words for a group membership event ({event, by, names, title}), as one line.
// `me` is shown as "you"; the event name comes from the server, so unknown ones still read.
import { has } from '../i18n/index.js'

export function eventText(item, { me, t, locale }) {
  const who = (n) => (n === me ? t('group.you') : n)
  const by = who(item.by || '')
  const names = (item.names || []).map(who).join(', ')
  if (item.event === 'renamed' && item.title) return t('group.events.renamedTo', { by, name: item.title })
  if (item.event === 'left' && !names) return t('group.events.left', { names: by })
  const key = `group.events.${item.event}`
  return has(locale, key) ? t(key, { by, names }) : t('group.events.other', { by })
}
