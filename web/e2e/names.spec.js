// User names that are also Object.prototype properties are ordinary names (issue 15, item 8):
// the client keeps conversations in Maps, never in plain objects keyed by name.
import { expect, test } from '@playwright/test'
import { startServer } from './server.js'
import { expectOnce, messages, newPerson, openChat, openConversation, register, send } from './helpers.js'

let server
test.beforeAll(async () => {
  server = await startServer() // a fresh data dir: these fixed names are free
})
test.afterAll(async () => {
  await server?.cleanup()
})

test('users named constructor, __proto__ and toString chat, and their conversations show', async ({ browser }) => {
  const c = await newPerson(browser)
  const p = await newPerson(browser)
  const s = await newPerson(browser)
  await register(c.page, server.url, 'constructor')
  await register(p.page, server.url, '__proto__')
  await register(s.page, server.url, 'toString')

  // constructor writes to __proto__ and toString
  await openChat(c.page, '__proto__')
  await send(c.page, 'hello proto')
  await expect(messages(c.page, 'hello proto')).toHaveAttribute('data-status', 'sent')
  await openChat(c.page, 'toString')
  await send(c.page, 'hello toString')

  // each receiver has the conversation, with an unread badge, and the message from its sender
  for (const [page, text] of [
    [p.page, 'hello proto'],
    [s.page, 'hello toString']
  ]) {
    await page.locator('[data-tab=chats]').click()
    const item = page.locator('.conv-item[data-peer="constructor"]')
    await expect(item.locator('[data-test=unread]')).toHaveText('1')
    await item.click()
    await expectOnce(page, text)
    await expect(messages(page, text).locator('.from')).toHaveText('constructor')
  }

  // and the answers come back
  await send(p.page, 'hi constructor, from __proto__')
  await send(s.page, 'hi constructor, from toString')
  await openConversation(c.page, '__proto__')
  await expectOnce(c.page, 'hi constructor, from __proto__')
  await openConversation(c.page, 'toString')
  await expectOnce(c.page, 'hi constructor, from toString')

  // a draft belongs to its conversation (kept in a Map too)
  await c.page.locator('.pane textarea').fill('draft for toString')
  await openConversation(c.page, '__proto__')
  await expect(c.page.locator('.pane textarea')).toHaveValue('')
  await openConversation(c.page, 'toString')
  await expect(c.page.locator('.pane textarea')).toHaveValue('draft for toString')

  // after a reload, the conversation list (GET /api/conversations) and the history load
  await c.page.reload()
  await expect(c.page.locator('[data-test=me]')).toHaveText('constructor')
  await expect(c.page.locator('.conv-item[data-peer="__proto__"]')).toBeVisible()
  await expect(c.page.locator('.conv-item[data-peer="toString"]')).toBeVisible()
  await openConversation(c.page, '__proto__')
  await expectOnce(c.page, 'hello proto')
  await expectOnce(c.page, 'hi constructor, from __proto__')
  await expect(c.page.locator('.pane .beginning')).toContainText('__proto__')
  for (const x of [c, p, s]) await x.context.close()
})
