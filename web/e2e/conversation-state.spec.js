// Conversation state through the real binary (docs/PROTOCOL.md, "Conversation state"): read
// ticks, typing, unread counts shared by two tabs, recall, edit, reply, a hidden tab.
import { expect, test } from '@playwright/test'
import { startServer } from './server.js'
import { expectConnected, expectOnce, messages, newPerson, openChat, openConversation, openGroup, register, send, shot, uname } from './helpers.js'

let server
test.beforeAll(async () => {
  server = await startServer()
})
test.afterAll(async () => {
  await server?.cleanup()
})

/** Two people who have each other's conversation open. */
async function pair(browser, prefix) {
  const [alice, bob] = [uname(prefix + 'a'), uname(prefix + 'b')]
  const a = await newPerson(browser)
  const b = await newPerson(browser)
  await register(a.page, server.url, alice)
  await register(b.page, server.url, bob)
  await openChat(a.page, bob)
  await openChat(b.page, alice)
  return { a, b, alice, bob }
}

async function act(page, text, action) {
  const m = messages(page, text)
  await m.hover()
  await m.locator(`[data-test=action-${action}]`).click()
}

test('a read tick appears when the peer opens the conversation, not before', async ({ browser }) => {
  const [alice, bob] = [uname('ra'), uname('rb')]
  const a = await newPerson(browser)
  const b = await newPerson(browser)
  await register(a.page, server.url, alice)
  await register(b.page, server.url, bob)
  await openChat(a.page, bob)
  await send(a.page, 'did you read this?')
  const mine = messages(a.page, 'did you read this?')
  await expect(mine).toHaveAttribute('data-status', 'sent')
  await expect(mine.locator('[data-test=tick]')).toHaveAttribute('aria-label', 'Sent')
  // bob has it, unread, in his list: nothing is read yet
  await b.page.locator('[data-tab=chats]').click()
  await expect(b.page.locator(`.conv-item[data-peer="${alice}"] [data-test=unread]`)).toHaveText('1')
  await expect(mine).not.toHaveAttribute('data-read', 'true')
  await openConversation(b.page, alice)
  await expect(mine).toHaveAttribute('data-read', 'true')
  await expect(mine.locator('[data-test=tick]')).toHaveAttribute('aria-label', 'Read')
  await shot(a.page, 'read-tick')
  for (const x of [a, b]) await x.context.close()
})

test('typing shows in the peer header and goes when the message arrives', async ({ browser }) => {
  const { a, b } = await pair(browser, 't')
  const typing = b.page.locator('.pane-head [data-test=typing]')
  await expect(typing).toHaveCount(0)
  await a.page.locator('.pane textarea').pressSequentially('hello the', { delay: 30 })
  await expect(typing).toHaveText('typing…')
  await expect(b.page.locator('.pane-head [data-test=presence]')).toHaveCount(0)
  await a.page.locator('.pane textarea').press('Enter')
  await expectOnce(b.page, 'hello the')
  await expect(typing).toHaveCount(0)
  await expect(b.page.locator('.pane-head [data-test=presence]')).toHaveText('online')
  // without a message it goes by itself after ~5 s (the server forwards one typing frame per
  // 2 s and conversation: wait for that, the client sends at once after a message)
  await a.page.waitForTimeout(2100)
  await a.page.locator('.pane textarea').pressSequentially('x')
  await expect(typing).toBeVisible()
  await expect(typing).toHaveCount(0, { timeout: 8000 })
  for (const x of [a, b]) await x.context.close()
})

test('a recall replaces the text on both sides, also in history after a reload', async ({ browser }) => {
  const { a, b, alice } = await pair(browser, 'c')
  await send(a.page, 'oops, wrong chat')
  await send(a.page, 'this one stays')
  await expectOnce(b.page, 'oops, wrong chat')
  const id = await messages(a.page, 'oops, wrong chat').getAttribute('data-id')
  expect(id).toMatch(/^\d+$/)
  await act(a.page, 'oops, wrong chat', 'recall')
  for (const p of [a.page, b.page]) {
    const m = p.locator(`.pane [data-test=message][data-id="${id}"]`)
    await expect(m.locator('[data-test=recalled]')).toHaveText('Message recalled')
    await expect(m.locator('[data-test=text]')).toHaveCount(0)
    await expect(messages(p, 'oops, wrong chat')).toHaveCount(0)
    await expectOnce(p, 'this one stays')
  }
  await b.page.reload()
  await expectConnected(b.page)
  await openConversation(b.page, alice)
  await expectOnce(b.page, 'this one stays')
  await expect(b.page.locator(`.pane [data-test=message][data-id="${id}"] [data-test=recalled]`)).toHaveText('Message recalled')
  await expect(b.page.locator('.pane').getByText('oops, wrong chat')).toHaveCount(0)
  for (const x of [a, b]) await x.context.close()
})

