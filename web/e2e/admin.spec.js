// The administration page: stats, users (search, create, role, password, delete), ban / unban
// (the banned user is logged out and told so at login), kick, system notices to everyone or one
// user, and that nobody else sees or may use it. The first admin is made with the CLI
// (`parley admin promote NAME --data DIR`).
import { expect, test } from '@playwright/test'
import { startServer } from './server.js'
import { expectConnected, login, newPerson, PASSWORD, register, uname } from './helpers.js'
import { adminSession, apiLogin, apiRegister, confirmBox, openAdmin, userRow } from './accounts.js'

let server
let admin
const rootName = uname('root')

test.beforeAll(async () => {
  server = await startServer()
})
test.afterAll(async () => {
  await server?.cleanup()
})
test.beforeEach(async ({ browser }) => {
  admin = await newPerson(browser)
  await adminLogin(admin.page)
})
test.afterEach(async () => {
  await admin?.context.close()
})

let promoted = false
async function adminLogin(page) {
  if (!promoted) {
    await adminSession(page, server, rootName)
    promoted = true
  } else {
    await login(page, server.url, rootName)
    await expect(page.locator('[data-test=admin]')).toBeVisible()
  }
}

test('stats, search, create an account, make it admin, reset its password, delete it', async () => {
  const page = admin.page
  const prefix = uname('pg')
  for (const s of ['a', 'b', 'c']) expect((await apiRegister(server.url, prefix + s)).code).toBe('2000')

  await openAdmin(page, 'Overview')
  await expect(page.locator('[data-stat=users] dd')).toHaveText(/^\d+$/)
  expect(Number(await page.locator('[data-stat=users] dd').textContent())).toBeGreaterThanOrEqual(4)
  await expect(page.locator('[data-stat=registration] dd')).toHaveText('open')
  await expect(page.locator('[data-stat=store] dd')).toHaveText(/sqlite|redis/)

  // search
  await openAdmin(page, 'Users')
  await page.locator('.admin-dialog input[name=admin_search]').fill(prefix)
  await page.locator('.admin-dialog input[name=admin_search]').press('Enter')
  await expect(page.locator('.admin-dialog tbody tr')).toHaveCount(3)
  await expect(page.locator('.admin-dialog tbody tr').first()).toHaveAttribute('data-user', prefix + 'a')
  await expect(page.locator(`.admin-dialog tr[data-user="${rootName}"]`)).toHaveCount(0)

  // create an account
  const made = prefix + 'new'
  await page.locator('.admin-dialog input[name=new_user_name]').fill(made)
  await page.locator('.admin-dialog input[name=new_user_password]').fill('made123')
  await page.locator('[data-test=admin-create-submit]').click()
  await expect(page.locator('.el-message', { hasText: `Account ${made} created.` })).toBeVisible()
  const row = page.locator(`.admin-dialog tr[data-user="${made}"]`)
  await expect(row).toBeVisible()
  expect((await apiLogin(server.url, made, 'made123')).code).toBe('2000')

  // make it an admin
  await row.locator('[data-test=toggle-role]').click()
  await confirmBox(page)
  await expect(row.locator('[data-test=user-role]')).toHaveText('admin')
  expect((await apiLogin(server.url, made, 'made123')).role).toBe('admin')

  // a new password
  await row.locator('[data-test=reset-password]').click()
  await page.locator('.el-message-box:visible input').fill('reset99')
  await confirmBox(page)
  await expect(page.locator('.el-message', { hasText: `The password of ${made} was changed.` })).toBeVisible()
  expect((await apiLogin(server.url, made, 'made123')).code).toBe('4005')
  expect((await apiLogin(server.url, made, 'reset99')).code).toBe('2000')

  // delete it
  await row.locator('[data-test=delete-user]').click()
  await confirmBox(page)
  await expect(row).toHaveCount(0)
  expect((await apiLogin(server.url, made, 'reset99')).code).not.toBe('2000')

  // a cancelled confirmation changes nothing
  const keep = page.locator(`.admin-dialog tr[data-user="${prefix}a"]`)
  await keep.locator('[data-test=ban]').click()
  await page.locator('.el-message-box:visible .el-message-box__btns .el-button:not(.el-button--primary)').click()
  await expect(keep).toHaveAttribute('data-banned', 'false')
})

