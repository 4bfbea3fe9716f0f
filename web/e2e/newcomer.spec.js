// A newcomer with no conversation yet sees who is online without a click.
import { expect, test } from '@playwright/test'
import { startServer } from './server.js'
import { expectOnce, login, newPerson, openConversation, register, send, shot, uname } from './helpers.js'

let server
test.beforeAll(async () => {
  server = await startServer()
})
test.afterAll(async () => {
  await server?.cleanup()
})

test('a newcomer sees who is online on the first screen and starts a chat from there', async ({ browser }) => {
  const [anna, away, newbie] = [uname('anna'), uname('away'), uname('new')]
  const a = await newPerson(browser)
  await register(a.page, server.url, anna)
  const w = await newPerson(browser)
  await register(w.page, server.url, away)
  await w.context.close() // registered, but not online

  const n = await newPerson(browser)
  await register(n.page, server.url, newbie)
  // no tab switch, no click: the empty list says who is online
  const online = n.page.locator('[data-test=online-now]')
  await expect(online).toBeVisible()
  await expect(online.locator(`[data-online-person="${anna}"]`)).toBeVisible()
  await expect(online.locator(`[data-online-person="${anna}"] .dot`)).toHaveAttribute('data-online', 'true')
  await expect(online.locator(`[data-online-person="${away}"]`)).toHaveCount(0)
  await expect(online.locator(`[data-online-person="${newbie}"]`)).toHaveCount(0)
  await shot(n.page, 'newcomer-online')

  // who comes online later shows up too
  const w2 = await newPerson(browser)
  await login(w2.page, server.url, away)
  await expect(online.locator(`[data-online-person="${away}"]`)).toBeVisible()

  // one click opens the conversation
  await online.locator(`[data-online-person="${anna}"]`).click()
  await expect(n.page.locator(`[data-conversation="${anna}"]`)).toBeVisible()
  await send(n.page, 'Hi, I am new here')
  await openConversation(a.page, newbie)
  await expectOnce(a.page, 'Hi, I am new here')
  // with a conversation, the list shows it instead
  await expect(online).toHaveCount(0)
  await expect(n.page.locator(`.conv-item[data-peer="${anna}"]`)).toBeVisible()
  for (const x of [a, n, w2]) await x.context.close()
})

test('a newcomer alone on the server is told so, in Chinese too', async ({ browser }) => {
  // everyone else from the first test has gone
  const n = await newPerson(browser, { locale: 'zh-CN' })
  await register(n.page, server.url, uname('solo'))
  await expect(n.page.locator('[data-test=online-now]')).toContainText('现在没有其他人在线')
  await n.context.close()
})
