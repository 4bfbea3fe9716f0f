// Accounts: invite-only and closed registration, display names seen by the peer, password
// change, account deletion (the peer sees "Deleted account"). Needs the server's account
// endpoints and `parley admin promote` (the first admin is made with the CLI).
import { expect, test } from '@playwright/test'
import { startServer } from './server.js'
import { expectConnected, expectOnce, login, messages, newPerson, openChat, openConversation, PASSWORD, register, send, uname } from './helpers.js'
import { adminSession, apiLogin, apiRegister, closeDialogs, openAccount, openAdmin, registerWithInvite } from './accounts.js'

test.describe('invite-only registration', () => {
  let server
  const root = uname('root')
  test.beforeAll(async () => {
    // The first admin registers while registration is open; then the server restarts invite-only.
    server = await startServer()
    expect((await apiRegister(server.url, root)).code).toBe('2000')
    server.args = ['--registration', 'invite']
    await server.restart('SIGTERM')
  })
  test.afterAll(async () => {
    await server?.cleanup()
  })

  test('a code from the admin page lets one person register; without it, or used up, it is refused in words', async ({ browser }) => {
    const admin = await newPerson(browser)
    await adminSession(admin.page, server, root, { registered: true })
    await openAdmin(admin.page, 'Invites')
    await admin.page.locator('[data-test=invite-create]').click()
    const code = (await admin.page.locator('[data-test=invite-fresh-code]').textContent()).trim()
    expect(code.length).toBeGreaterThan(3)
    await expect(admin.page.locator(`.admin-dialog tr[data-invite="${code}"]`)).toBeVisible()

    const guest = await newPerson(browser)
    const name = uname('inv')
    await guest.page.goto(server.url)
    await guest.page.locator('[data-test=toggle-mode]').click()
    await expect(guest.page.locator('[data-test=registration-invite]')).toContainText('invite-only')
    // no code
    await guest.page.locator('input[name=username]').fill(name)
    await guest.page.locator('input[name=password]').fill(PASSWORD)
    await guest.page.locator('[data-test=submit]').click()
    await expect(guest.page.locator('[data-test=login-error]')).toContainText('invite code is missing, wrong, used up or expired')
    // a wrong one
    await guest.page.locator('input[name=invite]').fill('not-a-code')
    await guest.page.locator('[data-test=submit]').click()
    await expect(guest.page.locator('[data-test=login-error]')).toContainText('invite code')
    // the real one
    await guest.page.locator('input[name=invite]').fill(code)
    await guest.page.locator('[data-test=submit]').click()
    await expect(guest.page.locator('[data-test=me]')).toHaveText(name)
    await expectConnected(guest.page)

    // one use only: a second person is refused with the same code
    const late = await newPerson(browser)
    await registerWithInvite(late.page, server.url, uname('late'), code)
    await expect(late.page.locator('[data-test=login-error]')).toContainText('used up')

    // the admin's list (loaded again when the page opens) shows it used up, or no longer lists it
    await closeDialogs(admin.page)
    await openAdmin(admin.page, 'Invites')
    const row = admin.page.locator(`.admin-dialog tr[data-invite="${code}"]`)
    await expect
      .poll(async () => (await row.count()) === 0 || /used up/.test(await row.textContent()))
      .toBe(true)
    for (const x of [admin, guest, late]) await x.context.close()
  })

  test('the login page in Chinese: the invite field and the refusal', async ({ browser }) => {
    const p = await newPerson(browser, { locale: 'zh-CN' })
    await p.page.goto(server.url)
    await p.page.locator('[data-test=toggle-mode]').click()
    await expect(p.page.locator('[data-test=registration-invite]')).toContainText('仅限邀请')
    await p.page.locator('input[name=username]').fill(uname('zh'))
    await p.page.locator('input[name=password]').fill(PASSWORD)
    await p.page.locator('input[name=invite]').fill('nope')
    await p.page.locator('[data-test=submit]').click()
    await expect(p.page.locator('[data-test=login-error]')).toContainText('邀请码')
    await p.context.close()
  })
})

