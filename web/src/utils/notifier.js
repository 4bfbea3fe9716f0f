// Browser notifications, failing silently: no Notification API (some phones, tests), a
// refusal, or a constructor that throws (Chrome on Android wants a service worker) all mean
// "no notification". Permission is asked once per browser, ever: the answer (or a dismissed
// prompt) is not asked again.
import { makeStorage } from './storage.js'

export const ASKED_KEY = 'parley.notify.asked'

export function createNotifier({ Notification = globalThis.Notification, storage = makeStorage(), focus = () => globalThis.focus?.() } = {}) {
  const available = () => typeof Notification === 'function'

  /** Ask for permission, if it was never asked here. Call it from a user gesture. */
  function askOnce() {
    if (!available() || Notification.permission !== 'default' || storage.get(ASKED_KEY)) return
    storage.set(ASKED_KEY, true)
    try {
      const p = Notification.requestPermission()
      p?.catch?.(() => {})
    } catch {
      /* old API or refused outright */
    }
  }

  /** Show one; `tag` replaces the previous one of the same conversation. */
  function show(title, { body = '', tag, onClick } = {}) {
    if (!available() || Notification.permission !== 'granted') return null
    try {
      const n = new Notification(title, { body, tag })
      n.onclick = () => {
        focus()
        onClick?.()
        n.close?.()
      }
      return n
    } catch {
      return null
    }
  }

  return { askOnce, show }
}