test('two tabs of one user agree on unread: reading in one clears the badge in the other', async ({ browser }) => {
  const [alice, bob] = [uname('ua'), uname('ub')]
  const a = await newPerson(browser)
  await register(a.page, server.url, alice)
  const b = await newPerson(browser)
  await register(b.page, server.url, bob)
  const tab2 = await b.context.newPage() // same context: the same login
  await tab2.goto(server.url)
  await expect(tab2.locator('[data-test=me]')).toHaveText(bob)
  await expectConnected(tab2)
  await openChat(a.page, bob)
  await send(a.page, 'first')
  await send(a.page, 'second')
  for (const p of [b.page, tab2]) {
    await p.locator('[data-tab=chats]').click()
    await expect(p.locator(`.conv-item[data-peer="${alice}"] [data-test=unread]`)).toHaveText('2')
  }
  // a third tab opened now gets the same count from the server
  const tab3 = await b.context.newPage()
  await tab3.goto(server.url)
  await expectConnected(tab3)
  await expect(tab3.locator(`.conv-item[data-peer="${alice}"] [data-test=unread]`)).toHaveText('2')
  await tab3.close()

  await openConversation(b.page, alice)
  await expectOnce(b.page, 'second')
  await expect(tab2.locator(`.conv-item[data-peer="${alice}"] [data-test=unread]`)).toHaveCount(0)
  await expect(messages(a.page, 'second')).toHaveAttribute('data-read', 'true')
  // a new message counts again in the tab that does not show it, not in the one that does
  await send(a.page, 'third')
  await expect(tab2.locator(`.conv-item[data-peer="${alice}"] [data-test=unread]`)).toHaveText('1')
  await expectOnce(b.page, 'third')
  await expect(tab2.locator(`.conv-item[data-peer="${alice}"] [data-test=unread]`)).toHaveCount(0)
  await expect(b.page.locator(`.conv-item[data-peer="${alice}"] [data-test=unread]`)).toHaveCount(0)
  for (const x of [a, b]) await x.context.close()
})

test('an edit replaces the text for both and is marked edited, also after a reload', async ({ browser }) => {
  const { a, b, alice } = await pair(browser, 'e')
  await send(a.page, 'meet at 5')
  await expectOnce(b.page, 'meet at 5')
  await send(a.page, 'draft kept') // a draft set aside while editing comes back
  await a.page.locator('.pane textarea').fill('half-typed')
  await act(a.page, 'meet at 5', 'edit')
  await expect(a.page.locator('.pane [data-test=editing]')).toBeVisible()
  const box = a.page.locator('.pane textarea')
  await expect(box).toHaveValue('meet at 5')
  await box.fill('meet at 6')
  await box.press('Enter')
  await expect(box).toHaveValue('half-typed')
  await expect(a.page.locator('.pane [data-test=editing]')).toHaveCount(0)
  for (const p of [a.page, b.page]) {
    await expectOnce(p, 'meet at 6')
    await expect(messages(p, 'meet at 5')).toHaveCount(0)
    await expect(messages(p, 'meet at 6').locator('[data-test=edited]')).toHaveText('edited')
  }
  // Escape cancels an edit
  await act(a.page, 'draft kept', 'edit')
  await expect(box).toHaveValue('draft kept')
  await box.press('Escape')
  await expect(a.page.locator('.pane [data-test=editing]')).toHaveCount(0)
  await expect(box).toHaveValue('half-typed')
  await expect(a.page.locator('.pane')).toBeVisible() // Escape did not close the conversation
  await b.page.reload()
  await expectConnected(b.page)
  await openConversation(b.page, alice)
  await expect(messages(b.page, 'meet at 6').locator('[data-test=edited]')).toHaveText('edited')
  for (const x of [a, b]) await x.context.close()
})

