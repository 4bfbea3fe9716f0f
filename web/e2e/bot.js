// A scripted user that talks to the server directly (HTTP + WebSocket), to set up
// conversations faster than typing them.
import WebSocket from 'ws'

export async function bot(url, name, password = 'secret1') {
  const post = (p, body) => fetch(url + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json())
  await post('/api/register', { name, password })
  const { token } = await post('/api/login', { name, password })
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/api/ws')
  const acks = new Map()
  ws.on('message', (d) => {
    const f = JSON.parse(String(d))
    if (f.type === 'ack') acks.get(f.cid)?.(f)
  })
  await new Promise((resolve, reject) => {
    ws.once('error', reject)
    ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', content: token })))
    ws.on('message', (d) => JSON.parse(String(d)).type === 'ok' && resolve())
  })
  let n = 0
  return {
    name,
    /** Send and wait for the server's ack. */
    send(to, content) {
      const cid = `${name}-${n++}`
      return new Promise((resolve) => {
        acks.set(cid, resolve)
        ws.send(JSON.stringify({ type: 'normal', content, to: [].concat(to), cid }))
      })
    },
    close: () => ws.close()
  }
}
