// One file upload: POST /api/files with the raw bytes as the body (docs/PROTOCOL.md).
// XMLHttpRequest rather than fetch, for upload progress and abort. The answer is
// {"code":"2000","file":FILE}; a failure rejects with an ApiError whose code is the server's
// (4013 too large, 4034 over quota, 4015 not an image, 4029 too many), '401' for a refused
// token, 'network', 'aborted' (cancelled here), or '5000'.
import { ApiError } from './http.js'
import { normalizeFile } from '../utils/files.js'

let base = ''
/** Tests point uploads at another origin; the app itself never calls this. */
export function setUploadBase(url) {
  base = String(url || '').replace(/\/$/, '')
}

/**
 * @param {object} o
 * @param {Blob|File} o.file
 * @param {string} o.token
 * @param {string} [o.name]   the name to send (default: file.name)
 * @param {(loaded: number, total: number) => void} [o.onProgress]
 * @param {typeof XMLHttpRequest} [o.XHR]
 * @returns {{promise: Promise<object>, abort: () => void}}
 */
export function uploadFile({ file, token, name, onProgress, XHR = globalThis.XMLHttpRequest }) {
  let xhr = null
  let aborted = false
  const promise = new Promise((resolve, reject) => {
    if (!XHR) return reject(new ApiError('network', 'no XMLHttpRequest'))
    xhr = new XHR()
    xhr.open('POST', base + '/api/files')
    if (token) xhr.setRequestHeader('w-token', token)
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream')
    xhr.setRequestHeader('X-File-Name', encodeURIComponent(name || file.uploadName || file.name || 'file'))
    if (xhr.upload && onProgress) {
      xhr.upload.onprogress = (e) => onProgress(e.loaded || 0, e.lengthComputable ? e.total : file.size || 0)
    }
    xhr.onload = () => {
      let data = null
      try {
        data = typeof xhr.response === 'object' && xhr.response !== null ? xhr.response : JSON.parse(xhr.responseText)
      } catch {
        /* not JSON: judged by the status alone */
      }
      const status = xhr.status
      const text = data?.msg || data?.message
      if (status === 401) return reject(new ApiError('401', text, 401, data))
      if (status >= 200 && status < 300 && data && (data.code === undefined || String(data.code) === '2000')) {
        const f = normalizeFile(data.file)
        return f ? resolve(f) : reject(new ApiError('bad_response', 'no file in the answer', status, data))
      }
      const code = data?.code !== undefined && String(data.code) !== '2000' ? String(data.code) : fallbackCode(status)
      reject(new ApiError(code, text, status, data))
    }
    xhr.onerror = () => reject(new ApiError(aborted ? 'aborted' : 'network', 'network error'))
    xhr.onabort = () => reject(new ApiError('aborted', 'cancelled'))
    xhr.ontimeout = () => reject(new ApiError('network', 'timed out'))
    xhr.send(file)
  })
  return {
    promise,
    abort() {
      if (aborted || !xhr) return
      aborted = true
      try {
        xhr.abort()
      } catch {
        /* already done */
      }
    }
  }
}

function fallbackCode(status) {
  if (status === 413) return '4013'
  if (status === 415) return '4015'
  if (status === 429) return '4029'
  if (status === 0) return 'network'
  if (status >= 500) return '5000'
  return String(status)
}
