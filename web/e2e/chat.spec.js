import { expect, test } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServer } from './server.js'
import { bot } from './bot.js'
import { expectConnected, expectOnce, login, messages, newPerson, openChat, openConversation, register, send, shot, uname } from './helpers.js'

const docsShot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshot.png')

let server
test.beforeAll(async () => {
  server = await startServer()
})
test.afterAll(async () => {
  await server?.cleanup()
})

test('two people register, see each other online and chat both ways', async ({ browser }) => {
  const alice = uname('alice')
  const bob = uname('bob')
  const a = await newPerson(browser)
  const b = await newPerson(browser)
  await register(a.page, server.url, alice)
  await register(b.page, server.url, bob)

  await expect(a.page.locator('.side-head .led')).toHaveCSS('background-color', 'rgb(34, 181, 115)') // green
  // live online dots, both ways
  await a.page.locator('[data-tab=people]').click()
  await expect(a.page.locator(`[data-person="${bob}"] .dot`)).toHaveAttribute('data-online', 'true')
  await b.page.locator('[data-tab=people]').click()
  await expect(b.page.locator(`[data-person="${alice}"] .dot`)).toHaveAttribute('data-online', 'true')

  await openChat(a.page, bob)
  await expect(a.page.locator('[data-test=presence]')).toHaveText('online')
  await send(a.page, 'Hi Bob! 你好,鲍勃 👋')
  await expect(messages(a.page, 'Hi Bob! 你好,鲍勃 👋')).toHaveAttribute('data-status', 'sent')

  // Bob sees a new conversation with an unread badge, then the message with its sender
  await b.page.locator('[data-tab=chats]').click()
  const item = b.page.locator(`.conv-item[data-peer="${alice}"]`)
  await expect(item.locator('[data-test=unread]')).toHaveText('1')
  await expect(item.locator('.preview')).toHaveText('Hi Bob! 你好,鲍勃 👋')
  await item.click()
  await expectOnce(b.page, 'Hi Bob! 你好,鲍勃 👋')
  await expect(messages(b.page, 'Hi Bob! 你好,鲍勃 👋').locator('.from')).toHaveText(alice)
  await expect(item.locator('[data-test=unread]')).toHaveCount(0)

  // Shift+Enter makes a new line, Enter sends
  const box = b.page.locator('.pane textarea')
  await box.fill('line one')
  await box.press('Shift+Enter')
  await box.type('line two')
  await box.press('Enter')
  await expectOnce(a.page, 'line one\nline two')
  await expect(messages(a.page, 'line one\nline two')).toHaveClass(/theirs/)
  await expect(messages(b.page, 'line one\nline two')).toHaveClass(/mine/)

  // text stays text
  await send(a.page, '<b>not bold</b>')
  await expectOnce(b.page, '<b>not bold</b>')
  await expect(b.page.locator('.pane b')).toHaveCount(0)

  await shot(a.page, 'two-people-alice')
  await shot(b.page, 'two-people-bob')
  await a.context.close()
  await b.context.close()
})

test('a multi-recipient message reaches each recipient and shows in each conversation', async ({ browser }) => {
  const [alice, bob, carol] = [uname('al'), uname('bo'), uname('ca')]
  const a = await newPerson(browser)
  const b = await newPerson(browser)
  const c = await newPerson(browser)
  await register(a.page, server.url, alice)
  await register(b.page, server.url, bob)
  await register(c.page, server.url, carol)

  await a.page.locator('[data-test=new-message]').click()
  const dialog = a.page.locator('.el-dialog')
  await expect(dialog).toBeVisible()
  const picker = dialog.locator('[data-test=recipients]')
  for (const who of [bob, carol]) {
    await picker.click()
    await a.page.locator('.el-select-dropdown__item', { hasText: who }).click()
  }
  await dialog.locator('textarea').fill('Meeting at 3 / 三点开会')
  await dialog.locator('textarea').press('Enter')
  await expect(dialog).toBeHidden()

  for (const p of [b.page, c.page]) {
    await openConversation(p, alice)
    await expectOnce(p, 'Meeting at 3 / 三点开会')
  }
  for (const peer of [bob, carol]) {
    await openConversation(a.page, peer)
    await expectOnce(a.page, 'Meeting at 3 / 三点开会')
    await expect(messages(a.page, 'Meeting at 3 / 三点开会')).toHaveAttribute('data-status', 'sent')
  }
  await shot(c.page, 'multi-recipient-carol')
  for (const x of [a, b, c]) await x.context.close()
})