test.describe('closed registration', () => {
  let server
  test.beforeAll(async () => {
    server = await startServer({ args: ['--registration', 'closed'] })
  })
  test.afterAll(async () => {
    await server?.cleanup()
  })

  test('the register form says registration is closed; the API answers 4031', async ({ browser }) => {
    const p = await newPerson(browser)
    await p.page.goto(server.url)
    await p.page.locator('[data-test=toggle-mode]').click()
    await expect(p.page.locator('[data-test=registration-closed]')).toContainText('Registration is closed')
    await expect(p.page.locator('[data-test=submit]')).toBeDisabled()
    expect((await apiRegister(server.url, uname('x'))).code).toBe('4031')
    await p.context.close()
  })
})

test.describe('my account', () => {
  let server
  test.beforeAll(async () => {
    server = await startServer()
  })
  test.afterAll(async () => {
    await server?.cleanup()
  })

  test('a display name and status are shown to the peer; a change shows when the conversation is opened again', async ({ browser }) => {
    const a = await newPerson(browser)
    const b = await newPerson(browser)
    const an = uname('alice')
    const bn = uname('bob')
    await register(a.page, server.url, an)
    await register(b.page, server.url, bn)

    await openAccount(a.page)
    await a.page.locator('input[name=display_name]').fill('Alice Wonder')
    await a.page.locator('input[name=status]').fill('in a meeting')
    await a.page.locator('[data-test=profile-save]').click()
    await expect(a.page.locator('[data-test=profile-saved]')).toBeVisible()
    await closeDialogs(a.page)
    await expect(a.page.locator('[data-test=me-display]')).toHaveText('Alice Wonder')
    await expect(a.page.locator('[data-test=me]')).toHaveText(an)

    await openChat(a.page, bn)
    await send(a.page, 'hello from alice')

    await b.page.locator('[data-tab=chats]').click()
    const item = b.page.locator(`.conv-item[data-peer="${an}"]`)
    await expect(item.locator('[data-test=conv-title]')).toHaveText('Alice Wonder')
    await item.click()
    await expect(b.page.locator('[data-test=pane-title]')).toHaveText('Alice Wonder')
    await expect(b.page.locator('[data-test=peer-status]')).toContainText('in a meeting')
    await expect(messages(b.page, 'hello from alice').locator('.from')).toHaveText('Alice Wonder')
    // People shows it too, with the name beside it
    await b.page.locator('[data-tab=people]').click()
    await expect(b.page.locator(`[data-person="${an}"] [data-test=person-name]`)).toContainText('Alice Wonder')
    await expect(b.page.locator(`[data-person="${an}"] [data-test=person-status]`)).toHaveText('in a meeting')

    // a change, then an empty display name: the name shows again
    await openAccount(a.page)
    await a.page.locator('input[name=display_name]').fill('')
    await a.page.locator('[data-test=profile-save]').click()
    await expect(a.page.locator('[data-test=profile-saved]')).toBeVisible()
    await closeDialogs(a.page)
    await openConversation(b.page, an)
    await expect(b.page.locator('[data-test=pane-title]')).toHaveText(an)

    for (const x of [a, b]) await x.context.close()
  })

  test('changing the password keeps this tab connected, logs the other device out, and the new one works', async ({ browser }) => {
    const a = await newPerson(browser)
    const other = await newPerson(browser)
    const b = await newPerson(browser)
    const an = uname('pw')
    const bn = uname('peer')
    await register(a.page, server.url, an)
    await login(other.page, server.url, an)
    await register(b.page, server.url, bn)

    await openAccount(a.page)
    await a.page.locator('input[name=old_password]').fill('wrong-one')
    await a.page.locator('input[name=new_password]').fill('newpass1')
    await a.page.locator('input[name=new_password_again]').fill('newpass1')
    await a.page.locator('[data-test=password-save]').click()
    await expect(a.page.locator('[data-test=password-error]')).toHaveText('Wrong password.')
    await a.page.locator('input[name=old_password]').fill(PASSWORD)
    await a.page.locator('[data-test=password-save]').click()
    await expect(a.page.locator('[data-test=password-changed]')).toBeVisible()
    await closeDialogs(a.page)

    // this tab goes on with the new token
    await expectConnected(a.page)
    await expect(a.page.locator('[data-test=me]')).toHaveText(an)
    await openChat(a.page, bn)
    await send(a.page, 'after the change')
    await expect(messages(a.page, 'after the change')).toHaveAttribute('data-status', 'sent')
    await openChat(b.page, an)
    await expectOnce(b.page, 'after the change')
    // the other device is back at the login page
    await expect(other.page.locator('input[name=username]')).toBeVisible()
    // a reload keeps the session (the new token was stored)
    await a.page.reload()
    await expect(a.page.locator('[data-test=me]')).toHaveText(an)
    await expectConnected(a.page)
    // old password refused, new one accepted
    expect((await apiLogin(server.url, an, PASSWORD)).code).toBe('4005')
    expect((await apiLogin(server.url, an, 'newpass1')).code).toBe('2000')
    for (const x of [a, other, b]) await x.context.close()
  })

  test('deleting the account: a warning and the password, then the login page; the peer sees "Deleted account"', async ({ browser }) => {
    const a = await newPerson(browser)
    const b = await newPerson(browser)
    const an = uname('stay')
    const bn = uname('gone')
    await register(a.page, server.url, an)
    await register(b.page, server.url, bn)
    await openChat(b.page, an)
    await send(b.page, 'my last words')
    await openChat(a.page, bn)
    await expectOnce(a.page, 'my last words')
    await send(a.page, 'goodbye then')
    await expectOnce(b.page, 'goodbye then')

    await openAccount(b.page)
    await b.page.locator('[data-test=delete-account]').click()
    await expect(b.page.locator('[data-test=delete-warning]')).toContainText('cannot be undone')
    await b.page.locator('input[name=delete_password]').fill('wrong-one')
    await b.page.locator('[data-test=confirm-delete-account]').click()
    await expect(b.page.locator('[data-test=delete-error]')).toHaveText('Wrong password.')
    await b.page.locator('input[name=delete_password]').fill(PASSWORD)
    await b.page.locator('[data-test=confirm-delete-account]').click()
    await expect(b.page.locator('input[name=username]')).toBeVisible()
    await expect(b.page.locator('.login')).toContainText('Your account was deleted.')
    expect((await apiLogin(server.url, bn)).code).not.toBe('2000')
    // the name is kept for a while: registering it again is refused as taken
    expect((await apiRegister(server.url, bn)).code).toBe('4000')

    // the peer, with the conversation still loaded: opening it again asks for the profile, which
    // is gone
    await openConversation(a.page, bn)
    await expect(a.page.locator('[data-test=pane-title]')).toHaveText('Deleted account')
    await expect(a.page.locator('.pane textarea')).toHaveCount(0)

    // after a reload: the conversation and the old messages read "Deleted account"
    await a.page.reload()
    await expectConnected(a.page)
    await a.page.locator('[data-tab=chats]').click()
    const item = a.page.locator('.conv-item[data-deleted="true"]')
    await expect(item.locator('[data-test=conv-title]')).toHaveText('Deleted account')
    await expect(a.page.locator(`.conv-item[data-peer="${bn}"]`)).toHaveCount(0)
    await item.click()
    await expect(a.page.locator('[data-test=pane-title]')).toHaveText('Deleted account')
    await expectOnce(a.page, 'my last words')
    await expect(messages(a.page, 'my last words').locator('.from')).toHaveText('Deleted account')
    await expectOnce(a.page, 'goodbye then')
    await expect(a.page.locator('[data-test=peer-deleted]')).toBeVisible()
    await expect(a.page.locator('.pane textarea')).toHaveCount(0)
    // not among the people one can write to
    await a.page.locator('[data-tab=people]').click()
    await expect(a.page.locator(`[data-person="${bn}"]`)).toHaveCount(0)
    await expect(a.page.locator('[data-person^="~"]')).toHaveCount(0)
    for (const x of [a, b]) await x.context.close()
  })
})
