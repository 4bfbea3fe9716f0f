// Attachments, the parts without I/O: what a FILE from the server may contain, sizes in words,
// an icon kind by type, the box an image preview takes, names for pasted screenshots, and
// what the conversation list says for a message that is only files.
//
// FILE (docs/PROTOCOL.md): {id, name, type, size, url} plus width, height, thumb_url for images.
// Whatever a peer's message carries goes through normalizeFile: only same-origin paths under
// /api/files/ are ever put in an <img src> or <a href>.

export const MAX_FILES = 10 // per message
export const DEFAULT_MAX_FILE_BYTES = 25 * 1024 * 1024 // the server's default `max_file_bytes`

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp'])

/** An image the server makes previews of (JPEG, PNG, GIF, WebP). */
export const isImageType = (type) => IMAGE_TYPES.has(String(type || '').toLowerCase())

const filePath = (id) => '/api/files/' + encodeURIComponent(id)

// A same-origin path under /api/files/ (no scheme, no "//host", no way out with "..").
function safePath(url, fallback) {
  if (typeof url === 'string' && /^\/api\/files\/[^\\]*$/.test(url) && !url.startsWith('//') && !/(^|\/)\.\.(\/|$)/.test(url)) return url
  return fallback
}

const count = (n) => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0)

/** A FILE as the server sent it, checked: null when it has no id. */
export function normalizeFile(f) {
  if (!f || typeof f !== 'object') return null
  const id = typeof f.id === 'string' || typeof f.id === 'number' ? String(f.id) : ''
  if (!id) return null
  const type = typeof f.type === 'string' ? f.type : ''
  const out = {
    id,
    name: typeof f.name === 'string' && f.name ? f.name : id,
    type,
    size: count(f.size),
    url: safePath(f.url, filePath(id))
  }
  const w = count(f.width)
  const h = count(f.height)
  if (w && h) {
    out.width = w
    out.height = h
  }
  if (f.thumb_url !== undefined || (isImageType(type) && w && h)) out.thumb_url = safePath(f.thumb_url, filePath(id) + '/thumb')
  return out
}

/** The files of a message (`files` of a frame, a history item, a `last`): at most MAX_FILES. */
export function normalizeFiles(list) {
  if (!Array.isArray(list)) return []
  return list.map(normalizeFile).filter(Boolean).slice(0, MAX_FILES)
}

/** Shown as a preview in the bubble (else a card). */
export function isPreviewable(f) {
  return !!f && !!f.thumb_url && isImageType(f.type)
}

