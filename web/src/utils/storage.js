// localStorage that never throws (private mode, quota, tests without a DOM).
export function makeStorage(backend = globalThis.localStorage) {
  return {
    get(key) {
      try {
        const v = backend?.getItem(key)
        return v === null || v === undefined ? null : JSON.parse(v)
      } catch {
        return null
      }
    },
    set(key, value) {
      try {
        backend?.setItem(key, JSON.stringify(value))
      } catch {
        /* full or unavailable: state just won't survive a reload */
      }
    },
    remove(key) {
      try {
        backend?.removeItem(key)
      } catch {
        /* ignore */
      }
    }
  }
}
