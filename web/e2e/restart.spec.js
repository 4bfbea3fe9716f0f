import { expect, test } from '@playwright/test'
import { startServer } from './server.js'
import { expectConnected, expectOnce, messages, newPerson, openChat, openConversation, register, send, shot, uname } from './helpers.js'

let server
test.beforeAll(async () => {
  server = await startServer()
})
test.afterAll(async () => {
  await server?.cleanup()
})

test('the page reconnects after a server restart and loses nothing, shows nothing twice', async ({ browser }) => {
  const [alice, bob] = [uname('ra'), uname('rb')]
  const a = await newPerson(browser)
  const b = await newPerson(browser)
  await register(a.page, server.url, alice)
  await register(b.page, server.url, bob)
  await openChat(a.page, bob)
  await openChat(b.page, alice)
  await send(a.page, 'before restart')
  await expectOnce(b.page, 'before restart')

  // crash the server
  await server.stop('SIGKILL')
  for (const p of [a.page, b.page]) await expect(p.locator('.side-head .conn')).not.toHaveAttribute('data-state', 'connected')
  await expect(a.page.locator('.pane-banner')).toBeVisible() // said in the conversation too
  await expect(a.page.locator('.side-head .led')).not.toHaveCSS('background-color', 'rgb(34, 181, 115)')
  await shot(a.page, 'restart-offline')
  // typed while the server is down: kept, marked not sent, and sent by itself on reconnect
  await send(a.page, 'typed while down')
  await expect(messages(a.page, 'typed while down')).toHaveAttribute('data-status', 'failed')

  await server.start()
  await expectConnected(a.page, 15_000)
  await expectConnected(b.page, 15_000)
  await expect(messages(a.page, 'typed while down')).toHaveAttribute('data-status', 'sent')

  // right after the restart, both ways
  await send(a.page, 'after restart 1')
  await send(b.page, 'after restart from bob')
  await send(a.page, 'after restart 2')
  for (const t of ['before restart', 'typed while down', 'after restart 1', 'after restart 2', 'after restart from bob']) {
    await expectOnce(b.page, t)
    await expectOnce(a.page, t)
  }

  // once more, with a graceful stop (close 1001) and bob's page reloaded while the server is down
  await server.stop('SIGTERM')
  await expect(b.page.locator('.side-head .conn')).not.toHaveAttribute('data-state', 'connected')
  await server.start()
  await expectConnected(a.page, 15_000)
  await send(a.page, 'after second restart')
  await b.page.reload()
  await expectConnected(b.page)
  await openConversation(b.page, alice)
  for (const t of ['before restart', 'typed while down', 'after restart 1', 'after restart 2', 'after second restart']) await expectOnce(b.page, t)
  await expect(b.page.locator('.pane [data-test=message]')).toHaveCount(6)
  await shot(b.page, 'restart-after')
  await a.context.close()
  await b.context.close()
})
