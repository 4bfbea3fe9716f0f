import { describe, expect, it } from 'vitest'
import messages from '../../src/i18n/messages.js'
import { detectLocale, errorText, locale, setLocale, t, translate } from '../../src/i18n/index.js'

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, prefix + k + '.') : [prefix + k]))
}

describe('i18n', () => {
  it('picks Chinese for any zh browser language, English otherwise', () => {
    expect(detectLocale(['zh-CN'])).toBe('zh')
    expect(detectLocale(['zh-TW', 'en'])).toBe('zh')
    expect(detectLocale(['en-US', 'zh-CN'])).toBe('en')
    expect(detectLocale(['fr-FR'])).toBe('en')
    expect(detectLocale([])).toBe('en')
  })

  it('has the same keys in both languages', () => {
    expect(keys(messages.zh).sort()).toEqual(keys(messages.en).sort())
  })

  it('interpolates and falls back', () => {
    expect(translate('en', 'chat.placeholder', { name: 'Bob' })).toBe('Message Bob')
    expect(translate('zh', 'chat.placeholder', { name: '张三' })).toBe('发消息给 张三')
    expect(translate('zh', 'no.such.key')).toBe('no.such.key')
  })

  it('switches at run time and explains error codes in words', () => {
    setLocale('en')
    expect(errorText('4005')).toBe('Wrong password.')
    expect(errorText('4003')).toMatch(/no user/)
    expect(errorText('network')).toMatch(/reach the server/)
    expect(errorText('9999')).toBe('Something went wrong (9999).')
    setLocale('zh')
    expect(locale.value).toBe('zh')
    expect(errorText('4000')).toMatch(/已被占用/)
    expect(t('auth.login')).toBe('登录')
    expect(document.documentElement.lang).toBe('zh-CN')
    setLocale('xx') // unknown: ignored
    expect(locale.value).toBe('zh')
    setLocale('en')
  })
})
