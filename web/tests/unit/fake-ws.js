// A scriptable stand-in for the browser WebSocket.
export function makeFakeWS() {
  const sockets = []
  class FakeWS {
    constructor(url) {
      this.url = url
      this.sent = []
      this.readyState = 0
      sockets.push(this)
    }
    send(data) {
      if (this.readyState !== 1) throw new Error('not open')
      this.sent.push(JSON.parse(data))
    }
    close() {
      this.readyState = 3
    }
    // test helpers
    open() {
      this.readyState = 1
      this.onopen?.({})
    }
    frame(obj) {
      this.onmessage?.({ data: JSON.stringify(obj) })
    }
    serverClose(code = 1006) {
      this.readyState = 3
      this.onclose?.({ code })
    }
  }
  return { FakeWS, sockets, last: () => sockets[sockets.length - 1] }
}