test('messages sent while a user is offline appear when they log in', async ({ browser }) => {
  const [alice, bob] = [uname('ao'), uname('bo')]
  const a = await newPerson(browser)
  let b = await newPerson(browser)
  await register(a.page, server.url, alice)
  await register(b.page, server.url, bob)
  await b.context.close() // bob goes away (no logout: the token is just gone with the browser)

  await openChat(a.page, bob)
  await expect(a.page.locator('[data-test=presence]')).toHaveText('offline')
  await send(a.page, 'first while you were away')
  await send(a.page, 'second while you were away')
  await expect(messages(a.page, 'second while you were away')).toHaveAttribute('data-status', 'sent')

  b = await newPerson(browser)
  await login(b.page, server.url, bob)
  const item = b.page.locator(`.conv-item[data-peer="${alice}"]`)
  await expect(item).toBeVisible()
  await item.click()
  await expectOnce(b.page, 'first while you were away')
  await expectOnce(b.page, 'second while you were away')
  const texts = await b.page.locator('.pane [data-test=text]').allTextContents()
  expect(texts.indexOf('first while you were away')).toBeLessThan(texts.indexOf('second while you were away'))
  await expect(a.page.locator('[data-test=presence]')).toHaveText('online')
  await a.context.close()
  await b.context.close()
})

test('a second tab of the same user sees what the first one sent', async ({ browser }) => {
  const [alice, bob] = [uname('at'), uname('bt')]
  const a = await newPerson(browser)
  const b = await newPerson(browser)
  await register(a.page, server.url, alice)
  await register(b.page, server.url, bob)
  const tab2 = await a.context.newPage() // same browser profile: same session
  await tab2.goto(server.url)
  await expect(tab2.locator('[data-test=me]')).toHaveText(alice)
  await expectConnected(tab2)

  await openChat(a.page, bob)
  await send(a.page, 'sent from tab one')
  await openConversation(tab2, bob)
  await expectOnce(tab2, 'sent from tab one')
  await expect(messages(tab2, 'sent from tab one')).toHaveClass(/mine/)

  // both tabs receive the answer
  await openConversation(b.page, alice)
  await send(b.page, 'reply to both tabs')
  await expectOnce(a.page, 'reply to both tabs')
  await expectOnce(tab2, 'reply to both tabs')
  await expectOnce(b.page, 'sent from tab one')
  await a.context.close()
  await b.context.close()
})

test('a reload keeps the session and the conversation history', async ({ browser }) => {
  const [alice, bob] = [uname('ar'), uname('br')]
  const a = await newPerson(browser)
  const b = await newPerson(browser)
  await register(a.page, server.url, alice)
  await register(b.page, server.url, bob)
  await openChat(a.page, bob)
  for (let i = 1; i <= 3; i++) await send(a.page, `before reload ${i}`)
  await expect(messages(a.page, 'before reload 3')).toHaveAttribute('data-status', 'sent')
  await a.page.reload()
  await expect(a.page.locator('[data-test=me]')).toHaveText(alice)
  await expectConnected(a.page)
  await openConversation(a.page, bob)
  for (let i = 1; i <= 3; i++) await expectOnce(a.page, `before reload ${i}`)
  await a.context.close()
  await b.context.close()
})

test('logout returns to the login screen and the server refuses the old token', async ({ browser }) => {
  const alice = uname('lo')
  const a = await newPerson(browser)
  await register(a.page, server.url, alice)
  const tab2 = await a.context.newPage()
  await tab2.goto(server.url)
  await expectConnected(tab2)
  const token = await a.page.evaluate(() => JSON.parse(localStorage.getItem('parley.session')).token)
  expect((await fetch(`${server.url}/api/user`, { headers: { 'w-token': token } })).status).toBe(200)

  await a.page.locator('[data-test=logout]').click()
  await expect(a.page.locator('[data-test=submit]')).toBeVisible()
  await expect.poll(async () => (await fetch(`${server.url}/api/user`, { headers: { 'w-token': token } })).status).toBe(401)
  // the other tab's connection was closed with 4401: it is back at the login screen too
  await expect(tab2.locator('[data-test=submit]')).toBeVisible()
  await shot(tab2, 'after-logout-other-tab')
  // and a reload does not bring the session back
  await a.page.reload()
  await expect(a.page.locator('[data-test=submit]')).toBeVisible()
  await a.context.close()
})

test('login errors are explained in words', async ({ browser }) => {
  const name = uname('er')
  const { context, page } = await newPerson(browser)
  await register(page, server.url, name)
  await page.locator('[data-test=logout]').click()
  const error = page.locator('[data-test=login-error]')

  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByLabel('Password', { exact: true }).fill('wrong-password')
  await page.locator('[data-test=submit]').click()
  await expect(error).toContainText('Wrong password')

  await page.getByLabel('Name', { exact: true }).fill(uname('nobody'))
  await page.locator('[data-test=submit]').click()
  await expect(error).toContainText('no user with that name')

  await page.locator('[data-test=toggle-mode]').click()
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByLabel('Password', { exact: true }).fill('secret1')
  await page.locator('[data-test=submit]').click()
  await expect(error).toContainText('already taken')

  await page.getByLabel('Password', { exact: true }).fill('x')
  await page.locator('[data-test=submit]').click()
  await expect(error).toContainText('password 3–20 characters')

  // and in Chinese
  await page.getByRole('button', { name: /Language/ }).click()
  await expect(error).toContainText('用户名需 1–20 个字符')
  await shot(page, 'login-error-zh')
  await context.close()
})

