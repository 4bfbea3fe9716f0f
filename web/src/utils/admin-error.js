// Words for a failed administration call: the admin-specific meaning of the code, then the
// general error words.
import { errorText, has, locale, t } from '../i18n/index.js'

export function adminError(e) {
  const code = String(e?.code ?? e ?? 'unknown')
  const key = `admin.errors.${code}`
  return has(locale.value, key) ? t(key) : errorText(code)
}
