// Helpers for the account and administration specs: accounts made through the HTTP API, the
// first admin promoted with the CLI (`parley admin promote NAME --data DIR`), and the dialogs.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect } from '@playwright/test'
import { binPath } from './server.js'
import { expectConnected, PASSWORD } from './helpers.js'

const run = promisify(execFile)

export async function apiRegister(url, name, password = PASSWORD, invite) {
  const r = await fetch(`${url}/api/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(invite ? { name, password, invite } : { name, password })
  })
  return r.json()
}

export async function apiLogin(url, name, password = PASSWORD) {
  const r = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, password }) })
  return r.json()
}

/** Makes `name` an administrator with the CLI, on the spec's data folder (the server runs). */
export async function promote(server, name) {
  try {
    await run(binPath, ['admin', 'promote', name, '--data', server.dataDir], { timeout: 20_000 })
  } catch (e) {
    throw new Error(`parley admin promote ${name} failed: ${e.message}\n${e.stdout || ''}${e.stderr || ''}`)
  }
}

/** Registers `name` (through the API, unless `registered`), promotes it, and logs it in on `page`. */
export async function adminSession(page, server, name, { registered = false } = {}) {
  if (!registered) expect((await apiRegister(server.url, name)).code).toBe('2000')
  await promote(server, name)
  await page.goto(server.url)
  await page.locator('input[name=username]').fill(name)
  await page.locator('input[name=password]').fill(PASSWORD)
  await page.locator('[data-test=submit]').click()
  await expect(page.locator('[data-test=me]')).toHaveText(name)
  await expectConnected(page)
  await expect(page.locator('[data-test=admin]')).toBeVisible()
}

export async function openAdmin(page, tab) {
  if (!(await page.locator('.admin-dialog').isVisible())) await page.locator('[data-test=admin]').click()
  await expect(page.locator('.admin-dialog')).toBeVisible()
  if (tab) await page.locator('.admin-dialog .el-tabs__item', { hasText: tab }).click()
}

export async function closeDialogs(page) {
  await page.keyboard.press('Escape')
  await expect(page.locator('.el-overlay-dialog:visible')).toHaveCount(0)
}

/** The admin's user table row for `name` (after searching for it). */
export async function userRow(page, name) {
  await openAdmin(page, 'Users')
  const search = page.locator('.admin-dialog input[name=admin_search]')
  await search.fill(name)
  await search.press('Enter')
  const row = page.locator(`.admin-dialog tr[data-user="${name}"]`)
  await expect(row).toBeVisible()
  return row
}

/** Confirms the open Element Plus message box. */
export async function confirmBox(page) {
  const box = page.locator('.el-message-box:visible')
  await expect(box).toHaveCount(1)
  await box.locator('.el-message-box__btns .el-button--primary').click()
  await expect(box).toHaveCount(0)
}

export async function openAccount(page) {
  await page.locator('[data-test=account]').click()
  await expect(page.locator('[data-test=account-dialog]')).toBeVisible()
}

/** Registration through the page, with an invite code field when the server asks for one. */
export async function registerWithInvite(page, url, name, invite, password = PASSWORD) {
  await page.goto(url)
  await page.locator('[data-test=toggle-mode]').click()
  await expect(page.locator('input[name=invite]')).toBeVisible()
  await page.locator('input[name=username]').fill(name)
  await page.locator('input[name=password]').fill(password)
  await page.locator('input[name=invite]').fill(invite)
  await page.locator('[data-test=submit]').click()
}
