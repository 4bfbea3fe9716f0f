// A stable, pleasant avatar color per name (hue from a string hash).
export function nameHue(name = '') {
  let h = 0
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)) >>> 0
  return h % 360
}

/** First visible character (an emoji or a CJK character counts as one). */
export function initial(name = '') {
  const first = Array.from(name.trim())[0] || '?'
  return first.toUpperCase()
}
