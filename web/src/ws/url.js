// Same origin as the page: ws:// next to http://, wss:// next to https://.
export function wsUrl(loc = window.location) {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${loc.host}/api/ws`
}