test('phone width: one column, list and conversation switch', async ({ browser }) => {
  const [alice, bob] = [uname('ph'), uname('pb')]
  const a = await newPerson(browser, { viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true })
  const b = await newPerson(browser)
  await register(a.page, server.url, alice)
  await register(b.page, server.url, bob)
  await openChat(b.page, alice)
  await send(b.page, 'A long line to check wrapping: ' + 'x'.repeat(120) + ' 以及很长的中文句子需要自动换行显示在手机屏幕上')

  await a.page.locator('[data-tab=chats]').click()
  await a.page.locator(`.conv-item[data-peer="${bob}"]`).click()
  await expect(a.page.locator('.sidebar')).toBeHidden()
  const bubble = a.page.locator('.pane .bubble').first()
  await expect(bubble).toBeVisible()
  const box = await bubble.boundingBox()
  expect(box.x + box.width).toBeLessThanOrEqual(390) // long text wraps instead of overflowing
  await shot(a.page, 'phone-conversation')
  await a.page.getByRole('button', { name: 'Back to conversations' }).click()
  await expect(a.page.locator('.sidebar')).toBeVisible()
  await expect(a.page.locator('[data-conversation]')).toHaveCount(0)
  await shot(a.page, 'phone-list')
  await a.context.close()
  await b.context.close()
})

test('desktop screenshot of a conversation in Chinese', async ({ browser }) => {
  const [me, peer, third] = ['王小明', '李华', 'Emma']
  const a = await newPerson(browser, { locale: 'zh-CN', viewport: { width: 1280, height: 760 } })
  const b = await newPerson(browser, { locale: 'zh-CN' })
  const c = await newPerson(browser, { locale: 'en-US' })
  // fixed names: this spec's server has a fresh data dir, and this test runs once in it
  await register(a.page, server.url, me)
  await register(b.page, server.url, peer)
  await register(c.page, server.url, third)
  await expect(a.page.locator('[data-test=new-message]')).toContainText('群发消息') // zh-CN browser: Chinese UI
  await openChat(c.page, me)
  await send(c.page, 'Are we still on for Friday? 🎉')

  await openChat(b.page, me)
  await openChat(a.page, peer)
  const lines = [
    [b, '明天下午的会议改到三点了,你能参加吗?'],
    [a, '可以的!我会准时到。需要我准备什么材料吗?'],
    [b, '把上周的数据报告带上就行 📊'],
    [b, '另外记得提前十分钟到,要调试投影仪。'],
    [a, '好的,没问题。顺便问一下,会议室还是 3 楼那间吗?'],
    [b, '对,还是老地方。See you tomorrow 👋']
  ]
  for (const [who, text] of lines) {
    await send(who.page, text)
    await expectOnce(a.page, text)
  }
  await expect(messages(a.page, lines[3][1])).toHaveAttribute('data-status', 'sent')
  await a.page.locator('.pane textarea').fill('好的 👍')
  await a.page.waitForTimeout(300)
  await shot(a.page, 'desktop-conversation-zh')
  // Only on request, so ordinary runs do not rewrite a tracked file (its clock times change).
  if (process.env.PARLEY_DOCS_SCREENSHOT === '1') await a.page.screenshot({ path: docsShot })
  for (const x of [a, b, c]) await x.context.close()
})

test('history loads when a conversation opens and when scrolling up', async ({ browser }) => {
  const alice = uname('ha')
  const a = await newPerson(browser, { viewport: { width: 1280, height: 600 } })
  await register(a.page, server.url, alice)
  const b = await bot(server.url, uname('hb'))
  // delivered live to alice's first browser, so a second browser only gets them from history
  for (let i = 1; i <= 45; i++) await b.send(alice, `history ${i}`)
  await expect(a.page.locator(`.conv-item[data-peer="${b.name}"] [data-test=unread]`)).toHaveText('45')
  await a.context.close()

  const again = await newPerson(browser, { viewport: { width: 1280, height: 600 } })
  await login(again.page, server.url, alice)
  await openConversation(again.page, b.name)
  await expectOnce(again.page, 'history 45')
  await expect(again.page.locator('.pane [data-test=message]')).toHaveCount(30) // one page
  // scroll to the top until the beginning of the conversation is reached
  const list = again.page.locator('.pane .messages')
  await expect(async () => {
    await list.evaluate((el) => (el.scrollTop = 0))
    await expect(again.page.locator('.pane .beginning')).toBeVisible({ timeout: 500 })
  }).toPass({ timeout: 15_000 })
  await expect(again.page.locator('.pane [data-test=message]')).toHaveCount(45)
  const texts = await again.page.locator('.pane [data-test=text]').allTextContents()
  expect(texts).toEqual(Array.from({ length: 45 }, (_, i) => `history ${i + 1}`))
  b.close()
  await again.context.close()
})