test('a reply quotes the message it answers, live and from history', async ({ browser }) => {
  const { a, b, bob } = await pair(browser, 'p')
  await send(a.page, 'lunch at noon?')
  await expectOnce(b.page, 'lunch at noon?')
  await act(b.page, 'lunch at noon?', 'reply')
  const ctx = b.page.locator('.pane [data-test=replying]')
  await expect(ctx).toContainText('lunch at noon?')
  await b.page.locator('.pane [data-test=cancel-reply]').click() // cancelable
  await expect(ctx).toHaveCount(0)
  await act(b.page, 'lunch at noon?', 'reply')
  await send(b.page, 'yes, see you there')
  await expect(ctx).toHaveCount(0)
  for (const p of [a.page, b.page]) {
    const quote = messages(p, 'yes, see you there').locator('[data-test=reply-quote]')
    await expect(quote.locator('[data-test=quote-text]')).toHaveText('lunch at noon?')
  }
  await expect(messages(a.page, 'yes, see you there').locator('[data-test=reply-quote] .q-from')).toHaveText('You')
  await act(a.page, 'yes, see you there', 'reply')
  await shot(a.page, 'reply')
  await a.page.reload()
  await expectConnected(a.page)
  await openConversation(a.page, bob)
  await expect(messages(a.page, 'yes, see you there').locator('[data-test=quote-text]')).toHaveText('lunch at noon?')
  for (const x of [a, b]) await x.context.close()
})

test('a hidden tab counts new messages in its title, notifies, and reads nothing until visible', async ({ browser }) => {
  const [alice, bob] = [uname('ha'), uname('hb')]
  const a = await newPerson(browser)
  await register(a.page, server.url, alice)
  const b = await newPerson(browser)
  // The page's Notification, recorded (headless Chromium shows none), and a switch for document.hidden.
  await b.context.addInitScript(() => {
    window.__notes = []
    window.__asked = 0
    window.Notification = class {
      static permission = 'default'
      static requestPermission() {
        window.__asked++
        window.Notification.permission = 'granted'
        return Promise.resolve('granted')
      }
      constructor(title, opts) {
        window.__notes.push({ title, body: opts?.body, tag: opts?.tag })
      }
      close() {}
    }
    let hidden = false
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden })
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') })
    window.__setHidden = (h) => {
      hidden = h
      document.dispatchEvent(new Event('visibilitychange'))
    }
  })
  await register(b.page, server.url, bob)
  await openChat(b.page, alice)
  await openChat(a.page, bob)
  // permission: asked once, on the first message sent (a user gesture), never again
  expect(await b.page.evaluate(() => window.__asked)).toBe(0)
  await send(b.page, 'hi')
  await send(b.page, 'there')
  await expect.poll(() => b.page.evaluate(() => window.__asked)).toBe(1)
  await b.page.reload()
  await expectConnected(b.page)
  await openConversation(b.page, alice)
  await send(b.page, 'after a reload')
  await expectOnce(a.page, 'after a reload')
  expect(await b.page.evaluate(() => window.__asked)).toBe(0) // a fresh page: the stub's counter restarts
  expect(await b.page.evaluate(() => localStorage.getItem('parley.notify.asked'))).toBe('true')
  await b.page.evaluate(() => (window.Notification.permission = 'granted')) // what the browser remembers
  await send(a.page, 'are you there?')
  await expectOnce(b.page, 'are you there?')
  await expect(b.page).toHaveTitle('parley') // visible: no counter, no notification
  await b.page.evaluate(() => window.__setHidden(true))
  await send(a.page, 'hello?')
  await send(a.page, 'anyone?')
  await expect(b.page).toHaveTitle('(2) parley')
  const notes = await b.page.evaluate(() => window.__notes)
  expect(notes).toEqual([
    { title: alice, body: 'hello?', tag: `u:${alice}` },
    { title: alice, body: 'anyone?', tag: `u:${alice}` }
  ])
  await expect(messages(a.page, 'anyone?')).toHaveAttribute('data-status', 'sent')
  await a.page.waitForTimeout(800) // long enough for a read frame, were one sent
  await expect(messages(a.page, 'anyone?')).not.toHaveAttribute('data-read', 'true')
  await b.page.evaluate(() => window.__setHidden(false))
  await expect(b.page).toHaveTitle('parley')
  await expect(messages(a.page, 'anyone?')).toHaveAttribute('data-read', 'true')
  for (const x of [a, b]) await x.context.close()
})

