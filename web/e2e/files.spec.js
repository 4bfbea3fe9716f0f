// Attachments through the real binary (docs/PROTOCOL.md, files): an image picked with the attach
// button and seen by the peer as a preview, in the viewer and as a download with the same bytes;
// a text file with a Chinese name as a card; a file over `--max-file-bytes` refused in words
// before any upload, a fake image refused by the server in words; an upload cancelled while it
// is going on; a pasted screenshot and a dropped file.
import { expect, request, test } from '@playwright/test'
import crypto from 'node:crypto'
import fs from 'node:fs'
import zlib from 'node:zlib'
import { startServer } from './server.js'
import { expectOnce, messages, newPerson, openChat, register, shot, uname } from './helpers.js'

const MAX = 100_000

let server
test.beforeAll(async () => {
  server = await startServer({ args: ['--max-file-bytes', String(MAX)] })
  const r = await fetch(`${server.url}/api/files/limits`)
  if (r.status === 404) throw new Error('this parley binary has no /api/files (the attachments server part is not in it yet)')
})
test.afterAll(async () => {
  await server?.cleanup()
})

// A real PNG, made here: W × H RGB, a gradient (so it is not all one colour).
function crc32(buf) {
  let crc = 0xffffffff
  for (const byte of buf) {
    let c = (crc ^ byte) & 0xff
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    crc = (crc >>> 8) ^ c
  }
  return (crc ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}
function makePng(w, h) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  const row = w * 3 + 1
  const raw = Buffer.alloc(row * h)
  for (let y = 0; y < h; y++) {
    raw[y * row] = 0 // filter: none
    for (let x = 0; x < w; x++) {
      const p = y * row + 1 + x * 3
      raw[p] = Math.round((x / w) * 255)
      raw[p + 1] = Math.round((y / h) * 255)
      raw[p + 2] = 160
    }
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

const PNG = makePng(64, 48)
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex')

/** Two people; alice has bob's conversation open. */
async function pair(browser, prefix) {
  const [alice, bob] = [uname(prefix + 'a'), uname(prefix + 'b')]
  const a = await newPerson(browser)
  const b = await newPerson(browser)
  await register(a.page, server.url, alice)
  await register(b.page, server.url, bob)
  await openChat(a.page, bob)
  return { a, b, alice, bob }
}

const attachments = (page) => page.locator('.pane [data-test=attachment]')
const fileMessages = (page) => page.locator('.pane [data-test=message][data-files]')

async function attach(page, files) {
  await page.locator('.pane [data-test=file-input]').setInputFiles(files)
}

async function sendAttached(page) {
  await expect(attachments(page).filter({ hasNot: page.locator('[data-test=attachment-done]') })).toHaveCount(0)
  const sendBtn = page.locator('.pane [data-test=send]')
  await expect(sendBtn).toBeEnabled()
  await sendBtn.click()
  await expect(attachments(page)).toHaveCount(0)
}

/** The browser's download of what `click` starts: its suggested name and bytes. */
async function download(page, click) {
  const [d] = await Promise.all([page.waitForEvent('download'), click()])
  return { name: d.suggestedFilename(), bytes: fs.readFileSync(await d.path()) }
}

test('an image: attach, send, the peer sees the preview, opens the viewer, downloads the same bytes', async ({ browser }) => {
  const { a, b, alice } = await pair(browser, 'im')

  await expect(a.page.locator('.pane [data-test=attach]')).toBeVisible()
  await attach(a.page, { name: 'gradient.png', mimeType: 'image/png', buffer: PNG })
  await expect(attachments(a.page)).toHaveCount(1)
  await expect(attachments(a.page)).toHaveAttribute('data-name', 'gradient.png')
  await expect(attachments(a.page)).toHaveAttribute('data-status', 'done')
  await sendAttached(a.page)

  // alice's own bubble: sent, with the preview
  const mine = fileMessages(a.page)
  await expect(mine).toHaveCount(1)
  await expect(mine).toHaveAttribute('data-status', 'sent')
  await expect(mine.locator('[data-test=text]')).toHaveCount(0) // files only: no empty text line
  const myImg = mine.locator('[data-test=file-image] img')
  await expect.poll(() => myImg.evaluate((el) => el.complete && el.naturalWidth)).toBeGreaterThan(0)

  // bob: "[Image]" in the list, then the preview; its box is reserved from width / height
  await b.page.locator('[data-tab=chats]').click()
  const item = b.page.locator(`.conv-item[data-peer="${alice}"]`)
  await expect(item.locator('.preview')).toHaveText('[Image]')
  await item.click()
  const theirs = fileMessages(b.page)
  await expect(theirs).toHaveCount(1)
  const box = theirs.locator('[data-test=file-image]')
  await expect(box).toHaveAttribute('style', /width: 64px; height: 48px/)
  const img = box.locator('img')
  await expect(img).toHaveAttribute('src', /^\/api\/files\/[^/]+\/thumb$/)
  await expect.poll(() => img.evaluate((el) => el.complete && el.naturalWidth)).toBeGreaterThan(0)
  await shot(b.page, 'files-image-bob')

  // the viewer: the full image, and a download link that gives the very bytes sent
  await box.click()
  const full = b.page.locator('.el-image-viewer__img')
  await expect(full).toHaveAttribute('src', /^\/api\/files\/[^/]+$/)
  await expect.poll(() => full.evaluate((el) => el.complete && el.naturalWidth)).toBe(64)
  const link = b.page.locator('[data-test=viewer-download]')
  await expect(link).toHaveAttribute('download', 'gradient.png')
  const got = await download(b.page, () => link.click())
  expect(got.bytes.length).toBe(PNG.length)
  expect(sha(got.bytes)).toBe(sha(PNG))
  await shot(b.page, 'files-viewer-bob')

  // the same with the browser's cookies through page.request; without them: refused
  const href = await link.getAttribute('href')
  const withCookie = await b.page.request.get(server.url + href)
  expect(withCookie.status()).toBe(200)
  expect(sha(await withCookie.body())).toBe(sha(PNG))
  const stranger = await request.newContext()
  expect([401, 403]).toContain((await stranger.get(server.url + href)).status())
  await stranger.dispose()

  await b.page.keyboard.press('Escape')
  await expect(full).toHaveCount(0)

  // after a reload (a stored token: the cookie is asked for again), history brings it back
  await b.page.reload()
  await b.page.locator(`.conv-item[data-peer="${alice}"]`).click()
  const again = fileMessages(b.page).locator('[data-test=file-image] img')
  await expect.poll(() => again.evaluate((el) => el.complete && el.naturalWidth)).toBeGreaterThan(0)

  await a.context.close()
  await b.context.close()
})

test('a text file with a Chinese name shows as a card and downloads under that name', async ({ browser }) => {
  const { a, b, alice } = await pair(browser, 'tx')
  const TEXT = Buffer.from('你好,parley 附件\nsecond line\n', 'utf8')

  await attach(a.page, { name: '截图.txt', mimeType: 'text/plain', buffer: TEXT })
  await expect(attachments(a.page)).toHaveAttribute('data-status', 'done')
  const box = a.page.locator('.pane textarea')
  await box.fill('the notes')
  await box.press('Enter')
  await expect(attachments(a.page)).toHaveCount(0)
  await expect(fileMessages(a.page)).toHaveAttribute('data-status', 'sent')

  await b.page.locator('[data-tab=chats]').click()
  const item = b.page.locator(`.conv-item[data-peer="${alice}"]`)
  await expect(item.locator('.preview')).toHaveText('the notes') // text wins over "[File] ..."
  await item.click()
  await expectOnce(b.page, 'the notes')
  const card = messages(b.page, 'the notes').locator('[data-test=file-card]')
  await expect(card.locator('[data-test=file-name]')).toHaveText('截图.txt')
  await expect(card.locator('[data-test=file-size]')).toHaveText(`${TEXT.length} B`)
  await expect(card.locator('.file-icon')).toHaveAttribute('data-kind', 'text')

  const got = await download(b.page, () => card.click())
  expect(got.name).toBe('截图.txt')
  expect(got.bytes.equals(TEXT)).toBe(true)
  const r = await b.page.request.get(server.url + (await card.getAttribute('href')))
  expect(r.headers()['content-disposition']).toMatch(/attachment/)

  // a file without text: "[File] name" in the list
  await attach(a.page, { name: '截图.txt', mimeType: 'text/plain', buffer: TEXT })
  await sendAttached(a.page)
  await expect(item.locator('.preview')).toHaveText('[File] 截图.txt')
  await shot(b.page, 'files-card-bob')
  await a.context.close()
  await b.context.close()
})

test('a file over the limit is refused before uploading; a fake image is refused by the server, in words', async ({ browser }) => {
  const { a, b } = await pair(browser, 'big')
  let posts = 0
  a.page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/files') posts++
  })

  await attach(a.page, { name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(150_000, 7) })
  const big = attachments(a.page).filter({ has: a.page.locator('[data-test=attachment-error]') })
  await expect(big).toHaveAttribute('data-status', 'failed')
  await expect(big.locator('[data-test=attachment-error]')).toHaveText('Too large: big.bin is 146 KB; the limit is 98 KB.')
  await expect(a.page.locator('.pane [data-test=send]')).toBeDisabled() // nothing to send
  expect(posts).toBe(0)
  await big.locator('[data-test=attachment-remove]').click()
  await expect(attachments(a.page)).toHaveCount(0)

  // the same in Chinese
  const langSwitch = a.page.locator('.side-head .lang-switch')
  await langSwitch.click()
  await expect(a.page.locator('html')).toHaveAttribute('lang', 'zh-CN')
  await attach(a.page, { name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(150_000, 7) })
  await expect(attachments(a.page).locator('[data-test=attachment-error]')).toHaveText('文件过大:big.bin 为 146 KB,上限是 98 KB。')
  await attachments(a.page).locator('[data-test=attachment-remove]').click()
  await langSwitch.click()
  await expect(a.page.locator('html')).toHaveAttribute('lang', 'en')
  expect(posts).toBe(0)

  // claims to be a PNG, is not one: the server says 4015
  await attach(a.page, { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('definitely not a picture') })
  const fake = attachments(a.page)
  await expect(fake).toHaveAttribute('data-status', 'failed')
  await expect(fake.locator('[data-test=attachment-error]')).toHaveText('fake.png is not an image the server can show (JPEG, PNG, GIF or WebP).')
  expect(posts).toBe(1)
  await shot(a.page, 'files-errors-alice')
  await fake.locator('[data-test=attachment-remove]').click()
  await expect(attachments(a.page)).toHaveCount(0)
  await a.context.close()
  await b.context.close()
})

