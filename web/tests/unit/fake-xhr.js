// A scriptable stand-in for XMLHttpRequest (unit tests only): records what was sent and lets
// the test report progress, answer, fail or see the abort.
export function makeFakeXHR() {
  const all = []
  class FakeXHR {
    constructor() {
      this.headers = {}
      this.upload = {}
      this.status = 0
      this.responseText = ''
      this.response = ''
      this.aborted = false
      all.push(this)
    }
    open(method, url) {
      this.method = method
      this.url = url
    }
    setRequestHeader(k, v) {
      this.headers[k] = v
    }
    send(body) {
      this.body = body
    }
    abort() {
      this.aborted = true
      this.onabort?.({})
    }
    // test helpers
    progress(loaded, total) {
      this.upload.onprogress?.({ loaded, total, lengthComputable: true })
    }
    answer(status, body) {
      this.status = status
      this.responseText = typeof body === 'string' ? body : JSON.stringify(body)
      this.response = this.responseText
      this.onload?.({})
    }
    networkError() {
      this.onerror?.({})
    }
  }
  return { FakeXHR, all, last: () => all[all.length - 1] }
}
