// Exponential backoff with a cap and "equal jitter": half fixed, half random,
// so many clients reconnecting after a server restart do not arrive in lock-step.
export function backoffDelay(attempt, { base = 250, cap = 5000, random = Math.random } = {}) {
  const exp = Math.min(cap, base * 2 ** Math.min(attempt, 20))
  return Math.round(exp / 2 + (exp / 2) * random())
}