test('the user table pages by name: 50 at a time, then "Load more"', async () => {
  const prefix = uname('pp')
  const names = Array.from({ length: 53 }, (_, i) => prefix + String(i).padStart(2, '0'))
  for (let i = 0; i < names.length; i += 5) {
    const answers = await Promise.all(names.slice(i, i + 5).map((n) => apiRegister(server.url, n)))
    for (const r of answers) expect(r.code).toBe('2000')
  }
  await openAdmin(admin.page, 'Users')
  await admin.page.locator('.admin-dialog input[name=admin_search]').fill(prefix)
  await admin.page.locator('.admin-dialog input[name=admin_search]').press('Enter')
  const rows = admin.page.locator('.admin-dialog tbody tr')
  await expect(rows).toHaveCount(50)
  await expect(rows.last()).toHaveAttribute('data-user', names[49])
  await admin.page.locator('[data-test=admin-more]').click()
  await expect(rows).toHaveCount(53)
  await expect(rows.last()).toHaveAttribute('data-user', names[52])
  await expect(admin.page.locator('[data-test=admin-more]')).toHaveCount(0)
})

test('banning logs the user out, their login says they are banned; unbanned, they are back', async ({ browser }) => {
  const x = await newPerson(browser)
  const xn = uname('ban')
  await register(x.page, server.url, xn)

  const row = await userRow(admin.page, xn)
  await expect(row.locator('[data-test=user-state]')).toHaveText('online')
  await row.locator('[data-test=ban]').click()
  await confirmBox(admin.page)
  await expect(row.locator('[data-test=user-state]')).toHaveText('banned')

  // logged out at once, with the reason at the next login
  await expect(x.page.locator('input[name=username]')).toBeVisible()
  await x.page.locator('input[name=username]').fill(xn)
  await x.page.locator('input[name=password]').fill(PASSWORD)
  await x.page.locator('[data-test=submit]').click()
  await expect(x.page.locator('[data-test=login-error]')).toContainText('This account is banned')
  expect((await apiLogin(server.url, xn)).code).toBe('4033')

  await row.locator('[data-test=unban]').click()
  await confirmBox(admin.page)
  await expect(row.locator('[data-test=user-state]')).not.toHaveText('banned')
  await x.page.locator('[data-test=submit]').click()
  await expect(x.page.locator('[data-test=me]')).toHaveText(xn)
  await expectConnected(x.page)

  // kick: logged out everywhere, but may log in again
  await row.locator('[data-test=kick]').click()
  await confirmBox(admin.page)
  await expect(admin.page.locator('.el-message', { hasText: `${xn} was logged out everywhere.` })).toBeVisible()
  await expect(x.page.locator('input[name=username]')).toBeVisible()
  await login(x.page, server.url, xn)
  await x.context.close()
})

test('a system notice appears at everyone online, or at one user only', async ({ browser }) => {
  const x = await newPerson(browser)
  const y = await newPerson(browser)
  const xn = uname('nx')
  const yn = uname('ny')
  await register(x.page, server.url, xn)
  await register(y.page, server.url, yn)

  await openAdmin(admin.page, 'Notice')
  await admin.page.locator('.admin-dialog textarea[name=notice_content]').fill('The server restarts at 23:00')
  await admin.page.locator('[data-test=notice-send]').click()
  await expect(admin.page.locator('[data-test=notice-delivered]')).toContainText('Delivered to')
  for (const p of [x.page, y.page]) {
    await expect(p.locator('[data-test=system-notice-text]')).toHaveText('The server restarts at 23:00')
    const pop = p.locator('.el-notification', { hasText: 'The server restarts at 23:00' })
    await expect(pop).toBeVisible()
    await expect(pop).toContainText('Notice from the administrators')
  }

  await admin.page.locator('.admin-dialog input[name=notice_to]').fill(yn)
  await admin.page.locator('.admin-dialog textarea[name=notice_content]').fill(`only for ${yn}`)
  await admin.page.locator('[data-test=notice-send]').click()
  await expect(admin.page.locator('[data-test=notice-delivered]')).toContainText(/Delivered to [1-9]/)
  await expect(y.page.locator('[data-test=system-notice-text]', { hasText: `only for ${yn}` })).toBeVisible()
  await y.page.locator('[data-test=dismiss-notice]').first().click()
  await expect(x.page.locator('[data-test=system-notice-text]', { hasText: `only for ${yn}` })).toHaveCount(0)

  // dismissed, it goes away
  await x.page.locator('[data-test=dismiss-notice]').click()
  await expect(x.page.locator('[data-test=system-notice]')).toHaveCount(0)
  for (const p of [x, y]) await p.context.close()
})

test('nobody else sees the page or may use the API', async ({ browser }) => {
  const x = await newPerson(browser)
  const xn = uname('plain')
  await register(x.page, server.url, xn)
  await expect(x.page.locator('[data-test=admin]')).toHaveCount(0)
  const token = (await apiLogin(server.url, xn)).token
  const r = await fetch(`${server.url}/api/admin/stats`, { headers: { 'w-token': token } })
  expect(r.status).toBe(403)
  expect((await r.json()).code).toBe('4030')
  await x.context.close()
})
