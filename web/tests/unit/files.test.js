import { describe, expect, it } from 'vitest'
import {
  fileKind,
  filesFrom,
  filesSummary,
  humanSize,
  isPreviewable,
  messageSummary,
  normalizeFile,
  normalizeFiles,
  pastedName,
  previewBox,
  screenshotName
} from '../../src/utils/files.js'
import { fileIds, messageFrame } from '../../src/stores/frames.js'
import { translate } from '../../src/i18n/index.js'

const en = (k, p) => translate('en', k, p)
const zh = (k, p) => translate('zh', k, p)
const png = { id: 'f1', name: 'cat.png', type: 'image/png', size: 2048, url: '/api/files/f1', width: 800, height: 600, thumb_url: '/api/files/f1/thumb' }
const txt = { id: 'f2', name: '截图.txt', type: 'text/plain', size: 12, url: '/api/files/f2' }

describe('human sizes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [10 * 1024, '10 KB'],
    [100000, '98 KB'],
    [1024 * 1024 - 1, '1 MB'],
    [25 * 1024 * 1024, '25 MB'],
    [3.46 * 1024 * 1024, '3.5 MB'],
    [1.2 * 1024 ** 3, '1.2 GB']
  ])('%d bytes is %s', (n, s) => {
    expect(humanSize(n)).toBe(s)
  })

  it('treats nonsense as 0', () => {
    expect(humanSize(-5)).toBe('0 B')
    expect(humanSize('x')).toBe('0 B')
    expect(humanSize(undefined)).toBe('0 B')
  })
})

describe('FILE objects from the server', () => {
  it('keeps what a FILE says, images with their box and thumbnail', () => {
    expect(normalizeFile(png)).toEqual(png)
    expect(normalizeFile(txt)).toEqual(txt)
    expect(isPreviewable(normalizeFile(png))).toBe(true)
    expect(isPreviewable(normalizeFile(txt))).toBe(false)
  })

  it('only ever points at same-origin /api/files/ paths', () => {
    const bad = normalizeFile({ ...png, url: 'https://evil.example/x', thumb_url: '//evil.example/t' })
    expect(bad.url).toBe('/api/files/f1')
    expect(bad.thumb_url).toBe('/api/files/f1/thumb')
    expect(normalizeFile({ ...txt, url: 'javascript:alert(1)' }).url).toBe('/api/files/f2')
    expect(normalizeFile({ ...txt, url: '/api/files/../login' }).url).toBe('/api/files/f2')
    expect(normalizeFile({ id: 'a b/c', name: 'x' }).url).toBe('/api/files/a%20b%2Fc')
  })

  it('drops entries without an id, fills a missing name, caps at 10', () => {
    expect(normalizeFile(null)).toBe(null)
    expect(normalizeFile({ name: 'x' })).toBe(null)
    expect(normalizeFile({ id: 7 }).name).toBe('7')
    const many = Array.from({ length: 12 }, (_, i) => ({ id: 'f' + i, name: 'n', type: 'text/plain', size: 1 }))
    expect(normalizeFiles(many)).toHaveLength(10)
    expect(normalizeFiles('nope')).toEqual([])
    expect(normalizeFiles([{}, txt])).toEqual([txt])
  })

  it('a picture without thumb_url or size is a card, not a preview', () => {
    expect(isPreviewable(normalizeFile({ id: 'x', name: 'a.png', type: 'image/png', size: 3 }))).toBe(false)
    expect(isPreviewable(normalizeFile({ id: 'x', name: 'a.svg', type: 'image/svg+xml', size: 3, thumb_url: '/api/files/x/thumb' }))).toBe(false)
  })
})

describe('icons and preview boxes', () => {
  it('picks an icon by type, then by name', () => {
    expect(fileKind('image/png', 'a.png')).toBe('image')
    expect(fileKind('application/pdf', 'a')).toBe('pdf')
    expect(fileKind('application/zip', 'a.zip')).toBe('archive')
    expect(fileKind('application/octet-stream', 'a.tar.gz')).toBe('archive')
    expect(fileKind('', 'report.docx')).toBe('doc')
    expect(fileKind('', 'data.xlsx')).toBe('sheet')
    expect(fileKind('text/plain', '截图.txt')).toBe('text')
    expect(fileKind('audio/mpeg', 'x')).toBe('audio')
    expect(fileKind('', 'mystery')).toBe('other')
  })

  it('keeps the aspect ratio inside the box, never upscales', () => {
    expect(previewBox(800, 600)).toEqual({ width: 240, height: 180 })
    expect(previewBox(600, 1200)).toEqual({ width: 120, height: 240 })
    expect(previewBox(100, 50)).toEqual({ width: 100, height: 50 })
    expect(previewBox(2000, 10)).toEqual({ width: 240, height: 48 }) // a sliver stays clickable
    expect(previewBox(0, 0)).toEqual({ width: 240, height: 180 })
    expect(previewBox(800, 600, { max: 160 })).toEqual({ width: 160, height: 120 })
  })
})

