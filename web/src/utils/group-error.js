// Words for a failed group call (an ApiError): the group-specific meaning of the code first
// (4001 lists the unknown names), then the general error words.
import { has } from '../i18n/index.js'

export function groupError(e, { t, locale, errorText }) {
  const code = String(e?.code ?? 'unknown')
  const key = `group.errors.${code}`
  if (code === '4001' && Array.isArray(e?.data?.unknown) && e.data.unknown.length) return t(key, { names: e.data.unknown.join(', ') })
  if (code !== '4001' && has(locale, key)) return t(key)
  if (code === '4001') return t('group.errors.invalid') // a bad name, or members already in (or not in) it
  return code === 'network' || code === '5000' ? errorText(code) : t('group.errors.other', { code })
}
