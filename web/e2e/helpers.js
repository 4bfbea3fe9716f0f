import { expect } from '@playwright/test'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const shotsDir = path.join(webDir, 'test-results', 'screenshots')
fs.mkdirSync(shotsDir, { recursive: true })

let n = 0
/** A user name unique to this run (names are 1–20 characters). */
export function uname(base) {
  return `${base}${Date.now().toString(36).slice(-4)}${(n++).toString(36)}`
}

export const PASSWORD = 'secret1'

/** A new page in its own browser context (its own localStorage: another person). */
export async function newPerson(browser, opts = {}) {
  const context = await browser.newContext({ locale: 'en-US', ...opts })
  const page = await context.newPage()
  return { context, page }
}

export async function register(page, url, name, password = PASSWORD) {
  await page.goto(url)
  await page.locator('[data-test=toggle-mode]').click()
  await page.locator('input[name=username]').fill(name)
  await page.locator('input[name=password]').fill(password)
  await page.locator('[data-test=submit]').click()
  await expect(page.locator('[data-test=me]')).toHaveText(name)
  await expectConnected(page)
}

export async function login(page, url, name, password = PASSWORD) {
  await page.goto(url)
  await page.locator('input[name=username]').fill(name)
  await page.locator('input[name=password]').fill(password)
  await page.locator('[data-test=submit]').click()
  await expect(page.locator('[data-test=me]')).toHaveText(name)
  await expectConnected(page)
}

export async function expectConnected(page, timeout = 10_000) {
  await expect(page.locator('.side-head .conn')).toHaveAttribute('data-state', 'connected', { timeout })
}

/** Open the conversation with `peer` from the People tab. */
export async function openChat(page, peer) {
  await page.locator('[data-tab=people]').click()
  await page.locator(`[data-person="${peer}"]`).click()
  await expect(page.locator(`[data-conversation="${peer}"]`)).toBeVisible()
}

export async function openConversation(page, peer) {
  await page.locator('[data-tab=chats]').click()
  await page.locator(`.conv-item[data-peer="${peer}"]`).click()
  await expect(page.locator(`[data-conversation="${peer}"]`)).toBeVisible()
}

export async function send(page, text) {
  const box = page.locator('.pane textarea')
  await box.fill(text)
  await box.press('Enter')
  await expect(box).toHaveValue('')
}

/** Messages in the open conversation with exactly this text. */
export function messages(page, text) {
  const exact = new RegExp('^' + text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$')
  return page.locator('.pane [data-test=message]').filter({ has: page.locator('[data-test=text]', { hasText: exact }) })
}

export async function expectOnce(page, text, timeout) {
  await expect(messages(page, text)).toHaveCount(1, timeout ? { timeout } : undefined)
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`) })
}

/** Open a group's conversation from the Chats tab by the group's name. */
export async function openGroup(page, name) {
  await page.locator('[data-tab=chats]').click()
  await page.locator(`.conv-item[data-group-name="${name}"]`).click()
  await expect(page.locator('.pane[data-group]')).toBeVisible()
  await expect(page.locator('.pane [data-test=pane-title]')).toHaveText(name)
}

/** Membership event lines in the open conversation, by event name. */
export function events(page, event) {
  return page.locator(`.pane [data-test=group-event][data-event="${event}"]`)
}