describe('pasted screenshots', () => {
  const when = new Date(2026, 11, 2, 21, 30, 5)

  it('are named for when they were pasted, in the UI language', () => {
    expect(screenshotName(when, 'image/png', 'zh')).toBe('截图-2026-12-02-2130.png')
    expect(screenshotName(when, 'image/png', 'en')).toBe('screenshot-2026-12-02-2130.png')
    expect(screenshotName(when, 'image/jpeg', 'en', 2)).toBe('screenshot-2026-12-02-2130-2.jpg')
    expect(screenshotName(new Date(2026, 0, 5, 7, 4), 'image/webp', 'en')).toBe('screenshot-2026-01-05-0704.webp')
  })

  it('only the browser’s generic clipboard names are replaced', () => {
    expect(pastedName({ name: 'image.png', type: 'image/png' }, when, 'en')).toBe('screenshot-2026-12-02-2130.png')
    expect(pastedName({ name: '', type: 'image/png' }, when, 'zh')).toBe('截图-2026-12-02-2130.png')
    expect(pastedName({ name: 'holiday.jpg', type: 'image/jpeg' }, when, 'en')).toBe('holiday.jpg')
    expect(pastedName({ name: 'notes.txt', type: 'text/plain' }, when, 'en')).toBe('notes.txt')
  })

  it('takes the files out of a paste (files or items), renaming screenshots one by one', () => {
    const shot1 = new File([new Uint8Array([1, 2])], 'image.png', { type: 'image/png' })
    const shot2 = new File([new Uint8Array([3])], 'image.png', { type: 'image/png' })
    const named = new File(['x'], 'a.txt', { type: 'text/plain' })
    const out = filesFrom({ files: [shot1, named, shot2] }, { pasted: true, now: when, locale: 'en' })
    expect(out.map((f) => f.name)).toEqual(['screenshot-2026-12-02-2130.png', 'a.txt', 'screenshot-2026-12-02-2130-2.png'])
    expect(out[0].size).toBe(2)
    expect(out[0].type).toBe('image/png')
    const items = [{ kind: 'string' }, { kind: 'file', getAsFile: () => shot1 }]
    expect(filesFrom({ files: [], items }, { pasted: true, now: when, locale: 'zh' }).map((f) => f.name)).toEqual(['截图-2026-12-02-2130.png'])
    expect(filesFrom({ files: [shot1] }).map((f) => f.name)).toEqual(['image.png']) // dropped: as it is
    expect(filesFrom(null)).toEqual([])
    expect(filesFrom({ files: [], items: [{ kind: 'string' }] }, { pasted: true })).toEqual([])
  })
})

describe('what the conversation list says', () => {
  it('[Image] / [File] name for files without text, in both languages', () => {
    expect(filesSummary([png], en)).toBe('[Image]')
    expect(filesSummary([png, png], en)).toBe('[Image] ×2')
    expect(filesSummary([png, txt], en)).toBe('[File] 截图.txt')
    expect(filesSummary([png], zh)).toBe('[图片]')
    expect(filesSummary([txt], zh)).toBe('[文件] 截图.txt')
    expect(filesSummary([], en)).toBe(null)
  })

  it('text wins; a recalled message says so', () => {
    expect(messageSummary({ content: 'look\n at this', files: [png] }, en)).toBe('look at this')
    expect(messageSummary({ content: '', files: [txt] }, en)).toBe('[File] 截图.txt')
    expect(messageSummary({ content: '', files: [png], recalled: true }, en)).toBe('Message recalled')
    expect(messageSummary({ content: 'hi' }, en)).toBe('hi')
    expect(messageSummary(null, en)).toBe('')
  })
})

describe('the normal frame with files', () => {
  it('carries the ids, to names or to a group, with the quote', () => {
    expect(messageFrame({ content: '', to: ['bob'], group: null, cid: 'c1', files: [png, txt] })).toEqual({
      type: 'normal',
      content: '',
      to: ['bob'],
      cid: 'c1',
      files: ['f1', 'f2']
    })
    expect(messageFrame({ content: 'see', group: '7', to: [], cid: 'c2', replyTo: 4, files: [png] })).toEqual({
      type: 'normal',
      content: 'see',
      group: '7',
      cid: 'c2',
      reply_to: 4,
      files: ['f1']
    })
  })

  it('has no files key without files', () => {
    expect(messageFrame({ content: 'hi', to: ['bob'], group: null, cid: 'c', files: [] })).not.toHaveProperty('files')
    expect(messageFrame({ content: 'hi', to: ['bob'], cid: 'c' })).not.toHaveProperty('files')
  })

  it('ids: deduplicated, strings, at most 10', () => {
    expect(fileIds([png, png, { id: 3 }, null, {}, 'raw'])).toEqual(['f1', '3', 'raw'])
    expect(fileIds(Array.from({ length: 15 }, (_, i) => ({ id: 'x' + i })))).toHaveLength(10)
  })
})