test('an upload in progress can be cancelled; the message then goes without it', async ({ browser }) => {
  const { a, b, alice } = await pair(browser, 'cx')
  // Hold the upload in the network layer, so it is still "uploading" when cancelled.
  let held = 0
  let release
  const gate = new Promise((r) => (release = r))
  await a.page.route(
    (url) => url.pathname === '/api/files',
    async (route) => {
      if (route.request().method() !== 'POST') return route.continue()
      held++
      await gate
      await route.continue().catch(() => {}) // the browser has given up on it by then
    }
  )

  await attach(a.page, { name: 'slow.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(90_000, 1) })
  const item = attachments(a.page)
  await expect(item).toHaveAttribute('data-status', 'uploading')
  await expect(item.locator('[data-test=attachment-progress]')).toBeVisible()
  await expect.poll(() => held).toBe(1)
  const box = a.page.locator('.pane textarea')
  await box.fill('no file after all')
  const sendBtn = a.page.locator('.pane [data-test=send]')
  await expect(sendBtn).toBeDisabled() // waits for the upload
  await expect(sendBtn).toHaveAttribute('title', 'Wait for the uploads to finish')

  await item.locator('[data-test=attachment-remove]').click()
  await expect(attachments(a.page)).toHaveCount(0)
  await expect(sendBtn).toBeEnabled()
  await box.press('Enter')
  await expectOnce(a.page, 'no file after all')
  await expect(messages(a.page, 'no file after all')).toHaveAttribute('data-status', 'sent')
  await expect(fileMessages(a.page)).toHaveCount(0)
  release()

  await b.page.locator('[data-tab=chats]').click()
  await b.page.locator(`.conv-item[data-peer="${alice}"]`).click()
  await expectOnce(b.page, 'no file after all')
  await expect(fileMessages(b.page)).toHaveCount(0)
  await a.context.close()
  await b.context.close()
})

test('a pasted screenshot gets a dated name; a file dropped on the conversation is attached', async ({ browser }) => {
  const { a, b, alice } = await pair(browser, 'pd')
  const b64 = PNG.toString('base64')

  // paste: what the clipboard holds after a screenshot (a bitmap Chromium calls image.png)
  await a.page.locator('.pane textarea').evaluate((el, data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0))
    const dt = new DataTransfer()
    dt.items.add(new File([bytes], 'image.png', { type: 'image/png' }))
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }))
  }, b64)
  await expect(attachments(a.page)).toHaveAttribute('data-name', /^screenshot-\d{4}-\d{2}-\d{2}-\d{4}\.png$/)
  await expect(attachments(a.page)).toHaveAttribute('data-status', 'done')

  // drop: onto the message list, the pane shows where to drop
  const dt = await a.page.evaluateHandle(() => {
    const d = new DataTransfer()
    d.items.add(new File(['dropped text'], 'dropped.txt', { type: 'text/plain' }))
    return d
  })
  const list = a.page.locator('.pane .messages')
  await list.dispatchEvent('dragenter', { dataTransfer: dt })
  await expect(a.page.locator('.pane [data-test=drop-zone]')).toBeVisible()
  await list.dispatchEvent('dragover', { dataTransfer: dt })
  await list.dispatchEvent('drop', { dataTransfer: dt })
  await expect(a.page.locator('.pane [data-test=drop-zone]')).toHaveCount(0)
  await expect(attachments(a.page)).toHaveCount(2)
  await expect(attachments(a.page).nth(1)).toHaveAttribute('data-name', 'dropped.txt')
  await sendAttached(a.page)

  await b.page.locator('[data-tab=chats]').click()
  const item = b.page.locator(`.conv-item[data-peer="${alice}"]`)
  await expect(item.locator('.preview')).toHaveText('[File] dropped.txt')
  await item.click()
  const msg = fileMessages(b.page)
  await expect(msg).toHaveAttribute('data-files', '2')
  await expect(msg.locator('[data-test=file-image]')).toHaveAttribute('title', /^screenshot-\d{4}-\d{2}-\d{2}-\d{4}\.png$/)
  await expect(msg.locator('[data-test=file-card] [data-test=file-name]')).toHaveText('dropped.txt')
  await a.context.close()
  await b.context.close()
})
