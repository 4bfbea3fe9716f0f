// While the tab is hidden: how many messages came in (shown as "(3) parley" in the tab title,
// reset when the tab is visible again), and a notification for each (one per conversation at a
// time: each replaces the previous one of its conversation).
import { reactive } from 'vue'

export const BASE_TITLE = 'parley'
const SNIPPET = 140

export function createAttention({ notifier, base = BASE_TITLE } = {}) {
  const state = reactive({ hidden: false, missed: 0 })

  function setHidden(hidden) {
    state.hidden = !!hidden
    if (!state.hidden) state.missed = 0
  }

  /** A message from someone else arrived. `title`: the conversation's name; `body`: its text. */
  function incoming({ title, body = '', tag, onClick } = {}) {
    if (!state.hidden) return
    state.missed++
    const text = body.replace(/\s+/g, ' ').trim()
    notifier?.show(title, { body: text.length > SNIPPET ? text.slice(0, SNIPPET - 1) + '…' : text, tag, onClick })
  }

  const title = () => (state.missed ? `(${state.missed > 99 ? '99+' : state.missed}) ${base}` : base)

  return { state, setHidden, incoming, title, askOnce: () => notifier?.askOnce() }
}