test('in a group: "NAME is typing", and "read by N" on my message once a member has read it', async ({ browser }) => {
  const [alice, bob, carol] = [uname('ga'), uname('gb'), uname('gc')]
  const a = await newPerson(browser)
  const b = await newPerson(browser)
  await register(a.page, server.url, alice)
  await register(b.page, server.url, bob)
  await newPerson(browser).then(async (c) => {
    await register(c.page, server.url, carol)
    await c.context.close()
  })
  const group = 'Readers ' + uname('')
  // the group through the API, with alice's token (the UI way is in groups.spec.js)
  const status = await a.page.evaluate(async ([name, members]) => {
    const { token } = JSON.parse(localStorage.getItem('parley.session'))
    const r = await fetch('/api/groups', { method: 'POST', headers: { 'Content-Type': 'application/json', 'w-token': token }, body: JSON.stringify({ name, members }) })
    return r.status
  }, [group, [bob, carol]])
  expect(status).toBe(200)
  await openGroup(a.page, group)
  await send(a.page, 'who has read this?')
  const mine = messages(a.page, 'who has read this?')
  await expect(mine).toHaveAttribute('data-status', 'sent')
  await expect(mine.locator('[data-test=read-by]')).toHaveCount(0)
  await openGroup(b.page, group)
  await expectOnce(b.page, 'who has read this?')
  await b.page.locator('.pane textarea').pressSequentially('me', { delay: 30 })
  await expect(a.page.locator('.pane-head [data-test=typing]')).toHaveText(`${bob} is typing…`)
  // the markers are fetched when the group is opened: open it again
  await a.page.locator('[data-tab=people]').click()
  await a.page.locator(`[data-person="${bob}"]`).click()
  await openGroup(a.page, group)
  await expect(mine.locator('[data-test=read-by]')).toHaveText('Read by 1')
  await shot(a.page, 'group-read-by')
  for (const x of [a, b]) await x.context.close()
})

test.describe('with short windows', () => {
  let short
  test.beforeAll(async () => {
    short = await startServer({ args: ['--recall-window', '2', '--edit-window', '0'] })
  })
  test.afterAll(async () => {
    await short?.cleanup()
  })

  test('no edit when the server turns it off; a late recall is refused with a clear message', async ({ browser }) => {
    const [alice, bob] = [uname('wa'), uname('wb')]
    const a = await newPerson(browser)
    await register(a.page, short.url, alice)
    const b = await newPerson(browser)
    await register(b.page, short.url, bob)
    await openChat(a.page, bob)
    await send(a.page, 'too late to take back')
    const m = messages(a.page, 'too late to take back')
    await expect(m).toHaveAttribute('data-status', 'sent')
    await m.hover()
    await expect(m.locator('[data-test=action-reply]')).toBeVisible()
    await expect(m.locator('[data-test=action-edit]')).toHaveCount(0) // edit_window 0
    await expect(m.locator('[data-test=action-recall]')).toBeVisible()
    await a.page.waitForTimeout(2500) // the 2 s pass with the button on screen
    await m.locator('[data-test=action-recall]').click()
    const notice = a.page.locator('.pane [data-test=action-notice]')
    await expect(notice).toHaveAttribute('data-code', 'too_late')
    await expect(notice).toContainText('Could not recall the message: the time allowed for it has passed.')
    await expect(m.locator('[data-test=text]')).toHaveText('too late to take back')
    // hovering again: the recall is no longer offered
    await a.page.locator('.pane-head').hover()
    await m.hover()
    await expect(m.locator('[data-test=action-recall]')).toHaveCount(0)
    for (const x of [a, b]) await x.context.close()
  })
})
