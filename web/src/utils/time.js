// Short, human times: "14:05" today, "Yesterday 14:05", "3/18 14:05" this year, else full date.
const fmt = new Map()
function formatter(locale, opts) {
  const key = locale + JSON.stringify(opts)
  if (!fmt.has(key)) fmt.set(key, new Intl.DateTimeFormat(locale === 'zh' ? 'zh-CN' : 'en', opts))
  return fmt.get(key)
}

function dayStart(d) {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
}

export function clock(ts, locale) {
  return formatter(locale, { hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(ts))
}

/** For the conversation list: just the time today, a date otherwise. */
export function shortTime(ts, locale, now = Date.now()) {
  if (!ts) return ''
  const d = new Date(ts)
  const today = dayStart(new Date(now))
  if (d.getTime() >= today) return clock(ts, locale)
  if (d.getTime() >= today - 86400000) return locale === 'zh' ? '昨天' : 'Yesterday'
  if (d.getFullYear() === new Date(now).getFullYear()) return formatter(locale, { month: 'numeric', day: 'numeric' }).format(d)
  return formatter(locale, { year: 'numeric', month: 'numeric', day: 'numeric' }).format(d)
}

/** For a day separator in a conversation. */
export function dayLabel(ts, locale, t, now = Date.now()) {
  const d = new Date(ts)
  const today = dayStart(new Date(now))
  if (d.getTime() >= today) return t('chat.today')
  if (d.getTime() >= today - 86400000) return t('chat.yesterday')
  return formatter(locale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' }).format(d)
}

export function sameDay(a, b) {
  const x = new Date(a)
  const y = new Date(b)
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate()
}

export function fullTime(ts, locale) {
  return formatter(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(ts))
}
