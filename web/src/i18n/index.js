// A tiny i18n: one reactive locale, dotted keys, {param} interpolation, English fallback.
import { ref } from 'vue'
import messages from './messages.js'
import { makeStorage } from '../utils/storage.js'

const KEY = 'parley.locale'
export const locales = ['en', 'zh']

/** 'zh' for any Chinese browser language, else 'en'. */
export function detectLocale(langs = globalThis.navigator?.languages || [globalThis.navigator?.language]) {
  for (const l of langs || []) {
    if (!l) continue
    const low = l.toLowerCase()
    if (low.startsWith('zh')) return 'zh'
    if (low.startsWith('en')) return 'en'
  }
  return 'en'
}

function lookup(table, key) {
  return key.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), table)
}

export function translate(locale, key, params) {
  let s = lookup(messages[locale], key)
  if (typeof s !== 'string') s = lookup(messages.en, key)
  if (typeof s !== 'string') return key
  return params ? s.replace(/\{(\w+)\}/g, (m, p) => (params[p] !== undefined ? String(params[p]) : m)) : s
}

export function has(locale, key) {
  return typeof lookup(messages[locale], key) === 'string'
}

const storage = makeStorage()
export const locale = ref(storage.get(KEY) || detectLocale())

export function setLocale(l) {
  if (!locales.includes(l)) return
  locale.value = l
  storage.set(KEY, l)
  if (globalThis.document) document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en'
}

export function t(key, params) {
  return translate(locale.value, key, params)
}

/** Words for a server or network error code. */
export function errorText(code) {
  const key = `errors.${code}`
  return has(locale.value, key) ? t(key) : t('errors.unknown', { code })
}

export function useI18n() {
  return { t, locale, setLocale, errorText }
}