/** 0 B, 900 B, 1.5 KB, 12 KB, 3.4 MB, 1.2 GB (1024-based, one decimal under 10). */
export function humanSize(n) {
  const b = count(n)
  if (b < 1024) return `${b} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = b / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  const s = v < 10 ? (Math.round(v * 10) / 10).toFixed(1).replace(/\.0$/, '') : String(Math.round(v))
  // 1023.6 KB rounds to "1024 KB": say 1 MB instead.
  if (s === '1024' && i < units.length - 1) return `1 ${units[i + 1]}`
  return `${s} ${units[i]}`
}

const EXT_KINDS = [
  ['image', /\.(png|jpe?g|gif|webp|bmp|svg|heic|avif|tiff?)$/i],
  ['pdf', /\.pdf$/i],
  ['archive', /\.(zip|rar|7z|tar|gz|tgz|bz2|xz|zst)$/i],
  ['audio', /\.(mp3|wav|ogg|oga|flac|m4a|aac|opus)$/i],
  ['video', /\.(mp4|mkv|mov|webm|avi|m4v)$/i],
  ['sheet', /\.(xlsx?|ods|csv|tsv|numbers)$/i],
  ['slides', /\.(pptx?|odp|key)$/i],
  ['doc', /\.(docx?|odt|rtf|pages)$/i],
  ['code', /\.(js|ts|py|c|cc|cpp|h|hpp|go|rs|java|rb|sh|json|xml|ya?ml|toml|html?|css|sql)$/i],
  ['text', /\.(txt|md|log|ini|cfg|conf)$/i]
]

/** The icon of a file: image, pdf, archive, audio, video, sheet, slides, doc, code, text or other. */
export function fileKind(type, name = '') {
  const t = String(type || '').toLowerCase()
  if (t.startsWith('image/')) return 'image'
  if (t === 'application/pdf') return 'pdf'
  if (t.startsWith('audio/')) return 'audio'
  if (t.startsWith('video/')) return 'video'
  if (/zip|rar|7z|tar|gzip|bzip|xz|zstd|compressed/.test(t)) return 'archive'
  if (/spreadsheet|excel|csv/.test(t)) return 'sheet'
  if (/presentation|powerpoint/.test(t)) return 'slides'
  if (/wordprocessing|msword|opendocument\.text|rtf/.test(t)) return 'doc'
  if (/json|xml|javascript|x-sh|x-python|x-c/.test(t)) return 'code'
  for (const [kind, re] of EXT_KINDS) if (re.test(name)) return kind
  if (t.startsWith('text/')) return 'text'
  return 'other'
}

/**
 * The box an image preview takes in the bubble, reserved before it loads: the image's aspect
 * ratio inside max × max (never larger than the image itself, never smaller than `min` a side).
 */
export function previewBox(width, height, { max = 240, min = 48 } = {}) {
  const w = count(width)
  const h = count(height)
  if (!w || !h) return { width: max, height: Math.round((max * 3) / 4) }
  const scale = Math.min(1, max / w, max / h)
  return { width: Math.max(min, Math.round(w * scale)), height: Math.max(min, Math.round(h * scale)) }
}

const pad = (n) => String(n).padStart(2, '0')
const EXT_OF_TYPE = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/bmp': 'bmp' }

/** `截图-2026-12-02-2130.png` / `screenshot-2026-12-02-2130.png`; `n` > 1 adds `-n`. */
export function screenshotName(date, type, locale = 'en', n = 1) {
  const d = date instanceof Date ? date : new Date(date)
  const stamp = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}`
  const ext = EXT_OF_TYPE[String(type || '').toLowerCase()] || 'png'
  return `${locale === 'zh' ? '截图' : 'screenshot'}-${stamp}${n > 1 ? '-' + n : ''}.${ext}`
}

/**
 * A pasted file keeps its name unless it is the browser's name for a bitmap on the
 * clipboard (`image.png`, empty): a screenshot, named for when it was pasted.
 */
export function pastedName(file, date, locale = 'en', n = 1) {
  const name = typeof file?.name === 'string' ? file.name : ''
  const generic = !name || /^(image|blob|clipboard|untitled)(\.\w+)?$/i.test(name)
  if (!generic) return name
  return screenshotName(date, file?.type, locale, n)
}

/** The files among what was pasted or dropped (a DataTransfer), renaming pasted screenshots. */
export function filesFrom(dt, { pasted = false, now = new Date(), locale = 'en' } = {}) {
  if (!dt) return []
  let files = dt.files && dt.files.length ? [...dt.files] : []
  if (!files.length && dt.items) {
    for (const item of dt.items) {
      if (item.kind !== 'file') continue
      const f = item.getAsFile?.()
      if (f) files.push(f)
    }
  }
  if (!pasted) return files
  let n = 0
  return files.map((f) => {
    const name = pastedName(f, now, locale, n + 1)
    if (name === f.name) return f
    n++
    return renamed(f, name)
  })
}

function renamed(f, name) {
  try {
    return new File([f], name, { type: f.type, lastModified: f.lastModified })
  } catch {
    // No File constructor: keep the blob, remember the name beside it.
    return Object.assign(f, { uploadName: name })
  }
}

/**
 * The conversation list's words for a message that has files and no text (null otherwise):
 * "[Image]" when they are all images, else "[File] name" of the first other file.
 */
export function filesSummary(files, t) {
  if (!Array.isArray(files) || !files.length) return null
  const other = files.find((f) => !isImageType(f.type))
  if (!other) return files.length > 1 ? `${t('files.imageTag')} ×${files.length}` : t('files.imageTag')
  return `${t('files.fileTag')} ${other.name}`
}

/** One line of text for a message (conversation list, notifications), files included. */
export function messageSummary(msg, t) {
  if (!msg) return ''
  if (msg.recalled) return t('chat.recalled')
  const text = String(msg.content || '').replace(/\s+/g, ' ').trim()
  if (text) return text
  return filesSummary(msg.files, t) || ''
}
