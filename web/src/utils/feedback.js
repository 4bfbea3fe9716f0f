// Short-lived feedback (Element Plus services): a confirmation before a destructive action,
// a prompt for one value, a toast when something worked, a notification that stays a while.
import { ElMessage, ElMessageBox, ElNotification } from 'element-plus'
import { t } from '../i18n/index.js'

/** Resolves true when confirmed, false when cancelled or closed. */
export async function confirmAction(text, { danger = false } = {}) {
  try {
    await ElMessageBox.confirm(text, t('admin.confirm.title'), {
      confirmButtonText: t('admin.confirm.ok'),
      cancelButtonText: t('admin.confirm.cancel'),
      type: danger ? 'warning' : 'info',
      confirmButtonClass: danger ? 'el-button--danger' : undefined,
      customClass: 'parley-confirm'
    })
    return true
  } catch {
    return false
  }
}

/** The text typed, or null when cancelled. */
export async function promptValue(text, { type = 'text', validate } = {}) {
  try {
    const r = await ElMessageBox.prompt(text, t('admin.confirm.title'), {
      confirmButtonText: t('admin.confirm.ok'),
      cancelButtonText: t('admin.confirm.cancel'),
      inputType: type,
      inputValidator: validate,
      customClass: 'parley-prompt'
    })
    return r.value
  } catch {
    return null
  }
}

export function toast(text, type = 'success') {
  ElMessage({ message: text, type, grouping: true })
}

export function notify({ title, message, duration = 0, type = 'warning', customClass, position = 'bottom-right' } = {}) {
  return ElNotification({ title, message, duration, type, customClass, position })
}
