// Issue 15 item 8: user names that are Object.prototype keys (`constructor`, `__proto__`,
// `toString`, `hasOwnProperty`) are ordinary names. With a normal user: messages both ways between each pair, unread counts,
// and the conversation list (GET /api/conversations) loading past them after a reload.
import { expect, test } from '@playwright/test'
import { startServer } from './server.js'
import { expectConnected, expectOnce, messages, newPerson, openChat, openConversation, register, send, uname } from './helpers.js'

let server
test.beforeAll(async () => {
  server = await startServer() // a fresh data dir: the fixed names are free
})
test.afterAll(async () => {
  await server?.cleanup()
})

const unread = (page, peer) => page.locator(`.conv-item[data-peer="${peer}"] [data-test=unread]`)

test('constructor, __proto__ and a normal user write to each other; counts, messages and the list after a reload', async ({ browser }) => {
  const normal = uname('norm')
  const c = await newPerson(browser)
  const p = await newPerson(browser)
  const n = await newPerson(browser)
  await register(c.page, server.url, 'constructor')
  await register(p.page, server.url, '__proto__')
  await register(n.page, server.url, normal)

  // constructor -> __proto__ (two), __proto__ -> normal, normal -> constructor
  await openChat(c.page, '__proto__')
  await send(c.page, 'c to p one')
  await send(c.page, 'c to p two')
  await expect(messages(c.page, 'c to p two')).toHaveAttribute('data-status', 'sent')
  await c.page.keyboard.press('Escape') // no conversation open: what comes in counts as unread
  await expect(c.page.locator('.pane')).toHaveCount(0)
  await openChat(p.page, normal)
  await send(p.page, 'p to n')
  await openChat(n.page, 'constructor')
  await send(n.page, 'n to c')

  // live unread counts at each receiver
  await p.page.locator('[data-tab=chats]').click()
  await expect(unread(p.page, 'constructor')).toHaveText('2')
  await c.page.locator('[data-tab=chats]').click()
  await expect(unread(c.page, normal)).toHaveText('1')
  await n.page.locator('[data-tab=chats]').click()
  await expect(unread(n.page, '__proto__')).toHaveText('1')

  // each opens what came in and sees it, from the right sender; the badge goes
  await openConversation(p.page, 'constructor')
  await expectOnce(p.page, 'c to p one')
  await expectOnce(p.page, 'c to p two')
  await expect(messages(p.page, 'c to p one').locator('.from')).toHaveText('constructor')
  await expect(unread(p.page, 'constructor')).toHaveCount(0)
  await openConversation(n.page, '__proto__')
  await expectOnce(n.page, 'p to n')
  await expect(messages(n.page, 'p to n').locator('.from')).toHaveText('__proto__')

  // the other way round
  await send(p.page, 'p to c')
  await send(n.page, 'n to p')
  await expect(unread(c.page, '__proto__')).toHaveText('1')
  await openConversation(c.page, '__proto__')
  await expectOnce(c.page, 'p to c')
  await expect(messages(c.page, 'p to c').locator('.from')).toHaveText('__proto__')
  await openConversation(p.page, normal)
  await expectOnce(p.page, 'n to p')

  // a reload: the list loads every conversation, and the server's unread count for the one
  // constructor has not opened yet
  await c.page.reload()
  await expectConnected(c.page)
  await expect(c.page.locator('[data-test=me]')).toHaveText('constructor')
  await expect(c.page.locator('.conv-item[data-peer="__proto__"]')).toBeVisible()
  await expect(unread(c.page, normal)).toHaveText('1')
  await openConversation(c.page, normal)
  await expectOnce(c.page, 'n to c')
  await expect(messages(c.page, 'n to c').locator('.from')).toHaveText(normal)
  await openConversation(c.page, '__proto__')
  for (const text of ['c to p one', 'c to p two', 'p to c']) await expectOnce(c.page, text)

  await p.page.reload()
  await expectConnected(p.page)
  await expect(p.page.locator('.conv-item[data-peer="constructor"]')).toBeVisible()
  await expect(p.page.locator(`.conv-item[data-peer="${normal}"]`)).toBeVisible()
  await expect(unread(p.page, 'constructor')).toHaveCount(0) // read before the reload
  await openConversation(p.page, 'constructor')
  for (const text of ['c to p one', 'c to p two', 'p to c']) await expectOnce(p.page, text)

  // People lists them like anyone else
  await n.page.locator('[data-tab=people]').click()
  await expect(n.page.locator('[data-person="constructor"]')).toBeVisible()
  await expect(n.page.locator('[data-person="__proto__"]')).toBeVisible()
  for (const x of [c, p, n]) await x.context.close()
})

test('toString and hasOwnProperty are ordinary names too: messages, unread counts, the list after a reload', async ({ browser }) => {
  const normal = uname('norm')
  const t = await newPerson(browser)
  const h = await newPerson(browser)
  const n = await newPerson(browser)
  await register(t.page, server.url, 'toString')
  await register(h.page, server.url, 'hasOwnProperty')
  await register(n.page, server.url, normal)

  await openChat(t.page, normal)
  await send(t.page, 't to n')
  await openChat(h.page, normal)
  await send(h.page, 'h to n')
  await n.page.locator('[data-tab=chats]').click()
  await expect(unread(n.page, 'toString')).toHaveText('1')
  await expect(unread(n.page, 'hasOwnProperty')).toHaveText('1')
  await openConversation(n.page, 'toString')
  await expectOnce(n.page, 't to n')
  await expect(messages(n.page, 't to n').locator('.from')).toHaveText('toString')
  await send(n.page, 'n to t')
  await expectOnce(t.page, 'n to t')

  await n.page.reload()
  await expectConnected(n.page)
  await expect(n.page.locator('.conv-item[data-peer="toString"]')).toBeVisible()
  await expect(unread(n.page, 'hasOwnProperty')).toHaveText('1')
  await openConversation(n.page, 'hasOwnProperty')
  await expectOnce(n.page, 'h to n')
  await expect(messages(n.page, 'h to n').locator('.from')).toHaveText('hasOwnProperty')
  for (const x of [t, h, n]) await x.context.close()
})
